#!/usr/bin/env bash
# Shared by the bench scripts (source it from the repository root): the benchmark classpath, the
# runtime environment both sides get, convkit's JVM as the launcher starts it, and one median.

# a module's classes + test classes (the bench drivers) + dependencies, compiled first (offline
# when Maven's cache has all); the module is convkit-core unless named (bench_classpath convkit-onnx)
bench_classpath() {
  local m="${1:-convkit-core}"
  mvn -q -B -o -pl $m -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp >/dev/null 2>&1 \
    || mvn -q -B -pl $m -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp >&2
  cp="$m/target/classes:$m/target/test-classes:$(cat $m/target/bench.cp)"
}

# Debian's dataset-fashion-mnist
FASHION_MNIST=/usr/share/datasets/fashion-mnist

# the same allocator on both sides: jemalloc keeps freed activation memory mapped (see ./convkit)
jemalloc=""
for lib in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2; do
  [[ -r "$lib" ]] && jemalloc="$lib" && break
done
malloc_conf="oversize_threshold:0,dirty_decay_ms:-1,muzzy_decay_ms:-1"
# and the launcher's OpenMP setting: passive waiting (libgomp's spinning starves a preempted sibling
# thread on shared cores; see the Training section of bench/RESULTS.md). PyTorch 1.13 uses libgomp
# too, so both sides get it.
omp="${OMP_WAIT_POLICY:-PASSIVE}"

# runs a command (either side) in that environment
with_env() {
  env ${jemalloc:+LD_PRELOAD=$jemalloc MALLOC_CONF=$malloc_conf} OMP_WAIT_POLICY="$omp" "$@"
}

# convkit's JVM with the launcher's settings (./convkit): extra JVM flags first, then the class
# shellcheck disable=SC2086
ck_java() { with_env java -Xss4m -Xmn128m -Dai.djl.offline=true -Dai.djl.pytorch.num_interop_threads=1 "$@"; }

# the median of numbers on stdin, one per line (the mean of the middle two for an even count)
median() {
  sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else printf "%.4g\n", (a[NR/2]+a[NR/2+1])/2}'
}
