#!/usr/bin/env bash
# The seq2seq kind on Debian's wamerican word list (about 104,000 words of 1 to 23 letters): for
# each seed, `bottleneck train --kind seq2seq` with its defaults (embedding 32, GRU 256, code 64,
# Adam 1e-3 with cosine decay, batch 128) on a seeded nine tenths, then the exact-match rate of
# greedy decoding on the held-out tenth, overall and by word length (the run folder's
# accuracy_by_length.csv). Needs: apt-get install wamerican
# Usage: [SEEDS="0 1 2"] [EPOCHS=10] [THREADS=2] bench/seq2seq.sh [WORDS_FILE] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
words=${1:-/usr/share/dict/american-english}
out=${2:-runs/seq2seq-bench}
seeds=${SEEDS:-0 1 2}
epochs=${EPOCHS:-10}
threads=${THREADS:-2}
[ -f "$words" ] || { echo "seq2seq.sh: $words not found (apt-get install wamerican)" >&2; exit 2; }
dotnet build -c Release src/Bottleneck.Cli -v quiet -nologo > /dev/null
for seed in $seeds; do
  dotnet src/Bottleneck.Cli/bin/Release/net10.0/bottleneck.dll train --kind seq2seq --data "$words" --epochs "$epochs" \
    --threads "$threads" --seed "$seed" --out "$out/seed$seed" --force | grep -E '^(Training|Epoch|Done)'
done
# One table: the exact-match rate by length for every seed, and their mean.
python3 - "$out" $seeds <<'PY'
import csv, sys
out, seeds = sys.argv[1], sys.argv[2:]
tables = {s: {r['length']: r for r in csv.DictReader(open(f'{out}/seed{s}/accuracy_by_length.csv'))} for s in seeds}
lengths = sorted({n for t in tables.values() for n in t if n != 'all'}, key=int) + ['all']
print('| length | held-out words (mean) | ' + ' | '.join(f'seed {s}' for s in seeds) + ' | mean |')
print('|---:|---:|' + '---:|' * (len(seeds) + 1))
for n in lengths:
    rows = [tables[s].get(n) for s in seeds]
    acc = [float(r['accuracy']) for r in rows if r]
    count = sum(int(r['count']) for r in rows if r) / len(seeds)
    cells = ' | '.join(f"{float(r['accuracy']):.4f}" if r else '' for r in rows)
    print(f'| {n} | {count:.0f} | {cells} | {sum(acc) / len(acc):.4f} |')
PY
