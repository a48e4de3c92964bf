#!/usr/bin/env bash
# CIFAR-10 from its JPEGs in a time budget (issue 13's CIFAR recipe; result in bench/RESULTS.md,
# "CIFAR-10 from its JPEGs in a time budget"): the photo recipe (resnet9 at width 0.25, AdamW,
# padded crops and flips) with its one-cycle schedule fitted to the budget.
# Usage: examples/cifar10.sh [BUDGET]   (default 10m; e.g. 30m, 1h)
#   CIFAR_JPG: the archive (default /work/shared/datasets/cifar10-jpg.tar.gz: train/ and test/ class folders)
#   WORK: where to extract it and write the run (default: a new temporary folder)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
archive="${CIFAR_JPG:-/work/shared/datasets/cifar10-jpg.tar.gz}"
budget="${1:-10m}"
work="${WORK:-$(mktemp -d)}"
if [[ ! -d "$work/cifar/train" ]]; then
  [[ -f "$archive" ]] || { echo "examples/cifar10.sh: no CIFAR-10 JPEG archive at $archive (set CIFAR_JPG)" >&2; exit 1; }
  mkdir -p "$work/cifar.part" && tar xzf "$archive" -C "$work/cifar.part" && mv "$work/cifar.part" "$work/cifar"
fi
./convkit train --data "$work/cifar" --budget "$budget" --runs-dir "$work/runs"
echo "run folder: $work/runs"
