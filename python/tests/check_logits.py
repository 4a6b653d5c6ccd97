"""Loads a ham model in PyTorch from DIR/model.safetensors and DIR/model.npz (model.json beside them) and prints,
as JSON, how far its logits on DIR/x.npy are from DJL's (DIR/logits.npy) and whether the safetensors file's names
are exactly the model's state_dict names. Run by TorchExportTest.

    python3 check_logits.py DIR
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ham_torch  # noqa: E402

d = sys.argv[1]
torch.set_num_threads(1)
x = torch.from_numpy(np.load(os.path.join(d, "x.npy")))
expected = np.load(os.path.join(d, "logits.npy"))
out = {}
for name in ("model.safetensors", "model.npz"):
    model = ham_torch.load(os.path.join(d, name))
    with torch.no_grad():
        out[name] = float(np.abs(model(x).numpy() - expected).max())
keys = [k for k in model.state_dict() if not k.endswith("num_batches_tracked")]
stored = [k for k, _ in ham_torch._read_safetensors(os.path.join(d, "model.safetensors"))]
out["names_match"] = sorted(stored) == sorted(keys)
out["names"] = stored
print(json.dumps(out))
