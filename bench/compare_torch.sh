#!/usr/bin/env bash
# Side by side on this machine: the PyTorch peer (data preloaded, its fastest setting) and
# `bottleneck train` with the tutorial defaults, 10 epochs each, then the ratio of wall times.
# With TUTORIAL=1, also the tutorial as usually written (bench/torch_tutorial.py: torchvision
# dataset, per-item transform, DataLoader, default threads), and the ratio against it.
# Needs: apt-get install python3-torch libopenblas0-pthread (and python3-torchvision for TUTORIAL=1)
# Usage: [TUTORIAL=1] bench/compare_torch.sh [MNIST_DIR] [PEER_SCRIPT]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-../shared/datasets/mnist}
peer=${2:-../shared/peers/torch_seed000_fast.py}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

dotnet build -c Release src/Bottleneck.Cli -v quiet -nologo > /dev/null

echo "== PyTorch: OPENBLAS_NUM_THREADS=2, 1 torch thread, 10 epochs"
start=$(date +%s.%N)
OPENBLAS_NUM_THREADS=2 /usr/bin/python3 "$peer" "$mnist" 1 10 | tail -n 2
torch_s=$(echo "$(date +%s.%N) - $start" | bc)

echo "== Bottleneck: bottleneck train (defaults: 10 epochs, evaluation and pictures each epoch)"
start=$(date +%s.%N)
dotnet src/Bottleneck.Cli/bin/Release/net10.0/bottleneck.dll train --data "$mnist" --out "$out/run" | tail -n 3
ours_s=$(echo "$(date +%s.%N) - $start" | bc)

printf 'wall seconds: PyTorch %.1f, Bottleneck %.1f, ratio %.2fx\n' "$torch_s" "$ours_s" "$(echo "$torch_s / $ours_s" | bc -l)"

if [ "${TUTORIAL:-0}" = 1 ]; then
    echo "== PyTorch tutorial as usually written (bench/torch_tutorial.py), 10 epochs"
    start=$(date +%s.%N)
    /usr/bin/python3 bench/torch_tutorial.py "$mnist" 10 | tail -n 2
    tutorial_s=$(echo "$(date +%s.%N) - $start" | bc)
    printf 'wall seconds: tutorial %.1f, Bottleneck %.1f, ratio %.2fx\n' "$tutorial_s" "$ours_s" "$(echo "$tutorial_s / $ours_s" | bc -l)"
fi
