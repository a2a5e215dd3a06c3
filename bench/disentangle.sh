#!/usr/bin/env bash
# The disentanglement comparison of docs/KINDS.md: generates the dSprites-like set, trains
# beta-vae, factor-vae and tc-vae on it with each of three seeds (same dense network, code of 10),
# and prints a Markdown table of MIG, FactorVAE score and reconstruction loss (mean ± sd over the
# seeds), then the per-seed rows. Each run's report holds its latent traversal grid.
#   bench/disentangle.sh runs/disentangle            (EPOCHS, SEEDS, KINDS, NET change the defaults)
set -euo pipefail
out=${1:-runs/disentangle}
epochs=${EPOCHS:-20}
seeds=${SEEDS:-"1 2 3"}
kinds=${KINDS:-"beta-vae factor-vae tc-vae"}
net=${NET:-"--hidden 512,256 --latent 10"}
cd "$(dirname "$0")/.."
dotnet build src/Bottleneck.Cli -c Release -v quiet -nologo >/dev/null
bottleneck() { dotnet src/Bottleneck.Cli/bin/Release/net10.0/bottleneck.dll "$@"; }
data="$out/dsprites"
[ -f "$data/factors.json" ] || bottleneck data dsprites --out "$data"
for seed in $seeds; do
  for kind in $kinds; do
    # shellcheck disable=SC2086  # $net and $TRAIN_OPTIONS are lists of options
    bottleneck train --model "$kind" --dataset dsprites --data "$data" $net ${TRAIN_OPTIONS:-} --epochs "$epochs" --seed "$seed" \
      --out "$out/$kind-$seed" --force | grep -E 'Test set loss|mig|factor_vae|Done' || true
  done
done
python3 - "$out" "$seeds" $kinds <<'PY'
import json, os, statistics, sys
out, seeds, kinds = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
def figures(kind, seed):
    m = json.load(open(os.path.join(out, f"{kind}-{seed}", "model.json")))["metrics"]
    d = m["diagnostics"]
    return d["mig"], d["factor_vae_score"], m["test_reconstruction"], m["seconds"]
def cell(values, digits):
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}" if len(values) > 1 else f"{values[0]:.{digits}f}"
print("| kind | MIG | FactorVAE score | reconstruction (BCE per image) | seconds per run |")
print("|---|---|---|---|---|")
for k in kinds:
    rows = [figures(k, s) for s in seeds]
    print(f"| {k} | {cell([r[0] for r in rows], 3)} | {cell([r[1] for r in rows], 3)} | {cell([r[2] for r in rows], 2)} | {statistics.mean(r[3] for r in rows):.0f} |")
print()
print("| kind | seed | MIG | FactorVAE score | reconstruction |")
print("|---|---|---|---|---|")
for k in kinds:
    for s in seeds:
        mig, score, rec, _ = figures(k, s)
        print(f"| {k} | {s} | {mig:.3f} | {score:.3f} | {rec:.2f} |")
PY
