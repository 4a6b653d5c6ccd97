#!/usr/bin/env bash
# Our AutoAttack beside the reference implementation (github.com/fra31/auto-attack), on the same weights and the
# same class-balanced test examples, in one run: ours first (Java, 2 threads), then the reference (PyTorch from
# Debian's python3-torch, 2 threads) on the weights loaded by python/ham_torch.py, which must give the same logits.
# The reference is a checkout you pass by path; nothing of it is copied here, and CI does not run this.
#   bash scripts/reference-autoattack.sh --autoattack ~/auto-attack --weights bench-results/gap/pgd-at-seed0/model.npz \
#        [--test-subset 100] [--attacks autoattack-apgd,autoattack-standard] [--out bench-results/reference-autoattack]
# Writes x.npy, y.npy, logits.npy, ours.json, reference.json and table.md under --out.
set -euo pipefail
cd "$(dirname "$0")/.."
autoattack=""
weights=""
java_args=()
out=bench-results/reference-autoattack
while [ $# -gt 0 ]; do
  case "$1" in
    --autoattack) autoattack="$2"; shift 2 ;;
    --weights) weights="$2"; java_args+=(--weights "$2"); shift 2 ;;
    --out) out="$2"; java_args+=(--out "$2"); shift 2 ;;
    --test-subset|--attacks|--eps|--batch-size) java_args+=("$1" "$2"); shift 2 ;;
    *) echo "unknown option $1 (known: --autoattack DIR, --weights FILE, --test-subset N, --attacks LIST, --eps E, --batch-size B, --out DIR)" >&2; exit 2 ;;
  esac
done
if [ -z "$autoattack" ] || [ ! -f "$autoattack/autoattack/autoattack.py" ]; then
  echo "--autoattack: give a checkout of github.com/fra31/auto-attack (the folder holding autoattack/)" >&2; exit 2
fi
[ -n "$weights" ] || { echo "--weights: a model.npz with model.json beside it" >&2; exit 2; }
py=/usr/bin/python3
if ! "$py" -c 'import torch, numpy' 2>/dev/null; then
  echo "installing Debian's python3-torch and python3-numpy for the reference" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-torch python3-numpy >&2
fi
source scripts/malloc-env.sh
export DJL_OFFLINE=true
mvn -B -q -ntp compile dependency:build-classpath -pl services/ham-bench -am \
    -Dmdep.outputFile=target/runtime.classpath -Dmdep.includeScope=runtime >&2
cp="services/ham-bench/target/classes:services/ham-core/target/classes:$(cat services/ham-bench/target/runtime.classpath)"
java -Dai.djl.offline=true -cp "$cp" org.hamkafka.bench.ReferenceAutoAttackMain "${java_args[@]}"
"$py" python/reference_autoattack.py --autoattack "$autoattack" --weights "$weights" --dir "$out"
