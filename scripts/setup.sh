#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for building, testing and running HAM on Kafka.
# Safe to run again; does nothing that is already done. Needs root (or sudo) for apt.
set -euo pipefail

need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
# for the tests only (scripts/test.sh sets HAM_SETUP_TESTS=1; under CI these tests fail without them, never skip):
# eval-service's dashboard tests drive a real headless Chromium; the PyTorch export test loads our weights in
# Debian's PyTorch
if [ "${HAM_SETUP_TESTS:-}" = "1" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  /usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1 || need+=(python3-torch python3-numpy)
fi
# deploy/check.sh validates docker-compose.yml with a real compose parser and the Kubernetes manifests
# (a Compose v1 parser that needs no engine, PyYAML for the env-var check)
if [ "${HAM_SKIP_DEPLOY_CHECK:-}" != "1" ]; then
  for p in docker-compose python3-yaml; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  command -v kubectl >/dev/null 2>&1 || echo "setup: kubectl not found; deploy/check.sh needs it (kubectl ships its own kustomize)" >&2
  command -v npm >/dev/null 2>&1 || need+=(npm)
fi

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
