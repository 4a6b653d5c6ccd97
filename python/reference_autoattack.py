"""The reference AutoAttack (Croce & Hein, github.com/fra31/auto-attack, a checkout passed by path; never copied
here) on the examples and weights ReferenceAutoAttackMain wrote, then a table of both: robust accuracy and
seconds, ours against the reference. Run by scripts/reference-autoattack.sh.

    python3 reference_autoattack.py --autoattack DIR --weights model.npz --dir bench-results/reference-autoattack
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ham_torch  # noqa: E402

# our names for the reference's configurations: its standard version, and that version's APGD part alone
PARTS = {"autoattack-standard": ["apgd-ce", "apgd-t", "fab-t", "square"], "autoattack-apgd": ["apgd-ce", "apgd-t"]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--autoattack", required=True, help="a checkout of fra31/auto-attack")
    p.add_argument("--weights", required=True)
    p.add_argument("--dir", required=True, help="where x.npy, y.npy, logits.npy and ours.json are")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    sys.path.insert(0, args.autoattack)
    from autoattack import AutoAttack

    torch.set_num_threads(args.threads)
    ours = json.load(open(os.path.join(args.dir, "ours.json")))
    model = ham_torch.load(args.weights)
    x = torch.from_numpy(np.load(os.path.join(args.dir, "x.npy")))
    y = torch.from_numpy(np.load(os.path.join(args.dir, "y.npy")))
    with torch.no_grad():
        logits = model(x).numpy()
    gap = float(np.abs(logits - np.load(os.path.join(args.dir, "logits.npy"))).max())
    print(f"same model: max |logit difference| {gap:.2e}", file=sys.stderr)
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "max_logit_difference": gap,
              "attacks": []}
    for row in ours["attacks"]:
        name = row["attack"]
        if name not in PARTS:
            continue
        adversary = AutoAttack(model, norm="Linf", eps=ours["eps"], version="standard", seed=0, verbose=False,
                               device="cpu")
        adversary.attacks_to_run = PARTS[name]
        start = time.perf_counter()
        adv = adversary.run_standard_evaluation(x, y, bs=ours["batch_size"])
        seconds = time.perf_counter() - start
        with torch.no_grad():
            robust = float((model(adv).argmax(1) == y).float().mean())
        result["attacks"].append({"attack": name, "robust": robust, "seconds": seconds})
        print(f"reference {name}: robust {robust:.3f} in {seconds:.1f} s", file=sys.stderr)
        json.dump(result, open(os.path.join(args.dir, "reference.json"), "w"), indent=2)
    table = [f"Machine: {ours['machine']}; {ours['examples']} class-balanced test examples, eps {ours['eps']:.4g}, "
             f"batch {ours['batch_size']}; reference on PyTorch {torch.__version__} with {torch.get_num_threads()} "
             f"threads (max |logit difference| between the two models {gap:.1e}).", "",
             "| evaluation | robust, ours | robust, reference | s, ours | s, reference | ours / reference |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    theirs = {r["attack"]: r for r in result["attacks"]}
    for row in ours["attacks"]:
        r = theirs.get(row["attack"])
        if r:
            table.append(f"| {row['attack']} | {100 * row['robust']:.1f} % | {100 * r['robust']:.1f} % | "
                         f"{row['seconds']:.1f} | {r['seconds']:.1f} | {row['seconds'] / r['seconds']:.2f} |")
    text = "\n".join(table) + "\n"
    open(os.path.join(args.dir, "table.md"), "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
