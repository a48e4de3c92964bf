#!/usr/bin/env bash
# Resize vs CenterCrop on full-size photos (README: "Fine-tuning, lr-find, sequences").
#
# The usual ImageNet evaluation transform, resize=256,centercrop=224, keeps the middle of a wide
# photo and cuts off its sides: whatever stands near the edge (the cat's head) is gone before the
# network sees the image. Squashing the whole photo to 224x224 keeps everything, distorted.
# This draws both contact sheets of the same photos (Debian's mate-backgrounds, 16:10 and 16:9
# wallpapers) so the difference can be seen; convkit's presets use the crop for evaluation above
# 64 px, and --transforms resize=SxS opts into the squash.
#
# Usage: examples/resize-vs-crop.sh [OUT_DIR]   (default /tmp/convkit-resize-vs-crop)
# Needs: apt-get install mate-backgrounds. A few seconds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
convkit="$here/convkit"
out="${1:-/tmp/convkit-resize-vs-crop}"
src=/usr/share/backgrounds/mate
[[ -d $src/nature ]] || { echo "needs $src (apt-get install mate-backgrounds)" >&2; exit 1; }

# an ImageFolder of links: the JPEG photos, by the package's own folders as classes
rm -rf "$out/photos" && mkdir -p "$out/photos"
for c in nature abstract; do
  mkdir -p "$out/photos/$c"
  for f in "$src/$c"/*.jpg; do ln -s "$f" "$out/photos/$c/"; done
done

"$convkit" data inspect "$out/photos" --per-class 12 --sheet "$out/centercrop.png" --transforms resize=256,centercrop=224
"$convkit" data inspect "$out/photos" --per-class 12 --sheet "$out/resize.png" --transforms resize=224x224 >/dev/null
echo "compare $out/centercrop.png (sides cut off) with $out/resize.png (whole photo, squashed)"
