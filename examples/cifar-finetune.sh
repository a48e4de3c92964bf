#!/usr/bin/env bash
# Transfer learning on CIFAR-10, CPU-sized and reproducible (README: "Fine-tuning, lr-find, sequences").
#
#   1. pretrain a narrow ResNet-18 (--stem cifar --width 0.25) on the eight classes that are not
#      cat or dog (2,000 training images each, 4 epochs);
#   2. cat vs dog with 1,000 and with 300 training images per class, the same budget (epochs) four ways:
#      from scratch; fine-tuned (head 1 epoch, then everything at a tenth of the rate); the head
#      alone on cached features (--mode features), with --lr 0.02 and with --lr auto;
#   3. prints one table (test accuracy on the 2,000 cat/dog test images, minutes).
#
# Usage: examples/cifar-finetune.sh [WORK_DIR]   (default /tmp/convkit-cifar-finetune)
# Needs ../shared/datasets/cifar10-jpg.tar.gz (or CIFAR_TGZ=...). About 30 minutes on 2 cores
# (the pretraining is most of it). Runs that finished are kept: run again to finish the rest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
convkit="$here/convkit"
work="${1:-/tmp/convkit-cifar-finetune}"
tgz="${CIFAR_TGZ:-$here/../shared/datasets/cifar10-jpg.tar.gz}"
[[ -f "$tgz" ]] || tgz=/work/shared/datasets/cifar10-jpg.tar.gz
threads="${THREADS:-2}"
common=(--threads "$threads" --workers "$threads" --seed 0 --runs-dir "$work/runs")

mkdir -p "$work"
cd "$work"
if [[ ! -d cifar10/train ]]; then
  echo "extracting $tgz"
  mkdir -p cifar10 && tar xzf "$tgz" -C cifar10
fi

# subsets as folders of symbolic links: the first N files (sorted) of each class
subset() { # subset DEST SPLIT COUNT CLASS...
  local dest=$1 split=$2 count=$3; shift 3
  for c in "$@"; do
    mkdir -p "$dest/$split/$c"
    # sed reads to the end (head would close the pipe early and fail the script under pipefail)
    ls "cifar10/$split/$c" | sort | sed -n "1,${count}p" | sed "s|^|$work/cifar10/$split/$c/|" \
      | xargs ln -sf -t "$dest/$split/$c"
  done
}
others=(airplane automobile bird deer frog horse ship truck)
if [[ ! -f catdog/.complete ]]; then
  rm -rf pretrain8 catdog
  subset pretrain8 train 2000 "${others[@]}"
  subset pretrain8 test 500 "${others[@]}"
  subset catdog train 1000 cat dog
  subset catdog test 1000 cat dog
  touch catdog/.complete
fi
if [[ ! -f catdog300/.complete ]]; then
  rm -rf catdog300
  subset catdog300 train 300 cat dog
  subset catdog300 test 1000 cat dog
  touch catdog300/.complete
fi

timed() { # timed NAME convkit-args... : runs convkit, records minutes
  local name=$1; shift
  local t0=$SECONDS
  if [[ ! -f "runs/$name/test.json" ]]; then
    rm -rf "runs/$name"
    "$convkit" "$@" --run "$name" "${common[@]}" 2>&1 | grep -v '^epoch [0-9]*/[0-9]* batch' | tee "$name.log"
    echo "$(( SECONDS - t0 ))" > "runs/$name/wall_seconds"
  fi
}

model=(--model resnet18 --stem cifar --width 0.25)
epochs=8

timed pretrain8 train --data pretrain8 "${model[@]}" --epochs 4
# cat vs dog with 1,000 and with 300 training images per class (the same 2,000 test images)
for data in catdog catdog300; do
  sfx=${data#catdog}; sfx=${sfx:+-$sfx}
  timed scratch$sfx train --data $data "${model[@]}" --epochs $epochs
  timed finetune$sfx finetune --from runs/pretrain8 --data $data --epochs $epochs --freeze-epochs 1 --unfreeze all \
    --lr 0.02 --backbone-lr-factor 0.1
  timed features$sfx finetune --from runs/pretrain8 --data $data --epochs $epochs --mode features --lr 0.02
  timed features-auto$sfx finetune --from runs/pretrain8 --data $data --epochs $epochs --mode features --lr auto
done

echo
echo "| run | what | cat/dog training images | test accuracy | minutes |"
echo "|---|---|---|---|---|"
for r in pretrain8 scratch finetune features features-auto scratch-300 finetune-300 features-300 features-auto-300; do
  acc=$(grep -o '"accuracy" *: *[0-9.]*' "runs/$r/test.json" | head -1 | grep -o '[0-9.]*$')
  secs=$(cat "runs/$r/wall_seconds")
  case $r in
    *-300) n="600 (540 train + 60 valid)";;
    pretrain8) n="-";;
    *) n="2,000 (1,800 + 200)";;
  esac
  case ${r%-300} in
    pretrain8) what="pretraining: 8 classes (no cat, no dog), 16,000 images, 4 epochs (test: its 8 classes)";;
    scratch) what="from scratch, $epochs epochs";;
    finetune) what="fine-tuned: head 1 epoch, then all stages at 0.1 x lr, $epochs epochs in all";;
    features) what="head only on cached features (--mode features), $epochs epochs, --lr 0.02";;
    features-auto) what="head only on cached features, --lr auto (lr-find first)";;
  esac
  awk -v r="$r" -v w="$what" -v n="$n" -v a="$acc" -v s="$secs" \
    'BEGIN { printf "| %s | %s | %s | %.2f%% | %.1f |\n", r, w, n, 100 * a, s / 60 }'
done
