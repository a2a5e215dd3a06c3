#!/usr/bin/env bash
# Bit-for-bit check of a refactor: short training runs of several kinds (and a resumed one) with the
# CLI build in CLI_DIR, then the sha256 of each model.safetensors. Run it before and after a change and diff.
#   bench/hash_runs.sh src/Bottleneck.Cli/bin/Release/net10.0 /tmp/after > after.txt
set -e
cli=$(realpath "$1"); root=$2; MNIST=$(realpath "${MNIST:-../shared/datasets/mnist}"); rm -rf $root; mkdir -p $root
run() { name=$1; shift; dotnet $cli/bottleneck.dll train --data "$MNIST" --limit ${LIMIT:-3000} --epochs 2 --out $root/$name "$@" >/dev/null 2>$root/$name.err || { echo "$name FAILED"; cat $root/$name.err; }; }
run vanilla
run vae --kind vae
run aae --kind aae
run denoise --kind denoising
LIMIT=1000 run conv --kind conv
run sparse --kind sparse --sparsity kl --latent-activation sigmoid
run t1 --threads 1
run fvae --kind factor-vae
# resume: stop after 1 epoch then resume to 2
dotnet $cli/bottleneck.dll train --data "$MNIST" --limit 3000 --epochs 1 --out $root/res >/dev/null 2>&1
dotnet $cli/bottleneck.dll train --resume $root/res --epochs 2 >/dev/null 2>$root/res.err || cat $root/res.err
cd $root && sha256sum */model.safetensors | awk '{print substr($1,1,16), $2}'
