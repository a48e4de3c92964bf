#!/usr/bin/env bash
# Reading shards vs reading the folder they were packed from: the CIFAR-10 train JPEGs (50,000 files)
# through the same Loader (2 workers, RandomCrop(32, padding 4) + flip + normalize, batch 256), once
# from the ImageFolder and once from `convkit data pack`'s shards, alternating rounds, page cache
# dropped before each round when permitted (else both read from a warm cache). Prints img/s, the
# median ratio and the shards' size against the source files.
# Usage: bench/shards.sh [ROUNDS=3]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${1:-3}"
source bench/data.sh # and bench/lib.sh
bench_classpath
folder="$BENCH_DATA/cifar/train"
shards="$BENCH_DATA/cifar-train-shards"
if [[ ! -f "$shards/manifest.json" ]]; then
  ./convkit data pack "$folder" --out "$shards" >&2
fi
spec="randomcrop=32:padding=4,hflip,normalize=cifar10"
# prints "first-epoch second-epoch" img/s: the first reads from disk (when caches could be
# dropped), the second from the page cache
run() { ck_java -cp "$cp" org.convkit.bench.PipelineBench "$1" "$spec" 2 256 2 2>/dev/null \
  | awk '{printf "%s ", $(NF-1)} END {print ""}'; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
f1=(); f2=(); s1=(); s2=()
for r in $(seq "$rounds"); do
  drop; read -r a b <<<"$(run "$folder")"; f1+=("$a"); f2+=("$b")
  drop; read -r a b <<<"$(run "$shards")"; s1+=("$a"); s2+=("$b")
  echo "round $r: folder ${f1[-1]}/${f2[-1]} img/s, shards ${s1[-1]}/${s2[-1]} img/s (first/second epoch)" >&2
done
m() { printf '%s\n' "$@" | median; }
src_bytes=$(du -sb --apparent-size "$folder" | cut -f1)
shard_bytes=$(du -sb --apparent-size "$shards" | cut -f1)
echo "| epoch | folder img/s | shards img/s | ratio (shards / folder) |"
echo "|---|---|---|---|"
awk -v f="$(m "${f1[@]}")" -v s="$(m "${s1[@]}")" 'BEGIN {printf "| first (after dropping caches) | %s | %s | %.2f |\n", f, s, s / f}'
awk -v f="$(m "${f2[@]}")" -v s="$(m "${s2[@]}")" 'BEGIN {printf "| second (page cache warm) | %s | %s | %.2f |\n", f, s, s / f}'
awk -v a="$src_bytes" -v b="$shard_bytes" 'BEGIN {printf "\nshards / source files: %.2f (%.1f / %.1f MB)\n", b / a, b / 1e6, a / 1e6}'
