#!/usr/bin/env bash
# "First try on own photos" (issue 17): `convkit train --data DIR` with no other option on folders
# of real photos, as a new user runs it; the whole command timed (the learning-rate search
# included), the accuracy read from the run folder. Data: /work/shared/datasets (or $DATASETS),
# extracted into a scratch folder (never into the repository):
#   flowers       flowers128: 5 classes, 3,457 train / 860 valid photos at 128x128
#   flowers-300   the same cut to 60 train / 20 valid per class
#   catdog-2000   CIFAR-10 cat and dog JPEGs (32x32), 1,000 train each; test: 500 each
#   catdog-250    the same with 125 train each
# Usage: bench/first_try.sh [--quick] [NAME...]   (default: all four; --quick: catdog-250, 2 epochs)
# Prints one line per run: name, images, accuracy (test split if any, else valid), majority
# share, minutes, and the recipe lines convkit printed.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
if [[ "${1:-}" == "--quick" ]]; then quick=1; shift; fi
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(flowers flowers-300 catdog-2000 catdog-250)
[[ $quick == 1 ]] && names=(catdog-250)
datasets="${DATASETS:-/work/shared/datasets}"
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"
data="$work/data"

prepare() {
  [[ -d "$data/flowers/train" ]] || { mkdir -p "$data/flowers" && tar xzf "$datasets/flowers128-jpg.tar.gz" -C "$data/flowers"; }
  [[ -d "$data/cifar/train" ]] || { mkdir -p "$data/cifar" && tar xzf "$datasets/cifar10-jpg.tar.gz" -C "$data/cifar"; }
  subset() { # from to split class count
    mkdir -p "$2/$3/$4"
    # sed reads to the end: head would close the pipe early and pipefail would end the script on sort's SIGPIPE
    ls "$1/$3/$4" | sort | sed -n "1,${5}p" | while read -r f; do ln -sf "$1/$3/$4/$f" "$2/$3/$4/$f"; done
  }
  # each subset is built under NAME.part and renamed when complete: an interrupted run leaves no
  # half folder that a later run would take as done
  if [[ ! -d "$data/flowers-300" ]]; then
    rm -rf "$data/flowers-300.part"
    for c in $(ls "$data/flowers/train"); do
      subset "$data/flowers" "$data/flowers-300.part" train "$c" 60
      subset "$data/flowers" "$data/flowers-300.part" valid "$c" 20
    done
    mv "$data/flowers-300.part" "$data/flowers-300"
  fi
  for n in 2000 250; do
    [[ -d "$data/catdog-$n" ]] && continue
    rm -rf "$data/catdog-$n.part"
    for c in cat dog; do
      subset "$data/cifar" "$data/catdog-$n.part" train "$c" $((n / 2))
      subset "$data/cifar" "$data/catdog-$n.part" test "$c" 500
    done
    mv "$data/catdog-$n.part" "$data/catdog-$n"
  done
}

prepare
./convkit --version >/dev/null 2>&1 || true # builds the CLI jar once, outside the timing
echo "# bench/first_try.sh $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for name in "${names[@]}"; do
  extra=()
  [[ $quick == 1 ]] && extra=(--epochs 2)
  id="$name-$(date +%Y%m%d-%H%M%S)" # a new run folder each time (a run folder is never overwritten)
  log="$work/$id.log"
  start=$(date +%s.%N)
  ./convkit train --data "$data/$name" --runs-dir "$work/runs" --run "$id" "${extra[@]}" >"$log" 2>&1 \
    || { echo "$name: failed (log $log)"; tail -5 "$log"; continue; }
  end=$(date +%s.%N)
  run="$work/runs/$id"
  acc=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"{100*d['accuracy']:.1f}%\")" \
    "$([[ -f $run/test.json ]] && echo "$run/test.json" || echo "$run/eval.json")")
  major=$(python3 -c "
import json,sys
c=json.load(open(sys.argv[1]))['confusion']; r=[sum(x) for x in c]; print(f'{100*max(r)/sum(r):.1f}%')" \
    "$([[ -f $run/test.json ]] && echo "$run/test.json" || echo "$run/eval.json")")
  printf '%s: accuracy %s (largest class %s), %.1f min\n' "$name" "$acc" "$major" "$(echo "($end - $start) / 60" | bc -l)"
  grep -E '^recipe:|--lr auto: training|diverged|no better than' "$log" | sed 's/^/    /'
done
echo "# run folders and logs: $work"
