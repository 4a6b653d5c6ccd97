#!/usr/bin/env bash
# The robust-fairness experiment on Fashion-MNIST: standard, PGD-AT, TRADES, Fast-AT, HAM (weighted),
# HAM (uniform), HAM on TRADES for N seeds, evaluated class-wise (clean, PGD-20, CW∞-20 on the full test set,
# AutoAttack standard on 1000), with a learning curve and the over-confidence share after every epoch; writes
# each run's report.json, report-autoattack.json and curve.json under bench-results/experiment/<method>-seed<s>/
# as it goes, then docs/results.md and its charts. All options: bash scripts/experiment.sh --help
#
#   bash scripts/experiment.sh --resume        the experiment (smallcnn-w0.125, 20000 training examples, 5 epochs,
#                                              3 seeds; about 4 h on 2 idle cores); --resume skips finished runs
#                                              (refusing one trained with other settings), so it can be stopped
#                                              and started again
#   bash scripts/experiment.sh --estimate      time a few batches and project the duration of these settings
#   smoke test (a few minutes):
#   bash scripts/experiment.sh --train-subset 256 --epochs 1 --seeds 1 --test-subset 200 --autoattack none \
#        --model tiny-cnn --curve-subset 100 --out bench-results/smoke --docs bench-results/smoke
#   the same experiment for CIFAR-10 with PreAct ResNet-18 at the paper's settings, for a GPU:
#   bash scripts/experiment.sh --resume --dataset cifar10 --model preact-resnet18 --train-subset 0 --epochs 120 \
#        --warmup-epochs 50 --drop-step 3 --trades-beta 6 --device gpu --out bench-results/cifar10 --docs bench-results/cifar10
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/malloc-env.sh
export DJL_OFFLINE=true
# scripts/sweep.sh runs the sweep's main through this script and names its own command
export HAM_BENCH_COMMAND="${HAM_BENCH_COMMAND:-bash scripts/experiment.sh${*:+ $*}}"
mvn -B -q -ntp compile dependency:build-classpath -pl services/ham-bench -am \
    -Dmdep.outputFile=target/runtime.classpath -Dmdep.includeScope=runtime >&2
cp="services/ham-bench/target/classes:services/ham-core/target/classes:$(cat services/ham-bench/target/runtime.classpath)"
exec java -Dai.djl.offline=true -Djava.awt.headless=true -Xmx6g -cp "$cp" "${HAM_EXPERIMENT_MAIN:-org.hamkafka.bench.Experiment}" "$@"
