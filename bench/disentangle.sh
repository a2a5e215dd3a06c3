#!/usr/bin/env bash
# The disentanglement comparison of docs/KINDS.md: generates the dSprites-like set, trains each
# configuration (a name, then its options; default: beta-vae, factor-vae and tc-vae with their
# defaults, and beta-vae β 8, tc-vae β 10 and factor-vae γ 100, heavier weights whose reconstructions
# come nearer each other) with
# each of three seeds (same dense network, code of 10), and prints a Markdown table of MIG,
# FactorVAE score and reconstruction loss (mean ± sd over the seeds), then the per-seed rows.
# Each run's report holds its latent traversal grid.
#   bench/disentangle.sh runs/disentangle            (EPOCHS, SEEDS, CONFIGS, NET change the defaults; REUSE=1 keeps finished runs)
set -euo pipefail
out=${1:-runs/disentangle}
epochs=${EPOCHS:-20}
seeds=${SEEDS:-"1 2 3"}
configs=${CONFIGS:-"beta-vae:--kind beta-vae
factor-vae:--kind factor-vae
tc-vae:--kind tc-vae
beta-vae-8:--kind beta-vae --beta 8
tc-vae-10:--kind tc-vae --tc-weight 10
factor-vae-100:--kind factor-vae --tc-weight 100"}
net=${NET:-"--hidden 512,256 --latent 10"}
cd "$(dirname "$0")/.."
dotnet build src/Bottleneck.Cli -c Release -v quiet -nologo >/dev/null
bottleneck() { dotnet src/Bottleneck.Cli/bin/Release/net10.0/bottleneck.dll "$@"; }
data="$out/dsprites"
[ -f "$data/factors.json" ] || bottleneck data dsprites --out "$data"
names=()
for seed in $seeds; do
  while IFS=: read -r name options; do
    [ "$seed" = "${seeds%% *}" ] && names+=("$name")
    # REUSE=1 keeps a finished run (its model.json) instead of training it again.
    [ "${REUSE:-0}" = 1 ] && [ -f "$out/$name-$seed/model.json" ] && continue
    # shellcheck disable=SC2086  # $options and $net are lists of options
    bottleneck train $options --dataset dsprites --data "$data" $net --epochs "$epochs" --seed "$seed" \
      --out "$out/$name-$seed" --force | grep -E '^Done' || true
  done <<< "$configs"
done
python3 - "$out" "$seeds" "${names[@]}" <<'PY'
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
