#!/usr/bin/env bash
# ham-core's command line as it is: `train`, `eval`, `compare` (see --help of each). Relative paths are taken
# from where you call it, not from the repository. Example:
#   bash scripts/ham.sh eval --weights runs/<dir>/model.npz --eval-attacks pgd-20,autoattack --test-subset 1000
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
HAM_SKIP_DEPLOY_CHECK="${HAM_SKIP_DEPLOY_CHECK:-1}" bash "$repo/scripts/setup.sh" >&2
export DJL_OFFLINE=true
(cd "$repo" && mvn -B -q -ntp -pl services/ham-core -am package -DskipTests >&2 \
  && mvn -B -q -ntp -pl services/ham-core dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null)
exec java -Dai.djl.offline=true -cp "$repo/services/ham-core/target/classes:$(cat "$repo/services/ham-core/target/classpath.txt")" \
  org.hamkafka.core.cli.HamCli "$@"
