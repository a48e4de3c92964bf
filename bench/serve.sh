#!/usr/bin/env bash
# Serving, side by side in one run: bench/serve.sh [--quick] [--runs N] [--models "resnet18 fm"] [--engine E]
#
# For each model (resnet18 at 224 on 500x375 JPEG photos; the Fashion-MNIST network, simplecnn
# 32,64 + FC 128 at 1x28x28, on 28x28 PNGs), at 1, 8 and 32 concurrent clients (one image per
# request, the raw body, keep-alive connections; org.convkit.bench.ServeLoad, the same client for
# every server), measures images/s and p50/p99 latency of:
#   convkit batch   convkit serve, dynamic batching on (--max-batch 32 --max-wait-ms 5)
#   convkit single  convkit serve, batching off (--max-batch 1)
#   pytorch         bench/serve_torch.py: http.server + torch, a forward pass per request
# and, as the ceiling, convkit predict's offline throughput on the same images (--batch-size 32,
# its own img/s). Both sides run the same weights (made by serve_torch.py make-models), the same
# evaluation transforms (the ones convkit's server reports in /v1/model), 2 compute threads,
# jemalloc and passive OpenMP waiting (bench/lib.sh). Servers run one at a time; each measurement
# is repeated --runs times (default 3), the sides taking turns within a run, and the median is
# reported. Ratios: batch / offline (how close batching gets to the ceiling), convkit / PyTorch.
# convkit's side runs on --engine E (default torch, libtorch: what the tables before 2026-12-07
# measured; convkit's own default is auto, ONNX Runtime where it passed its self-check: pass
# --engine auto or onnx to measure that), for the servers and the offline predict alike.
# --quick: a handful of requests, one run, no figures kept (a smoke test that everything starts).
# A full run appends its table to bench/RESULTS.md with date, machine, versions and load.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

quick=0
runs=3
models="resnet18 fm"
engine=torch
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --runs) runs="$2"; shift ;;
    --models) models="$2"; shift ;;
    --engine) engine="$2"; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "bench/serve.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $quick == 1 ]] && runs=1
clients_list="1 8 32"
threads="${BENCH_THREADS:-2}"

py=/usr/bin/python3
"$py" -c 'import torch, torchvision, PIL' 2>/dev/null \
  || { echo "bench/serve.sh: needs Debian's python3-torch, python3-torchvision and python3-pil" >&2; exit 1; }
source bench/data.sh # BENCH_DATA with photos/; bench/lib.sh (with_env, ck_java, median)

echo "bench: building the convkit jar and the load client ..." >&2
(mvn -q -B -o -DskipTests -pl convkit-cli -am package >/dev/null 2>&1 || mvn -q -B -DskipTests -pl convkit-cli -am package >&2)
jar="$(ls -t convkit-cli/target/convkit-cli-*-all.jar | head -n 1)"
m=convkit-serve
mvn -q -B -o -pl $m -am test-compile >/dev/null 2>&1 || mvn -q -B -pl $m -am test-compile >&2
mvn -q -B -o -pl $m dependency:build-classpath -Dmdep.outputFile=target/serve-bench.cp >/dev/null 2>&1 \
  || mvn -q -B -pl $m dependency:build-classpath -Dmdep.outputFile=target/serve-bench.cp >&2
load_cp="$m/target/test-classes:$(cat $m/target/serve-bench.cp)"

# inputs: the weights both sides serve, and the images
work="$BENCH_DATA/serve"
mkdir -p "$work"
[[ -f "$work/resnet18.pth" && -f "$work/fm-simplecnn.pth" ]] || with_env "$py" bench/serve_torch.py make-models "$work"
if [[ ! -d "$work/photos" ]]; then
  mkdir -p "$work/photos.tmp"
  for f in "$BENCH_DATA"/photos/*/*.jpg; do ln -s "$f" "$work/photos.tmp/$(basename "$(dirname "$f")")-$(basename "$f")"; done
  mv "$work/photos.tmp" "$work/photos"
fi
if [[ ! -d "$work/fm-png" ]]; then
  "$py" - "$FASHION_MNIST" "$work/fm-png" <<'PY'
import gzip, os, sys
import numpy as np
from PIL import Image
src, out = sys.argv[1], sys.argv[2]
x = np.frombuffer(gzip.open(os.path.join(src, "t10k-images-idx3-ubyte.gz")).read(), np.uint8, offset=16).reshape(-1, 28, 28)
os.makedirs(out + ".tmp", exist_ok=True)
for i in range(500):
    Image.fromarray(x[i]).save(os.path.join(out + ".tmp", "%04d.png" % i))
os.rename(out + ".tmp", out)
PY
fi

# per model: convkit's model flags, the images, how many requests (measured, warm-up)
model_flags() {
  case "$1" in
    resnet18) echo "--model resnet18 --weights $work/resnet18.pth" ;;
    fm) echo "--model simplecnn --arch 32,64 --fc 128 --input-shape 1x28x28 --classes 10 --weights $work/fm-simplecnn.pth --class-names @$work/fm-classes.txt --normalize fashion-mnist" ;;
  esac
}
torch_name() { case "$1" in resnet18) echo resnet18 ;; fm) echo fm-simplecnn ;; esac; }
images_of() { case "$1" in resnet18) echo "$work/photos" ;; fm) echo "$work/fm-png" ;; esac; }
counts_of() { # requests warmup
  if [[ $quick == 1 ]]; then echo "12 4"; else case "$1" in resnet18) echo "320 32" ;; fm) echo "4000 400" ;; esac; fi
}

port=18181
log="$(mktemp -d /tmp/convkit-serve-bench.XXXX)"
server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]]; then
    # the server is the background subshell's child (env execs java or python): SIGTERM it, then
    # the subshell; convkit's server drains and exits 0
    local children
    children="$(pgrep -P "$server_pid" 2>/dev/null || true)"
    if [[ -n "$children" ]]; then
      # shellcheck disable=SC2086
      kill -TERM $children 2>/dev/null || true
    else
      kill -TERM "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true # the subshell ends when its server has
    server_pid=""
  fi
}
trap stop_server EXIT

wait_ready() {
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "bench: the server died:" >&2; cat "$1" >&2; exit 1; }
    sleep 0.2
  done
  echo "bench: the server did not get ready in 2 minutes" >&2; cat "$1" >&2; exit 1
}

# starts one side's server for a model: convkit-batch | convkit-single | pytorch
start_server() {
  local side="$1" model="$2"
  local out="$log/$side-$model.log"
  case "$side" in
    convkit-batch|convkit-single)
      local batch=32
      [[ $side == convkit-single ]] && batch=1
      # shellcheck disable=SC2046
      ck_java -jar "$jar" serve --engine "$engine" $(model_flags "$model") --port "$port" --max-batch "$batch" --max-wait-ms 5 \
        --queue 512 >"$out" 2>&1 &
      ;;
    pytorch)
      with_env "$py" bench/serve_torch.py serve --model "$(torch_name "$model")" --weights "$work/$(torch_name "$model").pth" \
        --port "$port" --transforms "$transforms" --mean "$mean" --std "$std" --threads "$threads" >"$out" 2>&1 &
      ;;
  esac
  server_pid=$!
  wait_ready "$out"
}

load() { # clients requests warmup images -> "img_s p50 p99 errors"
  java -cp "$load_cp" org.convkit.bench.ServeLoad "url=http://127.0.0.1:$port/v1/predict" "images=$4" \
    "clients=$1" "requests=$2" "warmup=$3" | sed -n 's/^RESULT .*errors=\([0-9]*\) .*img_s=\([0-9.]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\)$/\2 \3 \4 \1/p'
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u +%Y-%m-%dT%H:%MZ)"
declare -A res   # res[model,side,clients] = lines "img_s p50 p99 errors", one per run
declare -A offline
for model in $models; do
  imgs="$(images_of "$model")"
  read -r requests warmup <<<"$(counts_of "$model")"
  # the evaluation transforms and normalization convkit uses: the PyTorch side applies the same
  start_server convkit-batch "$model"
  card="$(curl -s "http://127.0.0.1:$port/v1/model")"
  stop_server
  transforms="$("$py" -c 'import json,sys; print(json.load(sys.stdin)["transforms"])' <<<"$card")"
  mean="$("$py" -c 'import json,sys; print(",".join(str(v) for v in json.load(sys.stdin)["normalization"]["mean"]))' <<<"$card")"
  std="$("$py" -c 'import json,sys; print(",".join(str(v) for v in json.load(sys.stdin)["normalization"]["std"]))' <<<"$card")"
  echo "bench: $model: transforms $transforms, mean $mean, std $std; $requests requests per measurement" >&2

  for run in $(seq 1 "$runs"); do
    # the ceiling: predict over the same images, offline, batch 32, its own img/s
    # shellcheck disable=SC2046
    rate="$(ck_java -jar "$jar" predict --engine "$engine" $(model_flags "$model") --input "$imgs" --out "$log/offline.csv" --batch-size 32 2>&1 \
      | tr '\r' '\n' | sed -n 's/.* \([0-9.]*k\{0,1\}\) img\/s.*/\1/p' | tail -n 1)"
    [[ "$rate" == *k ]] && rate="$(awk -v r="${rate%k}" 'BEGIN {print r * 1000}')"
    offline[$model]+="$rate"$'\n'
    echo "bench: $model run $run: offline predict $rate img/s" >&2
    for side in convkit-batch convkit-single pytorch; do
      start_server "$side" "$model"
      for c in $clients_list; do
        r="$(load "$c" "$requests" "$warmup" "$imgs")"
        echo "bench: $model run $run $side $c clients: img/s p50 p99 errors = $r" >&2
        res[$model,$side,$c]+="$r"$'\n'
      done
      stop_server
    done
  done
done

col() { awk -v k="$1" 'NF {print $k}'; } # the k-th field of each line
med() { col "$2" <<<"$1" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }

table="| model | clients | offline predict img/s | convkit batch img/s (p50/p99 ms) | convkit no batching img/s (p50/p99 ms) | PyTorch img/s (p50/p99 ms) | batch / offline | batch / PyTorch | no batching / PyTorch |
|---|---|---|---|---|---|---|---|---|"
for model in $models; do
  off="$(col 1 <<<"${offline[$model]}" | median)"
  for c in $clients_list; do
    b="${res[$model,convkit-batch,$c]}"; s="${res[$model,convkit-single,$c]}"; t="${res[$model,pytorch,$c]}"
    bi="$(med "$b" 1)"; si="$(med "$s" 1)"; ti="$(med "$t" 1)"
    errs="$(col 4 <<<"$b$s$t" | awk '{s += $1} END {print s + 0}')"
    table+=$'\n'"| $model | $c | $off | $bi ($(med "$b" 2)/$(med "$b" 3)) | $si ($(med "$s" 2)/$(med "$s" 3)) | $ti ($(med "$t" 2)/$(med "$t" 3)) | **$(ratio "$bi" "$off")** | **$(ratio "$bi" "$ti")** | $(ratio "$si" "$ti") |"
    [[ $errs -gt 0 ]] && echo "bench: $model $c clients: $errs failed requests (see $log)" >&2
  done
done
echo "$table"

if [[ $quick == 1 ]]; then
  echo "bench: --quick: a smoke test, figures not kept" >&2
else
  machine="$(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
  versions="java $(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p'); $("$py" -c 'import torch, torchvision; print("PyTorch", torch.__version__, "+ torchvision", torchvision.__version__)')"
  {
    echo
    echo "### Serving — $started — $machine"
    echo
    echo "bench/serve.sh --runs $runs --engine $engine: $versions; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+changes'); threads $threads, OMP_WAIT_POLICY=$omp; medians of $runs runs; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "$table"
  } >>bench/RESULTS.md
  echo "bench: appended to bench/RESULTS.md" >&2
fi
