#!/usr/bin/env bash
# Trains and evaluates in one process with the command line (no Kafka, no services): the reference run.
# Defaults: HAM on a class-balanced Fashion-MNIST subset, sized for a few minutes on 2 cores.
# Any option of `ham train` can be added or overridden, e.g. --method pgd-at --epochs 10. Relative paths
# (--data-dir, --out) are taken from where you call it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$repo" && bash scripts/setup.sh)
export DJL_OFFLINE=true
(cd "$repo" && mvn -B -q -ntp -pl services/ham-cli -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime)
defaults=(--model tiny-cnn --train-subset 4000 --test-subset 1000 --epochs 4 --warmup-epochs 1)
# these replace the command line's own defaults (shown by --help); an option given again wins
echo "train-local.sh defaults: ${defaults[*]}" >&2
exec java -Dai.djl.offline=true \
  -cp "$repo/services/ham-cli/target/classes:$repo/services/ham-core/target/classes:$(cat "$repo/services/ham-cli/target/classpath.txt")" \
  org.hamkafka.cli.HamCli train "${defaults[@]}" "$@"
