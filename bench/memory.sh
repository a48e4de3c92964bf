#!/usr/bin/env bash
# W7: resident memory after each epoch of a W1 run (lenet, Fashion-MNIST, batch 256, SGD momentum
# 0.9), convkit (Learner) and PyTorch side by side. Flat from epoch 2 on = no leak.
# Usage: bench/memory.sh [EPOCHS=10]; prints a Markdown table. Called by bench/run.sh (W7).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
epochs="${1:-10}"
source bench/lib.sh
bench_classpath
args=(mode=fit model=lenet classes=10 input=1x28x28 data="$FASHION_MNIST" transforms=totensor
  batch=256 workers=2 epochs="$epochs")
ck="$(ck_java \
  -Dai.djl.pytorch.num_threads=2 -cp "$cp" org.convkit.bench.TrainBench "${args[@]}" 2>/dev/null | grep '^EPOCH')"
pt="$(with_env /usr/bin/python3 bench/torch_bench.py threads=2 channels_last=1 "${args[@]}" 2>/dev/null | grep '^EPOCH')"
echo "W7 resident memory (MB) after each epoch, lenet on Fashion-MNIST, batch 256 (img/s in brackets):"
echo
echo "| epoch | convkit RSS | PyTorch RSS (main process) |"
echo "|---|---|---|"
paste -d' ' <(sed 's/.*EPOCH \([0-9]*\) rss_mb=\([^ ]*\) img_s=\([^ ]*\).*/\1 \2 \3/' <<<"$ck") \
  <(sed 's/.*EPOCH \([0-9]*\) rss_mb=\([^ ]*\) img_s=\([^ ]*\).*/\2 \3/' <<<"$pt") |
  awk '{printf "| %s | %s (%s) | %s (%s) |\n", $1, $2, $3, $4, $5}'
