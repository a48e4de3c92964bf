#!/usr/bin/env bash
# W6: time to accuracy on Fashion-MNIST, the main job's recipe: `convkit train` with its defaults
# (README command 1), then the same resolved recipe (its runs/NAME/config.json) in PyTorch
# (bench/torch_recipe.py). Prints a Markdown table: minutes until the validation accuracy (the
# held-out share of train, evaluated after every epoch) first reaches 91% and 93%, and the final
# test accuracy. Both sides: 2 compute threads, 2 loader workers, jemalloc.
# Usage: bench/time_to_accuracy.sh [extra convkit train flags; default --epochs 10]
set -euo pipefail
# the 6-epoch default recipe stops near 92.5%: 10 epochs of the same recipe reach 93%
[[ $# -gt 0 ]] || set -- --epochs 10
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/lib.sh
fm="$FASHION_MNIST"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ck_out="$(./convkit train --data "$fm" --run w6 --runs-dir "$work/runs" --threads 2 --workers 2 "$@" 2>&1)"
run="$work/runs/w6"
ck_test="$(grep -i -o 'test accuracy[^0-9]*[0-9.]*%\?' <<<"$ck_out" | tail -n 1 | grep -o '[0-9.]*%\?$' || echo '?')"
pt_out="$(with_env /usr/bin/python3 bench/torch_recipe.py "$run/config.json" "$fm" "$work/torch")"
pt_test="$(sed -n 's/^TEST acc=//p' <<<"$pt_out")"
# minutes until the accuracy column first reaches a threshold; seconds per epoch add up
ck_curve="$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next} {t += $c["seconds"]; print t, $c["valid_acc"]}' "$run/metrics.csv")"
pt_curve="$(sed -n 's/^EPOCH [0-9]* seconds=\([^ ]*\) valid_acc=\(.*\)/\1 \2/p' <<<"$pt_out")"
reach() { awk -v th="$1" '$2 >= th {printf "%.1f", $1 / 60; found = 1; exit} END {if (!found) printf "not reached"}'; }
echo "W6 time to accuracy, Fashion-MNIST, recipe: $(tr -d '\n ' <"$run/config.json" | sed 's/"run".*//; s/[{}"]//g' | cut -c1-200)"
echo
echo "| | minutes to 91% valid | minutes to 93% valid | epochs | total minutes | final valid | test accuracy |"
echo "|---|---|---|---|---|---|---|"
for side in convkit PyTorch; do
  if [[ $side == convkit ]]; then c="$ck_curve"; t="$ck_test"; else c="$pt_curve"; t="$pt_test"; fi
  printf '| %s | %s | %s | %s | %.1f | %s | %s |\n' "$side" "$(reach 0.91 <<<"$c")" "$(reach 0.93 <<<"$c")" \
    "$(wc -l <<<"$c")" "$(tail -n 1 <<<"$c" | awk '{print $1 / 60}')" "$(tail -n 1 <<<"$c" | awk '{print $2}')" "$t"
done
