#!/usr/bin/env bash
# Trains and evaluates in one process with the command line (no Kafka, no services): the reference run.
# Defaults: HAM on a class-balanced Fashion-MNIST subset, sized for a few minutes on 2 cores.
# Any option of `ham train` can be added or overridden, e.g. --method pgd-at --epochs 10. Relative paths
# (--data-dir, --out) are taken from where you call it.
set -euo pipefail
defaults=(--model tiny-cnn --train-subset 4000 --test-subset 1000 --epochs 4 --warmup-epochs 1)
# these replace the command line's own defaults (shown by --help); an option given again wins
echo "train-local.sh defaults: ${defaults[*]}" >&2
exec bash "$(dirname "$0")/ham.sh" train "${defaults[@]}" "$@"
