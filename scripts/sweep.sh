#!/usr/bin/env bash
# HAM's (K', warm-up, λ) sweep against PGD-AT on the experiment's setting (by default smallcnn-w0.125, 20000
# training examples, 5 epochs, full test set, PGD-20; docs/sweep.md is of the tiny-cnn setting:
# bash scripts/sweep.sh --model tiny-cnn --train-subset 8000 --epochs 6): every combination of K' in 1,3,5,
# warm-up 0 or 3 epochs, λ in -1,-3,-5 and uniform weights, 2 seeds, paired with PGD-AT of the same seed. Writes docs/sweep.md; runs go to
# bench-results/sweep/; a setting with a warm-up of w epochs branches from the seed's PGD-AT trunk of w epochs (one per w and
# seed; --design scratch trains every setting from a fresh model). All options: bash scripts/sweep.sh --help
#   bash scripts/sweep.sh --resume              continue an interrupted sweep
#   bash scripts/sweep.sh --drop-steps 3 --warmup-epochs 3 --lambdas -1 --seeds 3   one setting, three seeds
set -euo pipefail
cd "$(dirname "$0")/.."
HAM_BENCH_COMMAND="bash scripts/sweep.sh${*:+ $*}" HAM_EXPERIMENT_MAIN=org.hamkafka.bench.Sweep \
  exec bash scripts/experiment.sh "$@"
