#!/usr/bin/env bash
# The command line (services/ham-cli): `train`, `eval`, `compare` (see --help of each). Relative paths are taken
# from where you call it, not from the repository. Builds first only when a source or pom changed since the last
# build, so `--help` answers in about a second. Example:
#   bash scripts/ham.sh eval --weights runs/<dir>/model.npz --eval-attacks pgd-20,autoattack --test-subset 1000
# HAM_JAVA_OPTS goes to the JVM, e.g. a profile of one evaluation (then `jfr print --events jdk.NativeMethodSample`):
#   HAM_JAVA_OPTS=-XX:StartFlightRecording=filename=eval.jfr,settings=profile bash scripts/ham.sh eval ...
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
HAM_SKIP_DEPLOY_CHECK="${HAM_SKIP_DEPLOY_CHECK:-1}" bash "$repo/scripts/setup.sh" >&2
source "$repo/scripts/malloc-env.sh"
export DJL_OFFLINE=true
stamp="$repo/services/ham-cli/target/classpath.txt"
if [ ! -f "$stamp" ] || [ -n "$(find "$repo/pom.xml" "$repo/services/ham-core" "$repo/services/ham-cli" \
      -path '*/target' -prune -o -type f -newer "$stamp" -print -quit)" ]; then
  (cd "$repo" && mvn -B -q -ntp -pl services/ham-cli -am package dependency:build-classpath -DskipTests \
      -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2)
  touch "$stamp"
fi
# shellcheck disable=SC2086 # HAM_JAVA_OPTS is a list of options
exec java -Dai.djl.offline=true ${HAM_JAVA_OPTS:-} \
  -cp "$repo/services/ham-cli/target/classes:$repo/services/ham-core/target/classes:$(cat "$stamp")" \
  org.hamkafka.cli.HamCli "$@"
