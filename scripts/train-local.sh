#!/usr/bin/env bash
# Trains and evaluates in one process with ham-core's CLI (no Kafka, no services): the reference run.
# Defaults: HAM on a class-balanced Fashion-MNIST subset, sized for a few minutes on 2 cores.
# Any option of `HamCli train` can be added or overridden, e.g. --method pgd-at --epochs 10.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DJL_OFFLINE=true
mvn -B -q -ntp -pl services/ham-core -am package -DskipTests
mvn -B -q -ntp -pl services/ham-core dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
defaults=(--model tiny-cnn --train-subset 4000 --test-subset 1000 --epochs 4 --warmup-epochs 1)
exec java -Dai.djl.offline=true -cp "services/ham-core/target/classes:$(cat services/ham-core/target/classpath.txt)" \
  org.hamkafka.core.cli.HamCli train "${defaults[@]}" "$@"
