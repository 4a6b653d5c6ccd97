#!/usr/bin/env bash
# Dry run, on the CPU, of the CIFAR-10 experiment command that scripts/experiment.sh documents for a GPU
# (PreAct ResNet-18, the paper's K' 3, TRADES β 6, eps 8/255, every method, AutoAttack standard): the same
# options with a tiny subset and 2 epochs (1 warm-up), on synthetic CIFAR-format data unless --data-dir
# points at the real files. It checks that the command runs end to end (data, model, every method's two
# halves, the evaluations, the table and charts); its numbers mean nothing.
#   bash scripts/cifar10-dry-run.sh [--data-dir <folder with data_batch_1..5.bin and test_batch.bin>]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${HAM_DRY_RUN_OUT:-bench-results/cifar10-dry-run}"
data=""
if [ "${1:-}" = "--data-dir" ]; then data="$2"; fi
if [ -z "$data" ]; then
  data="$out/synthetic-cifar10"
  mvn -B -q -ntp compile -pl services/ham-bench -am >&2
  java -cp services/ham-bench/target/classes org.hamkafka.bench.SyntheticCifar10 "$data" 20 40
  echo "synthetic CIFAR-10 files (noise, labels cycling) in $data" >&2
fi
# the GPU command (scripts/experiment.sh's header) is these shared options with --train-subset 0 --epochs 120
# --warmup-epochs 50 --device gpu; the dry run replaces only the sizes and the device
shared=(--dataset cifar10 --model preact-resnet18 --drop-step 3 --trades-beta 6)
exec bash scripts/experiment.sh "${shared[@]}" --device cpu --data-dir "$data" \
    --train-subset 50 --test-subset 20 --epochs 2 --warmup-epochs 1 --seeds 1 --autoattack-subset 10 \
    --curve-subset 10 --out "$out/runs" --docs "$out"
