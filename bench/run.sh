#!/usr/bin/env bash
# convkit vs PyTorch, side by side in one run: bench/run.sh [--quick] [--pairs N] [workload...]
#
# Workloads (default: all of W1-W4 and W7; W5 runs bench/pipeline.sh when present; W6 by name):
#   W1   lenet, Fashion-MNIST 28x28, batch 256, train
#   W2   simplecnn 3x128x128, batch 64, photo ImageFolder, RandomResizedCrop(128) + flip, train
#   W3   resnet18 --stem cifar, CIFAR-10 JPEGs, RandomCrop(32, pad 4) + flip, batch 128, train
#   W3i  the same network, CIFAR-10 test JPEGs, batch 128, inference
#   W4   resnet18 at 224, photos, RandomResizedCrop(224) + flip, batch 32, train
#   W4i  the same network, photos, Resize(256) + CenterCrop(224), batch 64, inference
#   W5   the input pipeline alone (bench/pipeline.sh, owned by the data pipeline)
#   W6   time to accuracy on Fashion-MNIST, the main job as it comes, both sides (bench/time-to-accuracy.sh)
#   W7   resident memory per epoch over a 10-epoch W1 run
#
# Every workload runs convkit (org.convkit.bench.TrainBench: Datasets.open, Loader, Learner) and
# the PyTorch script (bench/torch_bench.py: torchvision datasets/transforms, DataLoader, the usual
# training loop) alternately, A B A B, --pairs times (default 3) in separate processes; each process
# warms up before its clock starts. Both sides: the same model, batch, 2 compute threads, 2 loader
# workers, SGD momentum 0.9, jemalloc preloaded. The ratio is convkit / PyTorch img/s, the median
# of the per-pair ratios (the load on a shared machine moves both sides of a pair alike). The
# CPU-time ratio (PyTorch's CPU seconds per image over convkit's, loader workers included on both
# sides) is a cross-check that other jobs on the machine disturb much less than wall time.
# --baseline "FLAGS": also run convkit with these JVM flags in every pair (e.g.
# "-Dconvkit.engine=nchw": the NCHW fallback) and report its ratio as "before".
# --precision bf16: convkit computes its convolutions in bfloat16 (ONEDNN_DEFAULT_FPMATH_MODE=BF16, what
# --precision bf16 does) and PyTorch runs under its CPU autocast (torch.autocast("cpu", torch.bfloat16));
# with --baseline the third side is convkit in fp32, so "ratio before" / ratio is bf16's gain.
# --quick: one pair of tiny runs of W1 and W3 (a smoke test, about a minute; no figures kept: the
# JIT is still warming up over so few steps, so its ratios read low).
# A full run (no --quick) appends its table to bench/RESULTS.md with date, machine, versions, load.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

quick=0
pairs=3
precision=fp32
baseline=""  # JVM flags that give convkit's behavior before the speed work, run as a third side
sel=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --pairs) pairs="$2"; shift ;;
    --baseline) baseline="$2"; shift ;;
    --precision) precision="$2"; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    W*) sel+=("$1") ;;
    *) echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ ${#sel[@]} -eq 0 ]]; then
  if [[ $quick == 1 ]]; then sel=(W1 W3); else sel=(W1 W2 W3 W3i W4 W4i W5 W7); fi
fi
[[ $quick == 1 ]] && pairs=1
threads="${BENCH_THREADS:-2}"
workers="${BENCH_WORKERS:-2}"

py=/usr/bin/python3
"$py" -c 'import torch, torchvision' 2>/dev/null \
  || { echo "bench/run.sh: needs Debian's python3-torch and python3-torchvision for /usr/bin/python3" >&2; exit 1; }
source bench/data.sh # and bench/lib.sh

echo "bench: compiling ..." >&2
bench_classpath
[[ -n "$jemalloc" ]] || echo "bench: libjemalloc2 not installed: both sides run with glibc malloc" >&2

# the launcher's JVM settings (./convkit), plus the thread count both sides use
# shellcheck disable=SC2086
convkit_cmd() { ck_java ${CK_OPTS:-} -Dai.djl.pytorch.num_threads="$threads" -cp "$cp" org.convkit.bench.TrainBench "$@"; }
# channels-last: measured to help PyTorch 1.13 on every workload here (LeNet, SimpleCnn, ResNet-18)
torch_cmd() { with_env "$py" bench/torch_bench.py threads="$threads" channels_last="${TORCH_CL:-1}" bf16="$bf16" "$@"; }
case "$precision" in
  fp32) bf16=0 ;;
  bf16) bf16=1 ;;
  *) echo "bench/run.sh: --precision fp32 or bf16, not $precision" >&2; exit 2 ;;
esac
# convkit's measured side: in bf16 its JVM is started as `convkit --precision bf16` starts its child
convkit_main() { if [[ $bf16 == 1 ]]; then ONEDNN_DEFAULT_FPMATH_MODE=BF16 convkit_cmd "$@"; else convkit_cmd "$@"; fi; }

field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" | head -n 1; }
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
rows=()
declare -A engines=()  # the engine paths convkit ran (spec and its self-check result)

# one table row: label, then the workload's key=value arguments (torch-only ones after "--")
row() {
  local label="$1"; shift
  local args=() targs=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do args+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift && targs=("$@")
  local ck=() pt=() ratios=() crss=() prss=() pwrss=() cwait=() pwait=() before=() cpur=()
  for p in $(seq "$pairs"); do
    local a b z
    if [[ -n "$baseline" ]]; then
      # convkit as it was before the speed work, in the same pair (see --baseline)
      z="$(CK_OPTS="$baseline" convkit_cmd "${args[@]}" workers="$workers" 2>>"$log" | grep '^RESULT' || true)"
    fi
    a="$(CK_OPTS="${BENCH_JAVA_OPTS:-}" convkit_main "${args[@]}" workers="$workers" 2>>"$log" | grep '^RESULT' || true)"
    b="$(torch_cmd "${args[@]}" "${targs[@]}" workers="$workers" 2>>"$log" | grep '^RESULT' || true)"
    if [[ -z "$a" || -z "$b" ]]; then
      echo "bench: $label pair $p failed (convkit: ${a:-no result}, pytorch: ${b:-no result}); log:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    # which engine path convkit ran: a ratio from a path that failed the self-check is not a result
    engines["$(field engine <<<"$a") ($(field checked <<<"$a"))"]=1
    if [[ "$(field checked <<<"$a")" == "FAILED" ]]; then
      echo "bench: $label: convkit ran $(field engine <<<"$a"), which FAILED the engine self-check here (convkit doctor): not a result" >&2
      return 1
    fi
    ck+=("$(field img_s <<<"$a")"); pt+=("$(field img_s <<<"$b")")
    ratios+=("$(awk -v x="${ck[-1]}" -v y="${pt[-1]}" 'BEGIN {printf "%.3f", x / y}')")
    cpur+=("$(awk -v x="$(field cpu_ms_per_img <<<"$a")" -v y="$(field cpu_ms_per_img <<<"$b")" 'BEGIN {if (x > 0) printf "%.3f", y / x; else print "nan"}')")
    crss+=("$(field rss_mb <<<"$a")"); prss+=("$(field rss_mb <<<"$b")"); pwrss+=("$(field workers_rss_mb <<<"$b")")
    cwait+=("$(field wait <<<"$a")"); pwait+=("$(field wait <<<"$b")")
    if [[ -n "$baseline" && -n "$z" ]]; then
      before+=("$(awk -v x="$(field img_s <<<"$z")" -v y="${pt[-1]}" 'BEGIN {printf "%.3f", x / y}')")
    fi
    echo "  $label pair $p: convkit ${ck[-1]} img/s, pytorch ${pt[-1]} img/s, ratio ${ratios[-1]}, cpu ratio ${cpur[-1]}${z:+, before: $(field img_s <<<"$z") img/s}" >&2
  done
  local r lo hi
  r="$(printf '%s\n' "${ratios[@]}" | median)"
  lo="$(printf '%s\n' "${ratios[@]}" | sort -g | head -n 1)"
  hi="$(printf '%s\n' "${ratios[@]}" | sort -g | tail -n 1)"
  local b="-"
  [[ ${#before[@]} -gt 0 ]] && b="$(printf '%s\n' "${before[@]}" | median)"
  rows+=("$(printf '| %s | %s | %s | **%.2f** (%.2f-%.2f) | %s | %s | %s | %s (+%s workers) | %.1f%% / %.1f%% |' "$label" \
    "$(printf '%s\n' "${ck[@]}" | median)" "$(printf '%s\n' "${pt[@]}" | median)" "$r" "$lo" "$hi" \
    "$(printf '%s\n' "${cpur[@]}" | median)" "$b" \
    "$(printf '%s\n' "${crss[@]}" | median)" "$(printf '%s\n' "${prss[@]}" | median)" \
    "$(printf '%s\n' "${pwrss[@]}" | median)" \
    "$(awk -v w="$(printf '%s\n' "${cwait[@]}" | median)" 'BEGIN {print 100 * w}')" \
    "$(awk -v w="$(printf '%s\n' "${pwait[@]}" | median)" 'BEGIN {print 100 * w}')")")
  echo "${rows[-1]}" >&2
}

q() { if [[ $quick == 1 ]]; then echo "$1"; else echo "$2"; fi; }
fm="$FASHION_MNIST"
cifar="$BENCH_DATA/cifar"
photos="$BENCH_DATA/photos"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u +%Y-%m-%dT%H:%MZ)"
extra=()
for w in "${sel[@]}"; do
  echo "bench: $w" >&2
  if [[ $w == W3* && ! -d "$cifar/test" ]]; then
    echo "bench: $w skipped: no CIFAR-10 JPEGs (shared/datasets/cifar10-jpg.tar.gz)" >&2
    continue
  fi
  case "$w" in
    W1) row "W1 lenet F-MNIST b256 train" mode=train model=lenet classes=10 input=1x28x28 data="$fm" \
          transforms=totensor batch=256 warmup="$(q 20 20)" steps="$(q 20 100)" ;;
    W2) row "W2 simplecnn 128px b64 train" mode=train model=simplecnn classes=12 input=3x128x128 data="$photos" \
          transforms=randomresizedcrop=128,hflip,normalize=imagenet batch=64 warmup="$(q 1 3)" steps="$(q 2 10)" ;;
    W3) row "W3 resnet18-cifar b128 train" mode=train model=resnet18 stem=cifar classes=10 input=3x32x32 \
          data="$cifar" split=train transforms=randomcrop=32:padding=4,hflip,normalize=cifar10 batch=128 \
          warmup="$(q 1 3)" steps="$(q 2 10)" ;;
    W3i) row "W3 resnet18-cifar b128 infer" mode=infer model=resnet18 stem=cifar classes=10 input=3x32x32 \
          data="$cifar" split=test transforms=normalize=cifar10 batch=128 warmup="$(q 1 3)" steps="$(q 2 16)" ;;
    W4) row "W4 resnet18 224 b32 train" mode=train model=resnet18 classes=12 input=3x224x224 data="$photos" \
          transforms=randomresizedcrop=224,hflip,normalize=imagenet batch=32 warmup="$(q 1 3)" steps="$(q 2 10)" ;;
    W4i) row "W4 resnet18 224 b64 infer" mode=infer model=resnet18 classes=12 input=3x224x224 data="$photos" \
          transforms=resize=256,centercrop=224,normalize=imagenet batch=64 warmup="$(q 1 2)" steps="$(q 2 6)" ;;
    W5) extra+=("$(bench/pipeline.sh "$workers" "$pairs" 2>>"$log")") ;;
    W6) extra+=("$(bench/time-to-accuracy.sh 2>>"$log")") ;;
    W7) extra+=("$(bench/memory.sh "$(q 2 10)" 2>>"$log")") ;;
    *) echo "bench/run.sh: unknown workload $w" >&2; exit 2 ;;
  esac
done

versions="java $(java -version 2>&1 | head -n 1 | sed 's/.*"\(.*\)".*/\1/'), DJL $(sed -n 's:.*<djl.version>\(.*\)</djl.version>.*:\1:p' pom.xml), libtorch $(sed -n 's:.*<pytorch.native.version>\(.*\)</pytorch.native.version>.*:\1:p' pom.xml); PyTorch $("$py" -c 'import torch, torchvision; print(torch.__version__, "+ torchvision", torchvision.__version__)'); $(basename "${jemalloc:-glibc malloc}")"
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
table="$(
  echo "### $started — $machine"
  echo
  [[ ${#engines[@]} -gt 0 ]] && echo "engine paths: convkit $(printf '%s; ' "${!engines[@]}")PyTorch channels_last=${TORCH_CL:-1} (convkit's path is the self-check's choice: docs/engine.md)" && echo
  echo "$versions; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+changes'); threads $threads, loader workers $workers, precision $precision, OMP_WAIT_POLICY=$omp, $pairs pairs; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  if [[ ${#rows[@]} -gt 0 ]]; then
    echo "| workload | convkit img/s | PyTorch img/s | ratio (range) | CPU-time ratio | ratio before | convkit peak RSS MB | PyTorch peak RSS MB | data wait convkit / PyTorch |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
  fi
  for e in "${extra[@]}"; do echo; echo "$e"; done
)"
echo
echo "$table"
if [[ $quick == 0 ]]; then
  { echo; echo "$table"; } >>bench/RESULTS.md
  echo "bench: appended to bench/RESULTS.md" >&2
fi
