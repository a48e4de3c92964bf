#!/usr/bin/env bash
# W6: time to accuracy on Fashion-MNIST, the main job as it comes. Each run: README line 1
# (`./convkit train`, its defaults, plus any flags given here) from a cold JVM to its printed test
# accuracy, then the same resolved recipe (the run's config.json: model, schedule, epochs or
# --budget, precision ...) in PyTorch (bench/torch_recipe.py), from a cold python to its test
# accuracy: the same run holds both sides. Reports per side and run the wall-clock minutes, the test
# accuracy and the validation accuracy after each epoch against wall-clock minutes of training,
# then the medians over the runs.
# Usage: bench/time-to-accuracy.sh [--runs N] [--quick] [--data DIR] [extra convkit train flags ...]
#   e.g. bench/time-to-accuracy.sh --runs 3                      the main job as it comes
#        bench/time-to-accuracy.sh --runs 3 --budget 5m          fitted to 5 minutes (both sides)
#        bench/time-to-accuracy.sh --runs 3 --precision bf16     bfloat16 (PyTorch: CPU autocast)
#        bench/time-to-accuracy.sh --runs 1 --data DIR --model resnet9 --budget 10m
#                                   an image folder instead (DIR/train, DIR/test: the CIFAR-10 JPEGs)
# --quick: one run of one epoch (a smoke test: no figures). Both sides: 2 compute threads, 2 loader
# workers, jemalloc when installed. Only figures from a quiet machine mean anything.
set -euo pipefail
runs=3
data=""
quick=0
flags=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift ;;
    --quick) quick=1 ;;
    --data) data="$2"; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) flags+=("$1") ;;
  esac
  shift
done
[[ $quick == 1 ]] && runs=1 && flags+=(--epochs 1)
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/lib.sh
data_dir="${data:-$FASHION_MNIST}" # Fashion-MNIST unless --data names an image folder
what="${data:+the image folder}"
[[ -d "$data_dir" ]] || { echo "bench/time-to-accuracy.sh: needs ${what:-the Debian package dataset-fashion-mnist} ($data_dir)" >&2; exit 1; }
./convkit --version >/dev/null # the jar is built before any clock starts
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
ck_wall=(); pt_wall=(); ck_acc=(); pt_acc=()
for i in $(seq "$runs"); do
  t0="$(now)"
  ck_out="$(./convkit train --data "$data_dir" --run "r$i" --runs-dir "$work/runs" --threads 2 --workers 2 \
    ${flags[@]+"${flags[@]}"} 2>&1)" || { echo "$ck_out" | tail -n 20 >&2; exit 1; }
  t1="$(now)"
  run="$work/runs/r$i"
  pt_out="$(with_env /usr/bin/python3 bench/torch_recipe.py "$run/config.json" "$data_dir" "$work/torch")"
  t2="$(now)"
  acc="$(grep -o 'test accuracy[^0-9]*[0-9.]*' <<<"$ck_out" | tail -n 1 | grep -o '[0-9.]*$' || echo nan)"
  ck_acc+=("$acc"); pt_acc+=("$(awk '/^TEST acc=/ {sub("TEST acc=", ""); printf "%.2f", 100 * $0}' <<<"$pt_out")")
  ck_wall+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 60}')")
  pt_wall+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.2f", (b - a) / 60}')")
  # validation accuracy after each epoch against minutes of training (the epochs' seconds add up)
  ck_curve="$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
    {t += $c["seconds"]; printf "%s%.1f min %.2f%%", sep, t / 60, 100 * $c["valid_acc"]; sep = ", "}' "$run/metrics.csv")"
  pt_curve="$(sed -n 's/^EPOCH [0-9]* seconds=\([^ ]*\) valid_acc=\(.*\)/\1 \2/p' <<<"$pt_out" \
    | awk '{printf "%s%.1f min %.2f%%", sep, $1 / 60, 100 * $2; sep = ", "}')"
  rows+=("| convkit | $i | ${ck_wall[-1]} | ${ck_acc[-1]}% | $ck_curve |")
  rows+=("| PyTorch | $i | ${pt_wall[-1]} | ${pt_acc[-1]}% | $pt_curve |")
  echo "time-to-accuracy run $i: convkit ${ck_wall[-1]} min ${ck_acc[-1]}%, PyTorch ${pt_wall[-1]} min ${pt_acc[-1]}%" >&2
done
recipe="$(tr -d '\n ' <"$work/runs/r1/config.json" | sed 's/"run".*//; s/[{}"]//g' | cut -c1-240)"
echo "### W6 time to accuracy, ${data:-Fashion-MNIST} — $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores"
echo
echo "\`bench/time-to-accuracy.sh --runs $runs${data:+ --data $data}${flags[*]:+ ${flags[*]}}\`; recipe: $recipe; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)$([[ $quick == 1 ]] && echo '; --quick: a smoke test, not a figure')"
echo
echo "| side | run | wall-clock minutes (cold start to test accuracy) | test accuracy | validation accuracy after each epoch vs minutes of training |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
printf '| **convkit median** | %s runs | **%s** | **%s%%** | |\n' "$runs" "$(printf '%s\n' "${ck_wall[@]}" | median)" "$(printf '%s\n' "${ck_acc[@]}" | median)"
printf '| **PyTorch median** | %s runs | **%s** | **%s%%** | |\n' "$runs" "$(printf '%s\n' "${pt_wall[@]}" | median)" "$(printf '%s\n' "${pt_acc[@]}" | median)"
