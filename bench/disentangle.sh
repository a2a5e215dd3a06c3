#!/usr/bin/env bash
# The disentanglement comparison of docs/KINDS.md: generates the dSprites-like set, trains each
# configuration (a name, then its options) with each of three seeds (same dense network, code of
# 10), and prints a Markdown table of MIG, FactorVAE score and reconstruction loss (mean ± sd over
# the seeds), the per-seed rows, then the matched pairs (PAIRS, "kind:baseline" separated by
# spaces): each kind against the β-VAE whose mean reconstruction is nearest its own, and whether
# both of its scores are above.
# The default configurations: β-VAE's frontier (β 2, 3, 4, 6, 7, 8), factor-vae at γ 35 and 100,
# tc-vae at β 2, 3, 4, 5, 6, 8, 10, 12 and 16, all for EPOCHS (20), and tc-vae β 10 with β-VAE β 7
# for 40 epochs (a configuration giving its own --epochs keeps it). About 1.75 hours on one thread
# (NET="--hidden 512,256 --latent 10 --threads 1"; the figures were the same at 1 and 2 threads),
# most of it factor-vae's.
# Each run's report holds its latent traversal grid.
#   bench/disentangle.sh runs/disentangle            (EPOCHS, SEEDS, CONFIGS, PAIRS, NET change the defaults; REUSE=1 keeps finished runs)
set -euo pipefail
out=${1:-runs/disentangle}
epochs=${EPOCHS:-20}
seeds=${SEEDS:-"1 2 3"}
configs=${CONFIGS:-"beta-vae-2:--kind beta-vae --beta 2
beta-vae-3:--kind beta-vae --beta 3
beta-vae:--kind beta-vae
beta-vae-6:--kind beta-vae --beta 6
beta-vae-7:--kind beta-vae --beta 7
beta-vae-8:--kind beta-vae --beta 8
factor-vae:--kind factor-vae
factor-vae-100:--kind factor-vae --tc-weight 100
tc-vae-2:--kind tc-vae --tc-weight 2
tc-vae-3:--kind tc-vae --tc-weight 3
tc-vae-4:--kind tc-vae --tc-weight 4
tc-vae-5:--kind tc-vae --tc-weight 5
tc-vae:--kind tc-vae
tc-vae-8:--kind tc-vae --tc-weight 8
tc-vae-10:--kind tc-vae --tc-weight 10
tc-vae-12:--kind tc-vae --tc-weight 12
tc-vae-16:--kind tc-vae --tc-weight 16
beta-vae-7-e40:--kind beta-vae --beta 7 --epochs 40
tc-vae-10-e40:--kind tc-vae --tc-weight 10 --epochs 40"}
pairs=${PAIRS:-"factor-vae:beta-vae-3 factor-vae-100:beta-vae tc-vae-2:beta-vae-2 tc-vae-3:beta-vae-3 tc-vae-4:beta-vae tc-vae-5:beta-vae tc-vae:beta-vae tc-vae-8:beta-vae-6 tc-vae-10:beta-vae-7 tc-vae-12:beta-vae-8 tc-vae-16:beta-vae-8 tc-vae-10-e40:beta-vae-7-e40"}
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
    # A configuration may give its own --epochs (the 40-epoch pair); the others get EPOCHS.
    case " $options " in *" --epochs "*) run_epochs=() ;; *) run_epochs=(--epochs "$epochs") ;; esac
    # shellcheck disable=SC2086  # $options and $net are lists of options
    bottleneck train $options --dataset dsprites --data "$data" $net "${run_epochs[@]}" --seed "$seed" \
      --out "$out/$name-$seed" --force | grep -E '^Done' || true
  done <<< "$configs"
done
python3 - "$out" "$seeds" "$pairs" "${names[@]}" <<'PY'
import json, os, statistics, sys
out, seeds, pairs, kinds = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4:]
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
print()
print("| matched pair | reconstruction | MIG | FactorVAE score | both scores above |")
print("|---|---|---|---|---|")
for pair in pairs:
    kind, base = pair.split(":")
    if kind not in kinds or base not in kinds:
        continue
    a = [figures(kind, s) for s in seeds]
    b = [figures(base, s) for s in seeds]
    mean = lambda rows, i: statistics.mean(r[i] for r in rows)
    print(f"| {kind} against {base} | {mean(a, 2):.2f} against {mean(b, 2):.2f} ({mean(a, 2) - mean(b, 2):+.2f}) "
          f"| {mean(a, 0):.3f} against {mean(b, 0):.3f} | {mean(a, 1):.3f} against {mean(b, 1):.3f} "
          f"| {'yes' if mean(a, 0) > mean(b, 0) and mean(a, 1) > mean(b, 1) else 'no'} |")
PY
