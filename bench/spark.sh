#!/usr/bin/env bash
# Spark's overhead on one machine, side by side in one run:
#   bench/spark.sh [--quick] [--runs N] [--count N]
#
# `convkit spark predict --master local[2]` vs `convkit predict` on the same N CIFAR-10 test JPEGs
# (default 10,000: the whole test split of bench/data.sh; N/10 per class), copied into one folder, with
# resnet18 --stem cifar (W3i's network; a checkpoint with seeded random weights), batch 64. Both
# run through the launcher (./convkit: jemalloc, passive OpenMP waits) on the same 2 cores: predict
# with its loader's decoding threads, spark with one task per core (local[2]); alternately A B,
# N runs (default 3). Both on libtorch (--engine torch, as before the default became auto): the
# ratio is Spark's overhead, not an engine's.
# Two rates per side, and the median of the per-run ratios spark / predict of each:
#   command  images / wall time of the whole command (JVM, model, and Spark's start-up: what a
#            user waits for on one machine)
#   work     images / the time of the work alone (predict: its progress bar's time, from the
#            first batch on; spark: its job's time on the executors, model opening included,
#            which it prints; the listing and the query planning before it are left out)
# and the fixed cost of each command (its wall time minus its work; spark: with its listing).
# Then, from the work rates, the cost on paper of 100 million images on N 2-core executors.
# --quick: 200 images, one run (a smoke test: the figures mean nothing).
# A full run appends its table to bench/RESULTS.md ("Spark: spark predict vs predict").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0
runs=3
count=10000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1; runs=1; count=200 ;;
    --runs) runs="$2"; shift ;;
    --count) count="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench/spark.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
source bench/data.sh # BENCH_DATA, and bench/lib.sh
[[ -d "$BENCH_DATA/cifar/test" ]] || { echo "bench/spark.sh: needs the CIFAR-10 JPEGs (bench/data.sh)" >&2; exit 1; }

work="${BENCH_SPARK_DIR:-target/bench-spark}"
mkdir -p "$work"
work="$(cd "$work" && pwd)" # absolute: the copy below runs from inside each class folder
images="$work/images-$count"
if [[ ! -d "$images" ]]; then
  echo "bench: copying $count CIFAR-10 test JPEGs into $images ..." >&2
  rm -rf "$images.tmp"
  # the same number from each class (the first ones by name); sed reads all its input, so no
  # early-closed pipe under pipefail
  for d in "$BENCH_DATA"/cifar/test/*/; do
    c="$(basename "$d")"
    mkdir -p "$images.tmp/$c"
    (cd "$d" && ls | sort | sed -n "1,$((count / 10))p" | xargs cp -t "$images.tmp/$c/")
  done
  mv "$images.tmp" "$images"
fi
have="$(find "$images" -name '*.jpg' | wc -l)"
[[ "$have" == "$count" ]] || { echo "bench/spark.sh: $images holds $have JPEGs, not $count" >&2; exit 1; }

echo "bench: building (./convkit, ./convkit spark) and the checkpoint ..." >&2
./convkit --version >/dev/null
./convkit spark --version >/dev/null
bench_classpath convkit-spark
java -cp "$cp" org.convkit.spark.bench.BenchCheckpoint "$work/resnet18-cifar" 2>/dev/null

field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" | head -n 1; }
started="$(date -u +%Y-%m-%dT%H:%MZ)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
ck=(); sk=(); cw=(); sw=(); rc=(); rw=(); pf=(); sf=(); sl=()
for r in $(seq "$runs"); do
  # A: convkit predict
  t0="$(date +%s.%N)"
  ./convkit predict --engine torch --checkpoint "$work/resnet18-cifar" --input "$images" --out "$work/predict.csv" --batch-size 64 \
    2> "$work/predict.err" >/dev/null
  t1="$(date +%s.%N)"
  p_work="$(grep -a '^predict \[' "$work/predict.err" | tail -n 1 | sed -n 's/.*  \([0-9.]*\) s *$/\1/p')"
  # B: convkit spark predict --master local[2]
  ./convkit spark predict --master 'local[2]' --engine torch --checkpoint "$work/resnet18-cifar" --input "$images" \
    --out "$work/spark-out" --force --batch-size 64 2> "$work/spark.err" >/dev/null
  t2="$(date +%s.%N)"
  s_work="$(sed -n 's/.*the job ran \([0-9.]*\) s.*/\1/p' "$work/spark.err" | tail -n 1)"
  s_listed="$(sed -n 's/.*listed in \([0-9.]*\) s.*/\1/p' "$work/spark.err" | tail -n 1)"
  rows="$(wc -l < "$work/predict.csv")"
  if [[ -z "$p_work" || -z "$s_work" || "$rows" != "$((count + 1))" ]]; then
    echo "bench: run $r failed (predict work: ${p_work:-none}, spark work: ${s_work:-none}, CSV rows: $rows)" >&2
    tail -n 5 "$work/predict.err" "$work/spark.err" >&2
    exit 1
  fi
  rate() { awk -v n="$count" -v s="$1" 'BEGIN {printf "%.1f", n / s}'; }
  ck+=("$(rate "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")")
  sk+=("$(rate "$(awk -v a="$t1" -v b="$t2" 'BEGIN {print b - a}')")")
  cw+=("$(rate "$p_work")"); sw+=("$(rate "$s_work")")
  rc+=("$(awk -v x="${sk[-1]}" -v y="${ck[-1]}" 'BEGIN {printf "%.3f", x / y}')")
  rw+=("$(awk -v x="${sw[-1]}" -v y="${cw[-1]}" 'BEGIN {printf "%.3f", x / y}')")
  # the fixed cost of each command: its wall time minus its work
  pf+=("$(awk -v a="$t0" -v b="$t1" -v w="$p_work" 'BEGIN {printf "%.1f", b - a - w}')")
  sf+=("$(awk -v a="$t1" -v b="$t2" -v w="$s_work" 'BEGIN {printf "%.1f", b - a - w}')")
  sl+=("${s_listed:-0}")
  echo "  run $r: predict ${ck[-1]} img/s (work ${cw[-1]}), spark local[2] ${sk[-1]} img/s (work ${sw[-1]})" >&2
done

m() { printf '%s\n' "$@" | median; }
spark_work="$(m "${sw[@]}")"
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores"
table() {
  echo "### Spark: spark predict vs predict (bench/spark.sh), $started — $machine"
  echo
  echo "bench/spark.sh --runs $runs --count $count; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+changes'); resnet18 --stem cifar, batch 64, OMP_WAIT_POLICY=$omp; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| measure | convkit predict img/s | spark predict local[2] img/s | ratio spark / predict |"
  echo "|---|---|---|---|"
  printf '| whole command | %s | %s | **%s** |\n' "$(m "${ck[@]}")" "$(m "${sk[@]}")" "$(m "${rc[@]}")"
  printf '| work alone | %s | %s | **%s** |\n' "$(m "${cw[@]}")" "$spark_work" "$(m "${rw[@]}")"
  echo
  echo "Fixed cost per command (wall time minus the work; medians): predict $(m "${pf[@]}") s, spark predict"
  echo "$(m "${sf[@]}") s (of which the driver's listing $(m "${sl[@]}") s)."
  echo
  echo "On paper, 100 million images at the work rate of one 2-core executor ($spark_work img/s), the driver's"
  echo "listing and Spark's start-up left out:"
  echo
  echo "| executors (2 cores each) | hours | executor-hours |"
  echo "|---|---|---|"
  for n in 10 50 100 500; do
    awk -v n="$n" -v r="$spark_work" 'BEGIN {h = 1e8 / (n * r) / 3600; printf "| %d | %.2f | %.0f |\n", n, h, h * n}'
  done
}
if [[ $quick == 1 ]]; then
  table
else
  { echo; table; } | tee -a bench/RESULTS.md
fi
