#!/usr/bin/env bash
# Measurements of ham-bench, never part of `mvn verify`. Results go to bench-results/.
#
#   bash scripts/bench.sh attack [JMH options]   attack throughput (PGD-10, early-drop PGD 10/3; smallcnn,
#                                                preact-resnet18; 1x28x28 and 3x32x32) + matmul peak, JMH
#   bash scripts/bench.sh matmul [JMH options]   the matmul peak alone
#   bash scripts/bench.sh threads [JMH options]  one PGD-10 call from the same thread vs rotated over 2 or 8 threads
#   bash scripts/bench.sh codec [JMH options]    the tensor messages' wire formats: JSON v1 with base64 gzip
#                                                vs the binary envelope v2 (raw, lz4, zstd); encode/decode time, then bytes
#   bash scripts/bench.sh conv [--rounds N] [arch ...]  convolutions on the engine's channels vs block-aligned ones
#                                                (ConvCostMain; under DNNL_MAX_CPU_ISA=SSE41 for the ISA cap's cost)
#   bash scripts/bench.sh passes [options]       pass accounting per HAM batch (PassAccountingMain --help)
#   bash scripts/bench.sh ham-vs-pgd [options]   HAM vs PGD-AT wall time in one JVM, stepped in turn, and what each
#                                                pass kind costs per row (HamVsPgdMain --help)
#   bash scripts/bench.sh epoch [options]        where an in-process PGD-AT epoch's time goes, piece by piece, and
#                                                PGD alone on one batch (EpochBreakdownMain --help)
#   bash scripts/bench.sh autoattack [options]   passes and seconds per 1000 test examples of PGD-20 and the
#                                                AutoAttack presets on a briefly PGD-trained model (AutoAttackCostMain --help)
#   bash scripts/bench.sh distributed [options]  one HAM job in-process vs through the local stack with 1 and
#                                                2 attack workers (DistributedBench --help)
#   bash scripts/bench.sh attack-memory [--batches 1000]  attack-service RSS over N requests (AttackMemoryBench --help)
#   bash scripts/bench.sh reliability [options]  faults injected into a supervised local stack while a job trains
#                                                (kill -9 of each service, floods, fuzz, forgery; ReliabilityMain --help)
#   bash scripts/bench.sh after-autoattack [options]  two seeds of PGD-AT in one JVM, the second training after the
#                                                first's AutoAttack on 1000 examples (ex/s per epoch and evaluation
#                                                seconds in the log)
#   bash scripts/bench.sh eval-memory [--heap 2g] [--out DIR] [eval options]  resident memory of one `ham.sh eval`
#                                                at eval-service's batch (200) and the heap of its 4 GiB pod (2g; the
#                                                dev overlay's 2 GiB pod: 1g): VmRSS and VmHWM every 2 s to
#                                                DIR/rss.tsv (bench-results/eval-memory), the peak at the end
#   bash scripts/bench.sh stack-memory [--heap 1g] [--out DIR] [run.sh options]  scripts/run.sh with every service's
#                                                heap capped (1g: the dev overlay's 2 GiB pods); each service's VmRSS
#                                                and VmHWM every 2 s to DIR/samples.tsv (bench-results/stack-memory),
#                                                the peaks and Vert.x's 'Thread blocked' warnings at the end
#
# JMH options are passed through, e.g. a quick check:
#   bash scripts/bench.sh attack -p model=smallcnn -p shape=fashion-mnist -wi 0 -i 1 -r 5s
# distributed and attack-memory build the services' fast-jars first (HAM_SKIP_BUILD=1 skips that).
# Leave the machine otherwise idle while measuring figures you will quote.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/malloc-env.sh
what="${1:-}"
[ -n "$what" ] && shift
export DJL_OFFLINE=true
export HAM_BENCH_COMMAND="${MALLOC_ARENA_MAX:+MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX }bash scripts/bench.sh $what${*:+ $*}"
mkdir -p bench-results

classpath() {
  # compile ham-bench and the modules it uses in the reactor (no install) and write its runtime classpath
  # (the reactor's modules appear in it as their target/classes)
  mvn -B -q -ntp compile dependency:build-classpath -pl services/ham-bench -am \
      -Dmdep.outputFile=target/runtime.classpath -Dmdep.includeScope=runtime >&2
  echo "services/ham-bench/target/classes:$(cat services/ham-bench/target/runtime.classpath)"
}

# --heap H and --out DIR, first among a memory bench's options, defaults $1 and $2; sets heap, out and rest
memory_options() {
  heap="$1" out="$2"
  shift 2
  while [ $# -gt 0 ]; do
    case "$1" in
      --heap) heap="$2"; shift 2 ;;
      --out) out="$2"; shift 2 ;;
      *) break ;;
    esac
  done
  rest=("$@")
}

# "VmRSS<tab>VmHWM" of a process, in kB (VmHWM: the kernel's own high-water mark); nothing once it has gone
memory_of() {
  awk '/^VmRSS/ {r = $2} /^VmHWM/ {h = $2} END {if (r != "") printf "%s\t%s", r, h}' "/proc/$1/status" 2>/dev/null \
    || true
}

run_jmh() {
  local name="$1"; shift
  local cp; cp="$(classpath)"
  java -Dai.djl.offline=true -cp "$cp" org.openjdk.jmh.Main "$@" \
       -rf json -rff "bench-results/$name-jmh.json" -o "bench-results/$name-jmh.txt"
  java -Dai.djl.offline=true -cp "$cp" org.hamkafka.bench.JmhSummary \
       "bench-results/$name-jmh.json" "bench-results/$name-summary" "$HAM_BENCH_COMMAND"
}

stack_main() {
  # the services' fast-jars and ham-bench's target/lib (ham-local-stack and ham-core among them)
  local main="$1"; shift
  if [ "${HAM_SKIP_BUILD:-}" != "1" ]; then
    echo "building (mvn -B -q -ntp package -DskipTests) ..." >&2
    mvn -B -q -ntp package -DskipTests >&2
  fi
  local bench="services/ham-bench/target"
  java -Dai.djl.offline=true -Dham.repo.dir="$(pwd)" -cp "$bench/classes:$bench/lib/*" "$main" "$@"
}

case "$what" in
  attack)
    # JMH runs matching benchmarks; both regexes so the peak and the attacks come from one run
    run_jmh attack 'org.hamkafka.bench.(AttackBenchmark|MatmulBenchmark)' "$@" ;;
  matmul)
    run_jmh matmul 'org.hamkafka.bench.MatmulBenchmark' "$@" ;;
  threads)
    # the same attack from one thread vs handed around 2 or 8 threads (why the services pin theirs)
    cp="$(classpath)"
    java -Dai.djl.offline=true -cp "$cp" org.openjdk.jmh.Main 'org.hamkafka.bench.AttackThreadBenchmark' "$@" \
         -rf json -rff bench-results/threads-jmh.json -o bench-results/threads-jmh.txt
    sed -n '/^Benchmark /,$p' bench-results/threads-jmh.txt ;;
  codec)
    cp="$(classpath)"
    java -cp "$cp" org.openjdk.jmh.Main 'org.hamkafka.bench.CodecBenchmark' "$@" \
         -rf json -rff bench-results/codec-jmh.json -o bench-results/codec-jmh.txt
    sed -n '/^Benchmark /,$p' bench-results/codec-jmh.txt
    java -cp "$cp" org.hamkafka.bench.CodecSizes | tee bench-results/codec-sizes.md ;;
  conv)
    cp="$(classpath)"
    java -Dai.djl.offline=true -cp "$cp" org.hamkafka.bench.ConvCostMain "$@" ;;
  passes)
    cp="$(classpath)"
    java -Dai.djl.offline=true -cp "$cp" org.hamkafka.bench.PassAccountingMain "$@" ;;
  ham-vs-pgd)
    cp="$(classpath)"
    java -Dai.djl.offline=true -Xmx6g -cp "$cp" org.hamkafka.bench.HamVsPgdMain "$@" ;;
  epoch)
    cp="$(classpath)"
    java -Dai.djl.offline=true -Xmx6g -cp "$cp" org.hamkafka.bench.EpochBreakdownMain "$@" ;;
  autoattack)
    cp="$(classpath)"
    java -Dai.djl.offline=true -Xmx6g -cp "$cp" org.hamkafka.bench.AutoAttackCostMain "$@" ;;
  distributed)
    stack_main org.hamkafka.bench.stack.DistributedBench "$@" ;;
  attack-memory)
    stack_main org.hamkafka.bench.stack.AttackMemoryBench "$@" ;;
  reliability)
    stack_main org.hamkafka.bench.stack.ReliabilityMain "$@" ;;
  after-autoattack)
    # what docs/benchmarks.md#training-after-an-autoattack-in-one-process measured: the experiment's main without
    # --run-per-process, small enough for 15 minutes on 2 cores
    cp="$(classpath)"
    rm -rf bench-results/after-autoattack # a trunk left from an earlier run would be reused, untimed
    java -Dai.djl.offline=true -Djava.awt.headless=true -Xmx6g -cp "$cp" org.hamkafka.bench.Experiment \
        --methods pgd-at --seeds 2 --train-subset 4000 --epochs 3 --warmup-epochs 1 --test-subset 500 \
        --autoattack standard --autoattack-subset 1000 --curve-subset 0 --validation-size 0 \
        --out bench-results/after-autoattack --docs bench-results/after-autoattack "$@" ;;
  eval-memory)
    # --heap: the pod's heap (eval-service's image gives the heap half the container's limit: 4 GiB base -> 2g,
    # the dev overlay's 2 GiB -> 1g); --out: where the samples go
    memory_options 2g bench-results/eval-memory "$@"
    set -- ${rest[@]+"${rest[@]}"}
    mkdir -p "$out"
    # ham.sh execs the JVM, so $! is the java process once set-up and build are done
    HAM_JAVA_OPTS="-Xmx$heap ${HAM_JAVA_OPTS:-}" bash scripts/ham.sh eval --batch-size 200 --out "$out/report.json" \
        "$@" > "$out/eval.log" 2>&1 &
    pid=$!
    start=$(date +%s)
    # the peak (VmHWM) is exact up to the last sample's 2 s
    printf 'seconds\tVmRSS_kB\tVmHWM_kB\n' > "$out/rss.tsv"
    while kill -0 "$pid" 2>/dev/null; do
      mem=$(memory_of "$pid")
      [ -n "$mem" ] && printf '%s\t%s\n' "$(( $(date +%s) - start ))" "$mem" >> "$out/rss.tsv"
      sleep 2
    done
    wait "$pid" || { tail -20 "$out/eval.log" >&2; exit 1; }
    grep -a 'fwd/bwd' "$out/eval.log" || true
    echo "peak VmHWM $(awk 'NR > 1 && $3 > m {m = $3} END {printf "%.2f GB", m / 1e6}' "$out/rss.tsv")" \
      "(-Xmx$heap) over $(tail -1 "$out/rss.tsv" | cut -f1) s; $HAM_BENCH_COMMAND" | tee "$out/peak.txt" ;;
  stack-memory)
    # --heap: every service JVM's heap (JAVA_TOOL_OPTIONS; the dev overlay's 2 GiB pods give 1g, the base's 4 GiB 2g)
    memory_options 1g bench-results/stack-memory "$@"
    set -- ${rest[@]+"${rest[@]}"}
    mkdir -p "$out"
    JAVA_TOOL_OPTIONS="-Xmx$heap" bash scripts/run.sh --out "$out/run" "$@" > "$out/run.log" 2>&1 &
    pid=$!
    start=$(date +%s)
    printf 'seconds\tservice\tpid\tVmRSS_kB\tVmHWM_kB\n' > "$out/samples.tsv"
    while kill -0 "$pid" 2>/dev/null; do
      for s in trainer-service attack-service eval-service; do
        for p in $(pgrep -f "/$s/target/quarkus-app/quarkus-run.jar" || true); do
          mem=$(memory_of "$p")
          [ -n "$mem" ] && printf '%s\t%s\t%s\t%s\n' "$(( $(date +%s) - start ))" "$s" "$p" "$mem" >> "$out/samples.tsv"
        done
      done
      sleep 2
    done
    wait "$pid" || { tail -c 2000 "$out/run.log" >&2; exit 1; }
    # each service's peak, its VmRSS half-way and at the end (one that keeps growing shows it there), and Vert.x's
    # "Thread blocked" warnings (a worker thread busy past quarkus.vertx.max-worker-execute-time)
    { awk -F'\t' 'NR > 1 {n[$2]++; r[$2, n[$2]] = $4; if ($5 > m[$2]) m[$2] = $5}
        END {for (s in m) printf "%s peak VmHWM %.2f GB; VmRSS half-way %.2f GB, at the end %.2f GB\n", s, m[s] / 1e6,
             r[s, int((n[s] + 1) / 2)] / 1e6, r[s, n[s]] / 1e6}' "$out/samples.tsv" | sort
      for f in "$out"/run/logs/*-service.log; do
        echo "$(basename "$f" .log): $(grep -c 'Thread blocked' "$f" || true) 'Thread blocked' warnings"
      done
      echo "(-Xmx$heap each) $HAM_BENCH_COMMAND"; } | tee "$out/peak.txt" ;;
  *)
    sed -n '2,/^# JMH options/p' "$0" | sed '$d' >&2 # the usage: the header down to its JMH note
    exit 2 ;;
esac
