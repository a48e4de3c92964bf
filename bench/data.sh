#!/usr/bin/env bash
# Prepares the benchmark inputs under $BENCH_DATA (default /tmp/convkit-bench-data) once:
#   cifar/train, cifar/test   CIFAR-10 JPEG ImageFolders from shared/datasets/cifar10-jpg.tar.gz
#   photos/<name>/NN.jpg      real photos (Debian's mate-backgrounds, 1280-2560 px wallpapers) cut
#                             into 25 random ImageNet-sized crops each (~500x375, JPEG q90), 300 files
# Fashion-MNIST is read in place from /usr/share/datasets/fashion-mnist (Debian's IDX gz files).
# Source it (it sets BENCH_DATA) or run it. Needs /usr/bin/python3 with PIL for the photo crops.
set -euo pipefail
bench_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export BENCH_DATA="${BENCH_DATA:-${TMPDIR:-/tmp}/convkit-bench-data}"
source "$bench_here/lib.sh" # FASHION_MNIST
PHOTOS_SRC=/usr/share/backgrounds/mate/nature

bench_tgz=""
for c in "$bench_here/../../shared/datasets/cifar10-jpg.tar.gz" "$bench_here/../shared/datasets/cifar10-jpg.tar.gz" \
    /work/shared/datasets/cifar10-jpg.tar.gz; do
  [[ -f "$c" ]] && bench_tgz="$c" && break
done
# without the archive the CIFAR workloads are skipped (bench/run.sh says so), the others still run
for split in train test; do
  if [[ ! -d "$BENCH_DATA/cifar/$split" ]]; then
    if [[ -z "$bench_tgz" ]]; then
      echo "bench: cifar10-jpg.tar.gz not found (shared/datasets beside the repository): no CIFAR data" >&2
      break
    fi
    mkdir -p "$BENCH_DATA/cifar" && tar xzf "$bench_tgz" -C "$BENCH_DATA/cifar" "$split"
  fi
done
[[ -d "$FASHION_MNIST" ]] || { echo "bench: $FASHION_MNIST missing (Debian's Fashion-MNIST)" >&2; exit 1; }
if [[ ! -d "$BENCH_DATA/photos" ]]; then
  [[ -d "$PHOTOS_SRC" ]] || { echo "bench: $PHOTOS_SRC missing: apt-get install mate-backgrounds" >&2; exit 1; }
  /usr/bin/python3 - "$PHOTOS_SRC" "$BENCH_DATA/photos" <<'PY'
import glob, os, random, sys
from PIL import Image
src, out = sys.argv[1], sys.argv[2]
tmp = out + ".tmp"
rng = random.Random(0)
for f in sorted(glob.glob(os.path.join(src, "*.jpg"))):
    im = Image.open(f).convert("RGB")
    d = os.path.join(tmp, os.path.splitext(os.path.basename(f))[0])
    os.makedirs(d, exist_ok=True)
    for k in range(25):
        w = rng.randint(im.width // 3, im.width)
        h = min(im.height, int(w * rng.uniform(0.6, 0.9)))
        x, y = rng.randint(0, im.width - w), rng.randint(0, im.height - h)
        crop = im.crop((x, y, x + w, y + h))
        s = 500 / max(crop.size)
        crop.resize((round(crop.width * s), round(crop.height * s)), Image.BICUBIC).save(
            os.path.join(d, "%02d.jpg" % k), quality=90)
os.rename(tmp, out)
PY
fi
