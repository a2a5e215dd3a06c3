#!/usr/bin/env bash
# Side by side on this machine: the adversarial autoencoder in PyTorch (bench/torch_aae.py, data
# preloaded, OPENBLAS_NUM_THREADS=2 and 1 torch thread, the setting the tutorial peer found
# fastest) and `bottleneck train --kind aae` (evaluation, pictures and checkpoint every epoch
# included), EPOCHS epochs each on MNIST, then the ratio of wall times.
# Needs: apt-get install python3-torch libopenblas0-pthread
# Usage: [EPOCHS=10] bench/compare_aae.sh [MNIST_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-../shared/datasets/mnist}
epochs=${EPOCHS:-10}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build -c Release src/Bottleneck.Cli -v quiet -nologo > /dev/null
since() { echo "$(date +%s.%N) - $1" | bc; }
echo "== PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), $epochs epochs"
start=$(date +%s.%N)
OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/torch_aae.py "$mnist" 1 "$epochs" | tail -n 2
torch_s=$(since "$start")
echo "== Bottleneck: bottleneck train --kind aae, $epochs epochs"
start=$(date +%s.%N)
dotnet src/Bottleneck.Cli/bin/Release/net10.0/bottleneck.dll train --kind aae --data "$mnist" --epochs "$epochs" --out "$out/run" | grep -E '^(MMD|Done)'
ours_s=$(since "$start")
printf 'wall seconds: PyTorch %.1f, Bottleneck %.1f, ratio %.2fx\n' "$torch_s" "$ours_s" "$(echo "$torch_s / $ours_s" | bc -l)"
