#!/usr/bin/python3
"""scikit-learn's IsolationForest on the ADBench protocol of docs/ANOMALY.md, the baseline that
`bottleneck bench anomaly --suite adbench` is compared with.

Every classical ADBench .npz with fewer than 60,000 rows; for each seed a stratified 70/30 split
(scikit-learn's train_test_split), features standardised with the training part's mean and
standard deviation, IsolationForest with its defaults and random_state = seed fitted on the 70%
without labels, ROC-AUC of the negated score_samples on the 30%, the mean over the seeds. Prints
one line per dataset and last the mean over datasets. Needs Debian's python3-sklearn.

    /usr/bin/python3 bench/anomaly_baselines.py --data ../shared/datasets/adbench
"""
import argparse
import os

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

MAX_ROWS = 60_000


def adbench_files(folder):
    """The .npz files under folder with fewer than MAX_ROWS rows, in their numbered order."""
    chosen = []
    for name in os.listdir(folder):
        if not name.endswith(".npz"):
            continue
        with np.load(os.path.join(folder, name), allow_pickle=False) as archive:
            if archive["X"].shape[0] < MAX_ROWS:
                chosen.append(name)
    return sorted(chosen, key=lambda n: int(n.split("_")[0]))


def isolation_forest_auc(x, y, seed):
    x_train, x_test, _, y_test = train_test_split(x, y, test_size=0.3, stratify=y, random_state=seed)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std[std == 0] = 1
    forest = IsolationForest(random_state=seed).fit((x_train - mean) / std)
    return roc_auc_score(y_test, -forest.score_samples((x_test - mean) / std))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/datasets/adbench", help="folder of the ADBench .npz files")
    parser.add_argument("--seeds", default="0,1,2", help="split seeds, comma separated")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    means = []
    for name in adbench_files(args.data):
        with np.load(os.path.join(args.data, name), allow_pickle=False) as archive:
            x, y = archive["X"].astype(np.float64), archive["y"].astype(int)
        aucs = [isolation_forest_auc(x, y, s) for s in seeds]
        means.append(np.mean(aucs))
        print(f"{name[:-4]:22s} IsolationForest ROC-AUC {means[-1]:.4f}  ({' '.join(f'{a:.3f}' for a in aucs)})", flush=True)
    print(f"mean ROC-AUC: {np.mean(means):.4f} over {len(means)} datasets")


if __name__ == "__main__":
    main()
