#!/usr/bin/env bash
# The robust-fairness experiment on Fashion-MNIST, in the branch design: per seed, PGD-AT trains the first
# --warmup-epochs once (the trunk, the reference HAM script's PGD-AT checkpoint) and every method — PGD-AT and TRADES
# continued, HAM (tanh, uniform), FRL, WAT — trains the remaining epochs from it; 1000 training examples are held out
# as the validation split (for every method). Each run is evaluated class-wise (clean, PGD-20 and CW∞-20 on the full
# test set; PGD-20 and AutoAttack standard — APGD-CE, APGD-T, FAB-T, Square — on 1000 class-balanced test examples),
# with a learning curve; each run's report.json, report-autoattack.json, curve.json and model.npz go under
# bench-results/branches/<method>-seed<s>/ as they come, the trunk under trunk-seed<s>/, then docs/results.md and its
# charts. All options: bash scripts/experiment.sh --help
#
#   bash scripts/experiment.sh --resume        the experiment (smallcnn-w0.125, 20000 training examples, 5 epochs of
#                                              which 2 are the trunk, 3 seeds); --resume skips finished runs (refusing
#                                              one trained with other settings), a branch cut short goes on from its
#                                              last epoch, a trunk is never trained twice
#   bash scripts/experiment.sh --estimate      time a few batches and project the duration of these settings
#   the scratch design of the committed 2-seed table (every method from a fresh model):
#   bash scripts/experiment.sh --design scratch --methods standard,pgd-at,trades,fast-at,ham,ham-uniform,ham-trades \
#        --autoattack apgd --validation-size 0 --seeds 2 --out bench-results/experiment --resume
#   smoke test (a few minutes):
#   bash scripts/experiment.sh --train-subset 256 --epochs 2 --warmup-epochs 1 --seeds 1 --test-subset 200 \
#        --autoattack none --model tiny-cnn --curve-subset 100 --validation-size 100 --out bench-results/smoke \
#        --docs bench-results/smoke
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
# Each run trains and is evaluated in a fresh JVM (measured: training after an AutoAttack evaluation in the same
# process ran at a third to half speed, glibc's allocator after the evaluation's gigabytes; docs/benchmarks.md): the
# main stops with 75 while runs are left and goes on with --resume.
# The first pass takes the options as given; the later ones must resume, so they drop a --resume[=value] of the user's
# (picocli refuses an option given twice; a --resume=false kept alone would train the first run again) and add the
# plain flag.
args=("$@")
while true; do
  rc=0
  java -Dai.djl.offline=true -Djava.awt.headless=true -Xmx6g -cp "$cp" \
      "${HAM_EXPERIMENT_MAIN:-org.hamkafka.bench.Experiment}" --run-per-process "${args[@]}" || rc=$?
  [ "$rc" -eq 75 ] || exit "$rc"
  args=()
  for a in "$@"; do
    [[ "$a" == --resume || "$a" == --resume=* ]] || args+=("$a")
  done
  args+=(--resume)
done
