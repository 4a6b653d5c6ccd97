#!/usr/bin/env bash
# One command, no Docker: installs what is missing, builds, then runs the whole system on this machine
# (real Kafka, S3 and PostgreSQL in one JVM, trainer-, attack- and eval-service as child processes),
# trains a HAM job on Fashion-MNIST and prints its class-wise evaluation. Options: scripts/run.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
HAM_SKIP_DEPLOY_CHECK="${HAM_SKIP_DEPLOY_CHECK:-1}" bash scripts/setup.sh
source scripts/malloc-env.sh
export DJL_OFFLINE=true
if [ "${HAM_SKIP_BUILD:-}" != "1" ]; then
  echo "building (mvn -B -q -ntp package -DskipTests) ..."
  mvn -B -q -ntp package -DskipTests
fi
stack="$root/services/ham-local-stack/target"
# exec: Ctrl-C reaches the launcher's JVM directly, whose shutdown hook stops the services and the servers
exec java -Dham.repo.dir="$root" -cp "$stack/classes:$stack/lib/*" org.hamkafka.local.LocalStack "$@"
