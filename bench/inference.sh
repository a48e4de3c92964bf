#!/usr/bin/env bash
# Inference speed, libtorch vs ONNX Runtime, side by side in one run:
#   bench/inference.sh [--quick] [--runs N] [--seconds S]
#
# Network inference only (prepared float batches in, scores out; decoding is W5's business),
# through convkit's shared prediction API (org.convkit.eval.Classifier): TorchClassifier on libtorch
# and OnnxClassifier on ONNX Runtime (full graph optimization), the same weights (a checkpoint with
# seeded random weights, and its export), for
#   resnet18   3x224x224, 1000 classes
#   fashion    the main job's model: simplecnn --arch 32,64 --fc 128, 1x28x28, 10 classes
# at batch 1 and 64. Each run is a process of its own (org.convkit.onnx.bench.InferenceBench) that
# warms up, then times batches for S seconds (default 10); runs alternate libtorch, ONNX Runtime
# (BatchNorm folded), ONNX Runtime (BatchNormalization kept), N times (default 5); the table gives
# each side's median img/s and the median of the per-run ratios ONNX Runtime / libtorch.
# Both engines get the same threads (BENCH_THREADS, default 2), jemalloc and passive OpenMP waits
# (bench/lib.sh); ONNX Runtime does not spin either.
# --quick: one run of a second each (a smoke test: the figures mean nothing).
# A full run appends its table to bench/RESULTS.md ("Inference: libtorch vs ONNX Runtime").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0
runs=5
seconds=10
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1; runs=1; seconds=1 ;;
    --runs) runs="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench/inference.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
threads="${BENCH_THREADS:-2}"
source bench/lib.sh

echo "bench: compiling ..." >&2
bench_classpath convkit-onnx
work="${BENCH_INFERENCE_DIR:-target/bench-inference}"
mkdir -p "$work"
# shellcheck disable=SC2086
bench_java() { ck_java -Dai.djl.pytorch.num_threads="$threads" -cp "$cp" org.convkit.onnx.bench.InferenceBench "$@"; }
echo "bench: preparing checkpoints and their ONNX exports in $work ..." >&2
bench_java prepare "$work" 2>&1 | grep -v '^\[' >&2 || true

field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" | head -n 1; }
started="$(date -u +%Y-%m-%dT%H:%MZ)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
for model in resnet18 fashion; do
  for batch in 1 64; do
    t=(); o=(); k=(); ro=(); rk=()
    for r in $(seq "$runs"); do
      a="$(bench_java run torch "$work/$model" "$batch" "$seconds" "$threads" 2>/dev/null | field img_s)"
      b="$(bench_java run onnx "$work/$model.onnx" "$batch" "$seconds" "$threads" 2>/dev/null | field img_s)"
      c="$(bench_java run onnx "$work/$model-bn.onnx" "$batch" "$seconds" "$threads" 2>/dev/null | field img_s)"
      if [[ -z "$a" || -z "$b" || -z "$c" ]]; then
        echo "bench: $model batch $batch run $r failed (libtorch: ${a:-none}, onnx: ${b:-none}, onnx bn: ${c:-none})" >&2
        exit 1
      fi
      t+=("$a"); o+=("$b"); k+=("$c")
      ro+=("$(awk -v x="$b" -v y="$a" 'BEGIN {printf "%.3f", x / y}')")
      rk+=("$(awk -v x="$c" -v y="$a" 'BEGIN {printf "%.3f", x / y}')")
      echo "  $model batch $batch run $r: libtorch $a img/s, ONNX Runtime $b img/s (BatchNorm kept: $c)" >&2
    done
    rows+=("$(printf '| %s | %s | %s | %s | %s | **%.2f** | %.2f |' "$model" "$batch" \
      "$(printf '%s\n' "${t[@]}" | median)" "$(printf '%s\n' "${o[@]}" | median)" "$(printf '%s\n' "${k[@]}" | median)" \
      "$(printf '%s\n' "${ro[@]}" | median)" "$(printf '%s\n' "${rk[@]}" | median)")")
    echo "${rows[-1]}" >&2
  done
done

machine="$(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores"
table() {
  echo "### $started — $machine"
  echo
  echo "bench/inference.sh --runs $runs --seconds $seconds; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+changes'); threads $threads, OMP_WAIT_POLICY=$omp; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| model | batch | libtorch img/s | ONNX Runtime img/s | ONNX Runtime, BatchNorm kept, img/s | ratio ONNX Runtime / libtorch | ratio, BatchNorm kept |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
}
if [[ $quick == 1 ]]; then
  table
else
  { echo; table; } | tee -a bench/RESULTS.md
fi
