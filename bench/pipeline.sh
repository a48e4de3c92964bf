#!/usr/bin/env bash
# Input-pipeline benchmark: convkit's Loader vs torchvision's DataLoader (same worker count),
# decode + augment + normalize only (no model), on real JPEGs, runs alternating A B A B.
#   small: CIFAR-10 train JPEGs (shared/datasets), RandomCrop(32, pad 4) + flip + normalize
#   large: photos from Debian's mate-backgrounds cut into ImageNet-sized JPEGs (~500x375),
#          RandomResizedCrop(224) + flip + normalize
# Also the single-thread decoder comparison (OpenCV, ImageIO+TwelveMonkeys, PIL).
# Usage: bench/pipeline.sh [WORKERS=2] [ROUNDS=3]. Needs /usr/bin/python3 with torch+torchvision.
# Environment: BENCH_KINDS="small large", BENCH_DECODERS=1 (0 skips the decoder table),
# BENCH_JAVA_OPTS (e.g. -Dconvkit.decoder.turbojpeg=false to measure without libturbojpeg0).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
workers="${1:-2}"
rounds="${2:-3}"
py=/usr/bin/python3
# the CIFAR-10 JPEGs and the photo crops, prepared once and shared with run.sh
source bench/data.sh # and bench/lib.sh
bench_classpath
# shellcheck disable=SC2086
java_run() { ck_java ${BENCH_JAVA_OPTS:-} -cp "$cp" "$@" 2>/dev/null; }

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# java options: ${BENCH_JAVA_OPTS:-none}; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ "${BENCH_DECODERS:-1}" == 1 ]]; then
  echo "## Decoders (1 thread, img/s)"
  for d in "$BENCH_DATA/cifar/train" "$BENCH_DATA/photos" "$PHOTOS_SRC"; do
    java_run org.convkit.bench.DecoderBench "$d" 5000 "$rounds" | grep median
    with_env "$py" bench/pipeline_torch.py decode "$d" 5000 "$rounds" | grep median
  done
fi

echo "## Pipeline ($workers workers, img/s of the second epoch; rounds alternate convkit, torchvision)"
for kind in ${BENCH_KINDS:-small large}; do
  if [[ $kind == small ]]; then dir="$BENCH_DATA/cifar/train"; spec="randomcrop=32:padding=4,hflip,normalize=cifar10"; batch=256; epochs=2
  else dir="$BENCH_DATA/photos"; spec="randomresizedcrop=224,hflip,normalize=cifar10"; batch=64; epochs=3; fi
  j=(); t=()
  for r in $(seq "$rounds"); do
    j+=("$(java_run org.convkit.bench.PipelineBench "$dir" "$spec" "$workers" "$batch" "$epochs" | tail -1 | awk '{print $(NF-1)}')")
    t+=("$(with_env "$py" bench/pipeline_torch.py "$dir" "$kind" "$workers" "$batch" "$epochs" 2>/dev/null | tail -1 | awk '{print $(NF-1)}')")
    echo "$kind round $r: convkit ${j[-1]} img/s, torchvision ${t[-1]} img/s"
  done
  jm=$(printf '%s\n' "${j[@]}" | median); tm=$(printf '%s\n' "${t[@]}" | median)
  echo "$kind median: convkit $jm img/s, torchvision $tm img/s, ratio $(awk -v a="$jm" -v b="$tm" 'BEGIN {printf "%.2f", a/b}')x"
done
