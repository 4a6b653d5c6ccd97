#!/usr/bin/env bash
# Where HAM's gap between PGD-20 and AutoAttack comes from: one PGD-AT and one HAM model of the experiment's size
# (scripts/experiment.sh's settings, seed 0; weights kept), each evaluated on the same class-balanced 1,000 test
# examples under APGD-CE, APGD-T, FAB-T and Square alone and under the four in sequence (autoattack-standard).
# Resumable: a trained model, and each evaluation's report, is never made twice; stop it and run it again.
# Writes bench-results/gap/<method>-seed0/{model.npz,report.json,eval-<attack>.json} and bench-results/gap/table.md
# (robust accuracy %, the worst class's in brackets); the reading is in
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
# the table: each attack alone, then the four in sequence stage by stage (robust after each)
"$(command -v /usr/bin/python3 || command -v python3)" - "$out" > "$out/table.md" <<'PY'
import json, os, sys
out = sys.argv[1]
print("| model | clean | PGD-20 | APGD-CE | APGD-T | FAB-T | Square | standard: after APGD-CE | after APGD-T "
      "| after FAB-T | after Square | worst class (standard) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
for method in ("pgd-at", "ham"):
    d = os.path.join(out, method + "-seed0")
    if not os.path.exists(os.path.join(d, "eval-autoattack-standard.json")):
        continue
    train = json.load(open(os.path.join(d, "report.json")))
    cell = lambda m: f"{100 * m['average']:.1f} ({100 * m['worst']:.0f})"
    alone = [cell(json.load(open(os.path.join(d, f"eval-{a}.json")))["robust_accuracy_by_attack"][a])
             for a in ("apgd-ce", "apgd-t", "fab-t", "square")]
    std = json.load(open(os.path.join(d, "eval-autoattack-standard.json")))
    by = std["robust_accuracy_by_attack"]
    stages = [cell(by[f"autoattack-standard:{s}"]) for s in ("apgd-ce", "apgd-t", "fab-t")] + [cell(by["autoattack-standard"])]
    worst = by["autoattack-standard"]
    print(f"| {method} | {cell(std['clean_accuracy'])} | {cell(train['robust_accuracy_by_attack']['pgd-20'])} | "
          + " | ".join(alone) + " | " + " | ".join(stages) + f" | {worst['worst_class']} |")
PY
cat "$out/table.md"
echo "gap study done: $out" >&2
