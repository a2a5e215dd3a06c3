#!/usr/bin/env bash
# Side by side on this machine: the PyTorch peer (data preloaded, its fastest setting), the same
# loop in TorchSharp (bench/Bottleneck.TorchSharpPeer: TorchSharp-cpu 0.107, libtorch 2.10, data
# preloaded, TORCHSHARP_THREADS threads, 2 by default, its faster setting here) and `bottleneck
# train` with the tutorial defaults, 10 epochs each, then the ratios of wall times.
# With TUTORIAL=1, also the tutorial as usually written (bench/torch_tutorial.py: torchvision
# dataset, per-item transform, DataLoader, default threads), and the ratio against it.
# With RUNS=N, the whole comparison N times back to back (the machine's speed drifts from minute
# to minute, so each ratio pairs runs of the same minutes), then the medians and ranges.
# Needs: apt-get install python3-torch libopenblas0-pthread (and python3-torchvision for TUTORIAL=1)
# Usage: [TUTORIAL=1] [RUNS=N] [TORCHSHARP_THREADS=N] bench/compare_torch.sh [MNIST_DIR] [PEER_SCRIPT]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-../shared/datasets/mnist}
peer=${2:-../shared/peers/torch_seed000_fast.py}
runs=${RUNS:-1}
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then echo "compare_torch.sh: RUNS must be a positive whole number, got '$runs'" >&2; exit 2; fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

dotnet build -c Release src/Bottleneck.Cli -v quiet -nologo > /dev/null
dotnet build -c Release bench/Bottleneck.TorchSharpPeer -v quiet -nologo > /dev/null
torchsharp_threads=${TORCHSHARP_THREADS:-2}

# Seconds since $1 (a date +%s.%N reading).
since() { echo "$(date +%s.%N) - $1" | bc; }

for run in $(seq 1 "$runs"); do
    [ "$runs" -gt 1 ] && echo "=== run $run of $runs ($(date +%H:%M:%S))"
    echo "== PyTorch: OPENBLAS_NUM_THREADS=2, 1 torch thread, 10 epochs"
    start=$(date +%s.%N)
    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 "$peer" "$mnist" 1 10 | tail -n 2
    torch_s=$(since "$start")

    echo "== Bottleneck: bottleneck train (defaults: 10 epochs, evaluation and pictures each epoch)"
    rm -rf "$out/run"
    start=$(date +%s.%N)
    dotnet src/Bottleneck.Cli/bin/Release/net10.0/bottleneck.dll train --data "$mnist" --out "$out/run" | tail -n 3
    ours_s=$(since "$start")
    printf 'wall seconds: PyTorch %.1f, Bottleneck %.1f, ratio %.2fx\n' "$torch_s" "$ours_s" "$(echo "$torch_s / $ours_s" | bc -l)"
    echo "$torch_s $ours_s" >> "$out/times"

    echo "== TorchSharp: $torchsharp_threads threads, 10 epochs"
    start=$(date +%s.%N)
    dotnet bench/Bottleneck.TorchSharpPeer/bin/Release/net10.0/torchsharp-peer.dll "$mnist" "$torchsharp_threads" 10 | tail -n 2
    torchsharp_s=$(since "$start")
    printf 'wall seconds: TorchSharp %.1f, Bottleneck %.1f, ratio %.2fx\n' "$torchsharp_s" "$ours_s" "$(echo "$torchsharp_s / $ours_s" | bc -l)"
    echo "$torchsharp_s $ours_s" >> "$out/torchsharp_times"

    if [ "${TUTORIAL:-0}" = 1 ]; then
        echo "== PyTorch tutorial as usually written (bench/torch_tutorial.py), 10 epochs"
        start=$(date +%s.%N)
        /usr/bin/python3 bench/torch_tutorial.py "$mnist" 10 | tail -n 2
        tutorial_s=$(since "$start")
        printf 'wall seconds: tutorial %.1f, Bottleneck %.1f, ratio %.2fx\n' "$tutorial_s" "$ours_s" "$(echo "$tutorial_s / $ours_s" | bc -l)"
        echo "$tutorial_s $ours_s" >> "$out/tutorial_times"
    fi
done

# Median and range of column $2 of file $1 (or of column 1 divided by column 2 with "ratio").
summary() {
    awk -v col="$2" '{ print (col == "ratio" ? $1 / $2 : $col) }' "$1" | sort -g |
        awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "median %.2f (%.2f to %.2f)", m, v[1], v[NR] }'
}
if [ "$runs" -gt 1 ]; then
    echo "== $runs runs"
    echo "PyTorch seconds: $(summary "$out/times" 1)"
    echo "Bottleneck seconds: $(summary "$out/times" 2)"
    echo "ratio: $(summary "$out/times" ratio)"
    echo "TorchSharp seconds: $(summary "$out/torchsharp_times" 1)"
    echo "ratio against TorchSharp: $(summary "$out/torchsharp_times" ratio)"
    if [ -f "$out/tutorial_times" ]; then
        echo "tutorial seconds: $(summary "$out/tutorial_times" 1)"
        echo "ratio against the tutorial: $(summary "$out/tutorial_times" ratio)"
    fi
fi
