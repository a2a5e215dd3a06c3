"""torch.mm GFLOP/s on the same shapes as `Bottleneck.Bench gemm`, for comparison.

Run: OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/torch_gemm.py [--threads N]
Transposed operands are passed as transposed views (.t()), as autograd does, so the BLAS
sees the same storage orders as Bottleneck's Gemm.Multiply.
"""
import argparse
import time

import torch

BATCH = 128
LAYERS = [(784, 400), (400, 20), (20, 400), (400, 784)]


def shapes():
    for n_in, n_out in LAYERS:
        yield False, True, BATCH, n_out, n_in  # forward X·Wᵀ
        yield False, False, BATCH, n_in, n_out  # input gradient dY·W
        yield True, False, n_out, n_in, BATCH  # weight gradient dYᵀ·X
    yield False, False, 1024, 1024, 1024


def measure(trans_a, trans_b, m, n, k, reps):
    gen = torch.Generator().manual_seed(1)
    a = torch.rand((k, m) if trans_a else (m, k), generator=gen) * 2 - 1
    b = torch.rand((n, k) if trans_b else (k, n), generator=gen) * 2 - 1
    op_a = a.t() if trans_a else a
    op_b = b.t() if trans_b else b
    c = torch.empty(m, n)
    flops = 2.0 * m * n * k
    calls = max(1, int(0.02 * 100e9 / flops))
    for _ in range(max(3, calls // 4)):
        torch.mm(op_a, op_b, out=c)
    best = 0.0
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(calls):
            torch.mm(op_a, op_b, out=c)
        seconds = time.perf_counter() - start
        best = max(best, flops * calls / seconds / 1e9)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for trans_a, trans_b, m, n, k in shapes():
        gflops = measure(trans_a, trans_b, m, n, k, args.reps)
        op = ("T" if trans_a else "N") + ("T" if trans_b else "N")
        print(f"gemm {op} {m}x{n}x{k}  GFLOP/s: {gflops:.1f} (torch {torch.__version__} mm, threads {args.threads})")


if __name__ == "__main__":
    main()
