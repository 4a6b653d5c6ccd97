#!/usr/bin/env bash
# the command line (services/ham-cli) as it is: `train`, `eval`, `compare` (see --help of each). Relative paths are taken
# from where you call it, not from the repository. Example:
#   bash scripts/ham.sh eval --weights runs/<dir>/model.npz --eval-attacks pgd-20,autoattack --test-subset 1000
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
HAM_SKIP_DEPLOY_CHECK="${HAM_SKIP_DEPLOY_CHECK:-1}" bash "$repo/scripts/setup.sh" >&2
export DJL_OFFLINE=true
(cd "$repo" && mvn -B -q -ntp -pl services/ham-cli -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2)
exec java -Dai.djl.offline=true -cp "$repo/services/ham-cli/target/classes:$repo/services/ham-core/target/classes:$(cat "$repo/services/ham-cli/target/classpath.txt")" \
  org.hamkafka.cli.HamCli "$@"
