#!/usr/bin/python3
"""Reference files from real PyTorch for convkit's weight tests (run with Debian's /usr/bin/python3,
which has torch and torchvision; the product itself never runs Python).

  torch_weights.py fidelity OUT MODEL...   torchvision MODEL (or resnet9, the reference ResNet9
                                           below, at 32 px) with seeded random weights and
                                           non-trivial BatchNorm statistics -> OUT/MODEL.pth,
                                           OUT/MODEL.safetensors, OUT/MODEL.x.npy (a random batch),
                                           OUT/MODEL.y.npy (its logits in eval mode)
  torch_weights.py fixtures OUT            small files for unit tests: dtypes, views, wrappers,
                                           and pickles that must be refused
  torch_weights.py run MODEL W X OUT       loads W (.safetensors written by convkit) into
                                           torchvision MODEL strictly, writes its logits on X to OUT
  torch_weights.py run-bf16 MODEL W X OUT  the same under torch.autocast("cpu", torch.bfloat16):
                                           PyTorch's own bfloat16 mixed precision, for --precision bf16

safetensors files are written and read by hand (8-byte little-endian header length, a JSON header
of dtype / shape / byte offsets, raw bytes): the safetensors package is not installed.
"""
import collections
import json
import os
import struct
import sys

import numpy as np
import torch
import torchvision

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8", torch.int8: "I8", torch.bool: "BOOL"}
BY_NAME = {v: k for k, v in DTYPES.items()}


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: same 2 bytes through int16
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def save_safetensors(state, path):
    header, blobs, offset = {}, [], 0
    for name, t in state.items():
        b = tensor_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    head = json.dumps(header).encode("utf-8")
    head += b" " * (-len(head) % 8)  # the format pads the header to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = collections.OrderedDict()
    for name, h in header.items():
        if name == "__metadata__":
            continue
        a, b = h["data_offsets"]
        dtype = BY_NAME[h["dtype"]]
        raw = torch.frombuffer(bytearray(data[a:b]), dtype=torch.int16 if dtype == torch.bfloat16 else torch.uint8)
        t = raw.view(torch.bfloat16) if dtype == torch.bfloat16 else raw.view(dtype)
        out[name] = t.reshape(h["shape"]).clone()
    return out


def conv_bn(c_in, c_out, stride=1):
    """Page's conv_bn: 3x3 conv (padding 1, no bias), BatchNorm, ReLU."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
        torch.nn.BatchNorm2d(c_out),
        torch.nn.ReLU(inplace=True))


class ResNet9(torch.nn.Module):
    """The ResNet-9 of Myrtle.ai's DAWNBench CIFAR-10 entry (David Page, "How to train your
    ResNet", 2018), the reference for convkit's resnet9 and its state-dict keys. Page's MaxPool2d(4)
    at 32 px is written as the global max pool it is there; his x0.125 output scale is left out, as
    convkit leaves it out. stem="stride2": the prep conv at stride 2 (convkit's --stem stride2);
    pool="concat": the global max and average pools side by side, max first (convkit's --pool concat,
    fastai's AdaptiveConcatPool2d)."""

    def __init__(self, num_classes=10, width=1.0, stem="cifar", pool="max"):
        super().__init__()
        c = lambda n: max(1, int(n * width + 0.5))  # convkit's ModelOptions.scaled (Java's Math.round)
        self.prep = conv_bn(3, c(64), stride=2 if stem == "stride2" else 1)
        self.layer1 = torch.nn.Sequential(*conv_bn(c(64), c(128)), torch.nn.MaxPool2d(2))
        self.res1 = torch.nn.Sequential(conv_bn(c(128), c(128)), conv_bn(c(128), c(128)))
        self.layer2 = torch.nn.Sequential(*conv_bn(c(128), c(256)), torch.nn.MaxPool2d(2))
        self.layer3 = torch.nn.Sequential(*conv_bn(c(256), c(512)), torch.nn.MaxPool2d(2))
        self.res3 = torch.nn.Sequential(conv_bn(c(512), c(512)), conv_bn(c(512), c(512)))
        self.concat = pool == "concat"
        self.fc = torch.nn.Linear(c(512) * (2 if self.concat else 1), num_classes)

    def forward(self, x):
        x = self.layer1(self.prep(x))
        x = x + self.res1(x)
        x = self.layer3(self.layer2(x))
        x = x + self.res3(x)
        pooled = torch.nn.functional.adaptive_max_pool2d(x, 1)
        if self.concat:
            pooled = torch.cat([pooled, torch.nn.functional.adaptive_avg_pool2d(x, 1)], 1)
        return self.fc(torch.flatten(pooled, 1))


def build(name):
    if name == "resnet9":
        return ResNet9()
    if name == "googlenet":
        return torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True)
    return getattr(torchvision.models, name)(weights=None)


# the input fidelity runs a network at: torchvision's 224, resnet9 its CIFAR 32
SIZES = {"resnet9": 32}


def fidelity(out, names):
    os.makedirs(out, exist_ok=True)
    for i, name in enumerate(names):
        torch.manual_seed(1234 + i)
        model = build(name)
        size = SIZES.get(name, 224)
        with torch.no_grad():
            # BatchNorm: scale/shift away from 1/0, and running statistics from a few batches in
            # training mode, so that a statistic that is not loaded changes the logits
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.normal_(0.0, 0.1)
            model.train()
            for _ in range(3):
                model(torch.randn(4, 3, size, size))
            model.eval()
            x = torch.randn(2, 3, size, size)
            y = model(x)
        state = model.state_dict()
        torch.save(state, os.path.join(out, name + ".pth"))
        save_safetensors(state, os.path.join(out, name + ".safetensors"))
        np.save(os.path.join(out, name + ".x.npy"), x.numpy().astype(np.float32))
        np.save(os.path.join(out, name + ".y.npy"), y.numpy().astype(np.float32))
        print(name, "max|logit| %.4g" % y.abs().max().item(), flush=True)


class Custom:
    """Not a tensor: a pickle holding one must be refused."""

    def __init__(self):
        self.x = 1


class RunsCode:
    """Unpickling this in Python would run a shell command."""

    def __reduce__(self):
        return (os.system, ("echo this pickle ran a command",))


def fixtures(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    base = torch.randn(4, 6)
    state = collections.OrderedDict()
    state["plain"] = torch.randn(2, 3)
    state["transposed"] = base.t()  # non-contiguous view, stride (1, 6)
    state["sliced"] = base[1:3, ::2]  # offset 6, stride (6, 2), shares base's storage
    state["base"] = base
    state["double"] = torch.randn(3, dtype=torch.float64)
    state["half"] = torch.randn(3).half()
    state["bfloat"] = torch.randn(3).bfloat16()
    state["count"] = torch.tensor(7, dtype=torch.int64)
    torch.save(state, os.path.join(out, "views.pth"))
    save_safetensors(state, os.path.join(out, "views.safetensors"))
    # the values every reader must see, as float64 lists in row-major order
    expected = {k: {"shape": list(v.shape), "dtype": DTYPES[v.dtype], "values": v.double().flatten().tolist()}
                for k, v in state.items()}
    with open(os.path.join(out, "views.json"), "w") as f:
        json.dump(expected, f)
    # a training checkpoint: state dict under "model", DataParallel's "module." prefix, extras
    wrapped = {"epoch": 3, "model": collections.OrderedDict(("module." + k, v) for k, v in state.items()),
               "optimizer": {"lr": 0.1}}
    torch.save(wrapped, os.path.join(out, "wrapped.pth"))
    # the same in the legacy format of PyTorch < 1.6 (a stream of pickles, no zip)
    torch.save(state, os.path.join(out, "views_legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(wrapped, os.path.join(out, "wrapped_legacy.pth"), _use_new_zipfile_serialization=False)
    # a real module's state_dict() carries a _metadata attribute (pickled as BUILD state)
    torch.manual_seed(1)
    linear = torch.nn.Linear(3, 2)
    torch.save(linear.state_dict(), os.path.join(out, "module_state.pth"))
    with open(os.path.join(out, "module_state.json"), "w") as f:
        json.dump({k: v.flatten().tolist() for k, v in linear.state_dict().items()}, f)
    torch.save({"w": torch.zeros(2), "evil": RunsCode()}, os.path.join(out, "os_system.pth"))
    torch.save({"w": torch.zeros(2), "evil": RunsCode()}, os.path.join(out, "os_system_legacy.pth"),
               _use_new_zipfile_serialization=False)
    torch.save({"w": torch.zeros(2), "obj": Custom()}, os.path.join(out, "custom_class.pth"))
    torch.save(torch.nn.Linear(2, 2), os.path.join(out, "whole_module.pth"))
    # formats that are not a torch.save zip of a state dict: each has its own message
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), os.path.join(out, "torchscript.pt"))
    torch.save(linear.state_dict(), os.path.join(out, "legacy.pth"), _use_new_zipfile_serialization=False)


def run(name, weights, x, out, bf16=False):
    model = build(name)
    model.load_state_dict(load_safetensors(weights), strict=True)
    model.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        y = model(torch.from_numpy(np.load(x)))
    np.save(out, y.float().numpy().astype(np.float32))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "fidelity":
        fidelity(sys.argv[2], sys.argv[3:])
    elif cmd == "fixtures":
        fixtures(sys.argv[2])
    elif cmd == "run":
        run(*sys.argv[2:6])
    elif cmd == "run-bf16":
        run(*sys.argv[2:6], bf16=True)
    else:
        sys.exit("unknown command " + cmd)
