#!/usr/bin/env bash
# The project's test command: set-up, then every test (unit, integration against real Kafka/S3/PostgreSQL
# started from the JVM), then the deployment checks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DJL_OFFLINE=true
mvn -B -ntp verify "$@"
if [ "${HAM_SKIP_DEPLOY_CHECK:-}" != "1" ] && [ -f deploy/check.sh ]; then
  bash deploy/check.sh
fi
