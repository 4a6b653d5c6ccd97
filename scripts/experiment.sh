#!/usr/bin/env bash
# The robust-fairness experiment on Fashion-MNIST: standard, PGD-AT, TRADES, Fast-AT, HAM (weighted),
# HAM (uniform) for N seeds, evaluated class-wise (clean, PGD-20, CW∞-20); writes each run's
# report.json under bench-results/experiment/<method>-seed<s>/, then docs/results.md and
# docs/results-per-class.png. All options: bash scripts/experiment.sh --help
#
#   bash scripts/experiment.sh                 the default experiment: tiny-cnn, 8000 training examples, 6 epochs,
#                                              full test set, 3 seeds, TRADES β 1 (about 17 min on 2 idle cores)
#   bash scripts/experiment.sh --estimate      time a few batches and project the duration of these settings
#   bash scripts/experiment.sh --resume        continue an interrupted experiment
#   smoke test (a few minutes):
#   bash scripts/experiment.sh --train-subset 256 --epochs 1 --seeds 1 --test-subset 200 \
#        --model tiny-cnn --out bench-results/smoke --docs bench-results/smoke
set -euo pipefail
cd "$(dirname "$0")/.."
export DJL_OFFLINE=true
# scripts/sweep.sh runs the sweep's main through this script and names its own command
export HAM_BENCH_COMMAND="${HAM_BENCH_COMMAND:-bash scripts/experiment.sh${*:+ $*}}"
mvn -B -q -ntp compile dependency:build-classpath -pl services/ham-bench -am \
    -Dmdep.outputFile=target/runtime.classpath -Dmdep.includeScope=runtime >&2
cp="services/ham-bench/target/classes:services/ham-core/target/classes:$(cat services/ham-bench/target/runtime.classpath)"
exec java -Dai.djl.offline=true -Djava.awt.headless=true -Xmx6g -cp "$cp" "${HAM_EXPERIMENT_MAIN:-org.hamkafka.bench.Experiment}" "$@"
