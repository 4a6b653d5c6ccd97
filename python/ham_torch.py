"""The architectures ham trains, in PyTorch, and a loader for the weights it writes.

    import ham_torch
    model = ham_torch.load("runs/<dir>/model.npz")  # model.json beside the weights names the architecture
    logits = model(x)                                # x: N x C x H x W pixels in [0, 1]; normalization is inside

Each model registers its parameters in the order ham (DJL) lists them, so a weights file's arrays pair with
the state_dict's entries one by one (shapes checked); see docs/weights.md. Needs torch and numpy only.
"""
import json
import math
import os
import re

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

__all__ = ["build", "load", "load_weights"]


class Normalize(nn.Module):
    """(x - mean) / std per channel: the first layer of every ham model, so attacks work on [0, 1] pixels."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)

    def forward(self, x):
        return (x - self.mean) / self.std


class HamModel(nn.Module):
    """A model whose first layer is its data set's normalization (build() sets it; no parameters)."""

    def __init__(self):
        super().__init__()
        self.normalize = nn.Identity()


class Linear(HamModel):
    def __init__(self, c, h, w, classes):
        super().__init__()
        self.fc = nn.Linear(c * h * w, classes)

    def forward(self, x):
        return self.fc(self.normalize(x).flatten(1))


class TinyCnn(HamModel):
    def __init__(self, c, h, w, classes):
        super().__init__()
        self.conv = nn.Conv2d(c, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8 * (h // 2) * (w // 2), classes)

    def forward(self, x):
        return self.fc(F.max_pool2d(F.relu(self.bn(self.conv(self.normalize(x)))), 2).flatten(1))


class SmallCnn(HamModel):
    """SmallCNN of the GAIRAT/HAM reference code (its parameter names), channels scaled by a width factor."""

    def __init__(self, c, h, w, classes, channels=(64, 128, 196)):
        super().__init__()
        ins = (c,) + tuple(channels[:-1])
        for b, (i, o) in enumerate(zip(ins, channels), start=1):
            # registered in ham's order (conv, its BN, conv, its BN) so a weights file pairs entry by entry
            setattr(self, f"block{b}_conv1", nn.Conv2d(i, o, 3, padding=1))
            setattr(self, f"batchnorm{b}_1", nn.BatchNorm2d(o))
            setattr(self, f"block{b}_conv2", nn.Conv2d(o, o, 3, padding=1))
            setattr(self, f"batchnorm{b}_2", nn.BatchNorm2d(o))
        self.blocks = len(channels)
        side_h, side_w = h, w
        for _ in channels:
            side_h, side_w = side_h // 2, side_w // 2
        self.fc1 = nn.Linear(channels[-1] * side_h * side_w, 256)
        self.fc2 = nn.Linear(256, classes)

    def forward(self, x):
        x = self.normalize(x)
        for b in range(1, self.blocks + 1):
            x = F.relu(getattr(self, f"batchnorm{b}_1")(getattr(self, f"block{b}_conv1")(x)))
            x = F.relu(getattr(self, f"batchnorm{b}_2")(getattr(self, f"block{b}_conv2")(x)))
            x = F.max_pool2d(x, 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


class PreActBlock(nn.Module):
    """out = conv2(relu(bn2(conv1(relu(bn1(x)))))) + shortcut, the shortcut a 1x1 conv of relu(bn1(x))."""

    def __init__(self, i, o, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(i)
        self.conv1 = nn.Conv2d(i, o, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(o)
        self.conv2 = nn.Conv2d(o, o, 3, 1, 1, bias=False)
        if stride != 1 or i != o:
            self.shortcut = nn.Sequential(nn.Conv2d(i, o, 1, stride, bias=False))

    def forward(self, x):
        out = F.relu(self.bn1(x))
        shortcut = self.shortcut(out) if hasattr(self, "shortcut") else x
        out = self.conv1(out)
        out = self.conv2(F.relu(self.bn2(out)))
        return out + shortcut


class PreActResNet(HamModel):
    """PreAct ResNet-18 (Rice et al. 2020's names) and, with other widths and depths, the Wide ResNets."""

    def __init__(self, c, classes, stem, widths, blocks, strides):
        super().__init__()
        self.conv1 = nn.Conv2d(c, stem, 3, 1, 1, bias=False)
        i = stem
        for s, (o, n, stride) in enumerate(zip(widths, blocks, strides), start=1):
            layers = []
            for b in range(n):
                layers.append(PreActBlock(i, o, stride if b == 0 else 1))
                i = o
            setattr(self, f"layer{s}", nn.Sequential(*layers))
        self.stages = len(widths)
        self.bn = nn.BatchNorm2d(i)
        self.linear = nn.Linear(i, classes)

    def forward(self, x):
        x = self.conv1(self.normalize(x))
        for s in range(1, self.stages + 1):
            x = getattr(self, f"layer{s}")(x)
        x = F.adaptive_avg_pool2d(F.relu(self.bn(x)), 1)
        return self.linear(x.flatten(1))


def _smallcnn_channels(arch):
    if arch == "smallcnn":
        return (64, 128, 196)
    m = re.fullmatch(r"smallcnn-w(\d+(?:\.\d+)?)", arch)
    if not m:
        return None
    width = float(m.group(1))
    # ham rounds half up (Java's Math.round), not to even as Python's round does
    return tuple(max(1, math.floor(c * width + 0.5)) for c in (64, 128, 196))


def build(arch, channels, height, width, classes, mean, std):
    """An untrained model of a ham architecture name, with the data set's normalization as its first layer."""
    classes = classes if isinstance(classes, int) else len(classes)
    if arch == "linear":
        body = Linear(channels, height, width, classes)
    elif arch == "tiny-cnn":
        body = TinyCnn(channels, height, width, classes)
    elif _smallcnn_channels(arch):
        body = SmallCnn(channels, height, width, classes, _smallcnn_channels(arch))
    elif arch == "preact-resnet18":
        body = PreActResNet(channels, classes, 64, (64, 128, 256, 512), (2, 2, 2, 2), (1, 2, 2, 2))
    elif re.fullmatch(r"wrn-\d+-\d+", arch):
        depth, k = (int(v) for v in arch.split("-")[1:])
        if depth < 10 or (depth - 4) % 6:
            raise ValueError(f"model {arch!r}: Wide ResNet depth must be 6n+4, n >= 1")
        n = (depth - 4) // 6
        body = PreActResNet(channels, classes, 16, (16 * k, 32 * k, 64 * k), (n, n, n), (1, 2, 2))
    else:
        raise ValueError(f"unknown architecture {arch!r}: linear, tiny-cnn, smallcnn, smallcnn-w<width>, "
                         "preact-resnet18, wrn-<depth>-<width>")
    body.normalize = Normalize(mean, std)
    return body


def _arrays(path):
    """The weights file's arrays in file order: a ham .npz, or a .safetensors file."""
    if str(path).endswith(".safetensors"):
        try:
            from safetensors.numpy import load_file
            return list(load_file(path).items())
        except ImportError:
            return _read_safetensors(path)
    with np.load(path) as z:
        return [(k, z[k]) for k in z.files]


def _read_safetensors(path):
    """safetensors' layout (u64 header length, JSON header, raw little-endian data) for where the package is
    missing, as on Debian 12; only float32, the one dtype ham writes."""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    out = []
    entries = [(k, v) for k, v in header.items() if k != "__metadata__"]
    for k, v in sorted(entries, key=lambda e: e[1]["data_offsets"][0]):
        if v["dtype"] != "F32":
            raise ValueError(f"{path}: {k} is {v['dtype']}; ham writes F32 only")
        start, end = v["data_offsets"]
        out.append((k, np.frombuffer(data[start:end], dtype="<f4").reshape(v["shape"]).copy()))
    return out


def load_weights(model, path):
    """Copies a ham weights file into a model built by build(): by name when the file has the model's
    names, else entry by entry in order (ham's DJL names), each shape checked."""
    arrays = _arrays(path)
    sd = model.state_dict()
    keys = [k for k in sd if not k.endswith("num_batches_tracked")]
    names = dict(arrays)
    if set(names) == set(keys):
        pairs = [(k, names[k]) for k in keys]
    elif len(arrays) == len(keys):
        pairs = [(k, a) for k, (_, a) in zip(keys, arrays)]
    else:
        raise ValueError(f"{path}: {len(arrays)} arrays for a model with {len(keys)} parameters and statistics")
    new = {}
    for k, a in pairs:
        t = torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
        if t.shape != sd[k].shape:
            raise ValueError(f"{path}: {k} has shape {tuple(t.shape)}, the model wants {tuple(sd[k].shape)}")
        new[k] = t
    missing, unexpected = model.load_state_dict(new, strict=False)
    if unexpected or any(not m.endswith("num_batches_tracked") for m in missing):
        raise ValueError(f"{path}: missing {missing}, unexpected {unexpected}")
    return model


def load(path):
    """A ham model ready for inference: architecture and data from model.json beside the weights."""
    info_path = os.path.join(os.path.dirname(os.path.abspath(path)), "model.json")
    with open(info_path) as f:
        info = json.load(f)
    model = build(info["architecture"], info["channels"], info["height"], info["width"], info["classes"],
                  info["mean"], info["std"])
    return load_weights(model, path).eval()
