#!/usr/bin/env bash
# Where HAM's gap between PGD-20 and AutoAttack comes from: one PGD-AT and one HAM model of the experiment's size
# (scripts/experiment.sh's settings, seed 0; weights kept), each evaluated on the same class-balanced 1,000 test
# examples under APGD-CE, APGD-T, FAB-T and Square alone and under the four in sequence (autoattack-standard).
# Resumable: a trained model, and each evaluation's report, is never made twice; stop it and run it again.
# Writes bench-results/gap/<method>-seed0/{model.npz,report.json,eval-<attack>.json}; the reading is in
# docs/results.md ("Where HAM's gap comes from"). About 1.5 h on 2 idle cores.
#   bash scripts/gap-study.sh [--out DIR] [--test-subset N]
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench-results/gap
test_subset=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --test-subset) test_subset="$2"; shift 2 ;;
    *) echo "unknown option $1 (known: --out DIR, --test-subset N)" >&2; exit 2 ;;
  esac
done
# the experiment's settings (docs/results.md, "What runs"); HAM's first 2 of 5 epochs are its PGD-AT warm-up
common=(--dataset fashion-mnist --model smallcnn-w0.125 --train-subset 20000 --epochs 5 --seed 0)
for method in pgd-at ham; do
  dir="$out/$method-seed0"
  mkdir -p "$dir"
  if [ ! -f "$dir/model.npz" ]; then
    resume=()
    [ -f "$dir/resume-state.npz" ] && resume=(--resume "$dir/resume-state.npz")
    bash scripts/ham.sh train "${common[@]}" --method "$method" --warmup-epochs 2 \
        --eval-attacks pgd-20 --test-subset "$test_subset" --out "$dir" "${resume[@]}"
  fi
  for attack in apgd-ce apgd-t fab-t square autoattack-standard; do
    report="$dir/eval-$attack.json"
    [ -f "$report" ] && continue
    bash scripts/ham.sh eval --weights "$dir/model.npz" --eval-attacks "$attack" --seed 0 \
        --test-subset "$test_subset" --out "$report.part"
    mv "$report.part" "$report"
  done
done
echo "gap study done: $out" >&2
