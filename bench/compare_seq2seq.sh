#!/usr/bin/env bash
# Side by side on this machine: PyTorch's seq2seq word autoencoder (bench/torch_seq2seq.py) and
# `bottleneck train --kind seq2seq`, the same architecture (embedding 32, GRU 256, code 64;
# 534,152 parameters), batches of 128 of about one length, Adam 1e-3, on Debian's wamerican word
# list, both on THREADS threads. Prints each one's median seconds per epoch after the first
# (training plus the held-out loss and greedy decoding of the held-out tenth, as both count an
# epoch) and the ratio. Bottleneck here runs with --lr-schedule constant, like the PyTorch loop.
# Needs: apt-get install wamerican python3-torch libopenblas0-pthread
# Usage: [EPOCHS=3] [THREADS=2] bench/compare_seq2seq.sh [WORDS_FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
words=${1:-/usr/share/dict/american-english}
epochs=${EPOCHS:-3}
threads=${THREADS:-2}
[ -f "$words" ] || { echo "compare_seq2seq.sh: $words not found (apt-get install wamerican)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build -c Release src/Bottleneck.Cli -v quiet -nologo > /dev/null
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
echo "== PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), $threads threads, $epochs epochs"
OPENBLAS_NUM_THREADS=$threads /usr/bin/python3 bench/torch_seq2seq.py --data "$words" --threads "$threads" --epochs "$epochs" | tee "$out/torch.log"
torch_s=$(grep '^seconds_per_epoch' "$out/torch.log" | cut -d' ' -f2)
echo "== Bottleneck, $threads threads, $epochs epochs"
dotnet src/Bottleneck.Cli/bin/Release/net10.0/bottleneck.dll train --kind seq2seq --data "$words" --lr-schedule constant \
  --epochs "$epochs" --threads "$threads" --out "$out/run" --force | tee "$out/ours.log" | grep -E '^(Training|Epoch)'
ours_s=$(awk -F, 'NR > 1 { if (NR > 2) print $5 - prev; prev = $5 }' "$out/run/metrics.csv" | median)
printf 'seconds per epoch: PyTorch %.3f, Bottleneck %.3f, ratio %.2fx\n' "$torch_s" "$ours_s" "$(echo "$torch_s / $ours_s" | bc -l)"
