#!/usr/bin/env bash
# Multi-digit street numbers, Tianchi/SVHN style (README: "Fine-tuning, lr-find, sequences").
#
# Generates 1-4 digit numbers drawn with Java2D fonts (varied size, position, colour, noise) in the
# Tianchi layout, trains four heads over one backbone (11 classes per head: 0-9 and blank; the loss
# is the mean of the four cross-entropies), prints per-position and whole-sequence accuracy, and
# writes predictions as digit strings without blanks.
#
# Usage: examples/street-numbers.sh [WORK_DIR]   (default /tmp/convkit-street-numbers)
# About 10 minutes on 2 cores.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
convkit="$here/convkit"
work="${1:-/tmp/convkit-street-numbers}"
threads="${THREADS:-2}"
mkdir -p "$work" && cd "$work"

[[ -f digits/mchar_test.json ]] || "$convkit" data synth-digits digits --train 6000 --valid 1000 --test 1000 \
  --size 40 --max-digits 4 --seed 0
"$convkit" data inspect digits --sheet sheet.png --augment none --per-class 8 >/dev/null

rm -rf runs/digits
"$convkit" train --data digits --model simplecnn --arch 32,64,96 --fc 256 --epochs 8 --batch-size 64 \
  --threads "$threads" --workers "$threads" --seed 0 --runs-dir runs --run digits \
  | grep -v '^epoch [0-9]*/[0-9]* batch'

"$convkit" predict --checkpoint runs/digits --input digits/mchar_test --out predictions.csv
echo "first predictions (id,number):"
sed -n 2,9p predictions.csv
awk -F, 'NR > 1 { n++ } END { print n " numbers predicted" }' predictions.csv
