#!/usr/bin/env bash
# The main job as a user runs it, timed from a cold JVM to the printed test accuracy, with the
# machine's load before and after (the figure only means something on a quiet machine).
# Usage: bench/main_job.sh [extra train flags...]   e.g. bench/main_job.sh --epochs 8
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/convkit" --version >/dev/null # build the jar first: the timing excludes Maven
runs="$(mktemp -d)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
"$here/convkit" train --runs-dir "$runs" --run main "$@" | tee "$runs/out.txt" | grep -v " batch "
end=$(date +%s.%N)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wall-clock: $(awk "BEGIN{printf \"%.1f\", $end - $start}") s (JVM start, data loading, training, evaluation, report)"
echo "rss per epoch (MiB): $(tail -n +2 "$runs/main/metrics.csv" | cut -d, -f11 | tr '\n' ' ')"
