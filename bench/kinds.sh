#!/usr/bin/env bash
# Trains every model kind with its defaults on MNIST (10 epochs each) and prints a Markdown table
# of test losses and the figures that show what each kind does. The figures in docs/KINDS.md
# come from this script:  bench/kinds.sh ../shared/datasets/mnist runs/kinds
set -euo pipefail
data=${1:-../shared/datasets/mnist}
out=${2:-runs/kinds}
kinds=${KINDS:-"vanilla deep conv denoising sparse contractive vae beta-vae info-vae factor-vae tc-vae aae"}
cd "$(dirname "$0")/.."
dotnet build src/Bottleneck.Cli -c Release -v quiet -nologo >/dev/null
bottleneck() { dotnet src/Bottleneck.Cli/bin/Release/net10.0/bottleneck.dll "$@"; }
for kind in $kinds; do
  bottleneck train --kind "$kind" --data "$data" --out "$out/$kind" --force | grep -v '^Train Epoch' | tail -n 12
done
python3 - "$out" $kinds <<'PY'
import json, sys, os
out, kinds = sys.argv[1], sys.argv[2:]
print("| kind | test loss (per item) | reconstruction + penalty | PSNR noisy → denoised | mean abs code | zero codes | Jacobian norm | MMD² to the prior | seconds |")
print("|---|---|---|---|---|---|---|---|---|")
for k in kinds:
    j = json.load(open(os.path.join(out, k, "model.json")))
    m = j["metrics"]; d = m.get("diagnostics", {})
    parts = f'{m["test_reconstruction"]:.2f} + {m["test_penalty"]:.2f}' if m.get("test_penalty") is not None else ""
    psnr = f'{d["psnr_noisy"]:.2f} → {d["psnr_denoised"]:.2f} dB' if "psnr_noisy" in d else ""
    jac = f'{d["jacobian_norm"]:.2f}' if "jacobian_norm" in d else ""
    mmd = f'{d["prior_mmd"]:.4f}' if "prior_mmd" in d else ""
    print(f'| {k} ({j["model"]["loss"]}) | {m["test_loss"]:.2f} | {parts} | {psnr} | {d["mean_code_activation"]:.3f} | {d["zero_code_fraction"]:.1%} | {jac} | {mmd} | {m["seconds"]:.0f} |')
PY
