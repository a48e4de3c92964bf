#!/usr/bin/python3
"""The PyTorch side of the engine fidelity matrix (convkit-cli EngineFidelityTest): every zoo
family built by its reference PyTorch definition — torchvision's models, the d2l models and the
homework CNN written below as their books define them, the seed write-ups' networks from
seed_networks.py — with seeded weights and non-trivial BatchNorm statistics (run with Debian's
/usr/bin/python3; the product never runs Python).

  engine_fidelity.py OUT [ID NAME CxHxW OPTIONS GRADS]...

OPTIONS: convkit's model options as k=v;k=v (classes, width, arch, fc, stem, pool; dropout is 0 on both sides,
so a training step is deterministic). Writes OUT/ID.pth (state dict), OUT/ID.x.npy (a batch),
OUT/ID.y.npy (eval-mode outputs, heads stacked (K, N, C)); with GRADS=1 also one training-mode
step's cross-entropy (mean over heads) on OUT/ID.tx.npy / ID.ty.npy (labels (N, K) as float32):
OUT/ID.loss.json and every parameter's gradient in OUT/ID.grads.safetensors, by state-dict key, and
the same step's gradients computed in float64 (stored as float32) in OUT/ID.grads64.safetensors,
and with PyTorch's own convolution kernels (oneDNN off) in OUT/ID.grads_native.safetensors,
and in OUT/ID.kinks.json, per parameter, how far (norm) its float64 gradient moves when the step's
input moves by float32 rounding (the largest over four random nudges of 1e-7 relative): large
where a ReLU input or a max-pool tie lies within rounding, so that a float32 computation may
send that gradient either way (FidelityRun.Reference).
"""
import copy
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seed_networks  # noqa: E402  the seed write-ups' networks, one definition for both tests
import torch_weights  # noqa: E402  its safetensors writer


def scaler(width):
    """convkit's ModelOptions.scaled: Java's Math.round, at least 1."""
    return lambda c: max(1, int(math.floor(c * width + 0.5)))


class Net(nn.Module):
    """d2l's models are one nn.Sequential kept as `net` (state-dict keys net.0.weight ...)."""

    def __init__(self, seq):
        super().__init__()
        self.net = seq

    def forward(self, x):
        return self.net(x)


def lenet(c, classes, o):  # d2l "LeNet"
    w = scaler(o.get("width", 1.0))
    return Net(nn.Sequential(
        nn.Conv2d(c, w(6), kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(w(6), w(16), kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.LazyLinear(w(120)), nn.Sigmoid(), nn.Linear(w(120), w(84)), nn.Sigmoid(), nn.Linear(w(84), classes)))


def alexnet_d2l(c, classes, o):  # d2l "Deep Convolutional Neural Networks (AlexNet)"
    w = scaler(o.get("width", 1.0))
    return Net(nn.Sequential(
        nn.Conv2d(c, w(96), kernel_size=11, stride=4, padding=1), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(w(96), w(256), kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(w(256), w(384), kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(w(384), w(384), kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(w(384), w(256), kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten(),
        nn.LazyLinear(w(4096)), nn.ReLU(), nn.Dropout(p=0.0),
        nn.Linear(w(4096), w(4096)), nn.ReLU(), nn.Dropout(p=0.0),
        nn.Linear(w(4096), classes)))


class VggD2l(nn.Module):
    """d2l "Networks Using Blocks (VGG)": vgg_block stages, Flatten, Linear-ReLU-Dropout x2,
    Linear; kept as features / classifier, the keys convkit (and torchvision) use."""

    def __init__(self, c, classes, o):
        super().__init__()
        w = scaler(o.get("width", 1.0))
        layers, cin = [], c
        for stage in o.get("arch", "1x64,1x128,2x256,2x512,2x512").split(","):
            n, ch = (int(v) for v in stage.split("x"))
            for _ in range(n):
                layers += [nn.Conv2d(cin, w(ch), kernel_size=3, padding=1), nn.ReLU()]
                cin = w(ch)
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.LazyLinear(w(4096)), nn.ReLU(), nn.Dropout(0.0),
            nn.Linear(w(4096), w(4096)), nn.ReLU(), nn.Dropout(0.0),
            nn.Linear(w(4096), classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def nin_block(cin, cout, k, s, p):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, p), nn.ReLU(),
                         nn.Conv2d(cout, cout, kernel_size=1), nn.ReLU(),
                         nn.Conv2d(cout, cout, kernel_size=1), nn.ReLU())


def nin(c, classes, o):  # d2l "Network in Network (NiN)"
    w = scaler(o.get("width", 1.0))
    return Net(nn.Sequential(
        nin_block(c, w(96), 11, 4, 0), nn.MaxPool2d(3, stride=2),
        nin_block(w(96), w(256), 5, 1, 2), nn.MaxPool2d(3, stride=2),
        nin_block(w(256), w(384), 3, 1, 1), nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.0),
        nin_block(w(384), classes, 3, 1, 1), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten()))


class Inception(nn.Module):  # d2l "Multi-Branch Networks (GoogLeNet)"
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.b1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        self.b2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.b2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.b3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.b3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.b4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.b4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

    def forward(self, x):
        b1 = F.relu(self.b1_1(x))
        b2 = F.relu(self.b2_2(F.relu(self.b2_1(x))))
        b3 = F.relu(self.b3_2(F.relu(self.b3_1(x))))
        b4 = F.relu(self.b4_2(self.b4_1(x)))
        return torch.cat((b1, b2, b3, b4), dim=1)


GOOGLENET = [(64, 96, 128, 16, 32, 32), (128, 128, 192, 32, 96, 64),
             (192, 96, 208, 16, 48, 64), (160, 112, 224, 24, 64, 64), (128, 128, 256, 24, 64, 64),
             (112, 144, 288, 32, 64, 64), (256, 160, 320, 32, 128, 128),
             (256, 160, 320, 32, 128, 128), (384, 192, 384, 48, 128, 128)]


def googlenet_d2l(c, classes, o):
    w = scaler(o.get("width", 1.0))
    b1 = nn.Sequential(nn.Conv2d(c, w(64), kernel_size=7, stride=2, padding=3), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(nn.Conv2d(w(64), w(64), kernel_size=1), nn.ReLU(),
                       nn.Conv2d(w(64), w(192), kernel_size=3, padding=1), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    cin = [w(192)]

    def inceptions(rows):
        mods = []
        for r in rows:
            n = [w(v) for v in r]
            mods.append(Inception(cin[0], n[0], (n[1], n[2]), (n[3], n[4]), n[5]))
            cin[0] = n[0] + n[2] + n[4] + n[5]
        return mods

    b3 = nn.Sequential(*inceptions(GOOGLENET[0:2]), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(*inceptions(GOOGLENET[2:7]), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(*inceptions(GOOGLENET[7:9]), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    return Net(nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(cin[0], classes)))


class SimpleCnn(nn.Module):
    """The Food-11 homework's baseline Classifier: Conv3x3-BN-ReLU-MaxPool stages as `cnn`, then
    `fc` (Linear-ReLU per hidden width, Linear to the classes)."""

    def __init__(self, c, classes, o):
        super().__init__()
        w = scaler(o.get("width", 1.0))
        layers, cin = [], c
        for ch in (int(v) for v in o.get("arch", "64,128,256,512,512").split(",")):
            layers += [nn.Conv2d(cin, w(ch), 3, 1, 1), nn.BatchNorm2d(w(ch)), nn.ReLU(), nn.MaxPool2d(2, 2, 0)]
            cin = w(ch)
        self.cnn = nn.Sequential(*layers)
        fc, first = [], True
        for h in (int(v) for v in o.get("fc", "1024,512").split(",") if v.strip()):
            fc += [nn.LazyLinear(w(h)) if first else nn.Linear(prev, w(h)), nn.ReLU()]
            prev, first = w(h), False
        fc.append(nn.LazyLinear(classes) if first else nn.Linear(prev, classes))
        self.fc = nn.Sequential(*fc)

    def forward(self, x):
        out = self.cnn(x)
        return self.fc(out.view(out.size()[0], -1))


D2L = {"lenet": lenet, "alexnet-d2l": alexnet_d2l, "vgg": VggD2l, "nin": nin, "googlenet-d2l": googlenet_d2l,
       "simplecnn": SimpleCnn}


def build(name, c, classes, o):
    if name in D2L:
        return D2L[name](c, classes, o)
    if name in seed_networks.NETS:  # their own input and classes: the matrix row must match them
        return seed_networks.NETS[name][0]()
    if name == "resnet9":  # Page's DAWNBench ResNet-9, the reference module in torch_weights.py
        return torch_weights.ResNet9(num_classes=classes, width=o.get("width", 1.0), stem=o.get("stem", "cifar"),
                                     pool=o.get("pool", "max"))
    if name == "googlenet":
        return torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True, num_classes=classes,
                                            dropout=0.0)
    if name.startswith(("alexnet", "vgg")):
        return getattr(torchvision.models, name)(weights=None, num_classes=classes, dropout=0.0)
    return getattr(torchvision.models, name)(weights=None, num_classes=classes)


def heads(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def main(out, ident, name, shape, options, grads):
    os.makedirs(out, exist_ok=True)
    o = dict(kv.split("=", 1) for kv in options.split(";") if kv)
    if "width" in o:
        o["width"] = float(o["width"])
    c, h, w = (int(v) for v in shape.split("x"))
    classes = int(o.get("classes", 10))
    torch.manual_seed(sum(ident.encode()))
    model = build(name, c, classes, o)
    with torch.no_grad():
        model.eval()
        model(torch.zeros(1, c, h, w))  # sizes the lazy Linear layers
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
        model.train()  # running statistics from a few batches: a statistic not loaded shows
        for _ in range(3):
            model(torch.randn(4, c, h, w))
        model.eval()
        x = torch.randn(2, c, h, w)
        y = torch.stack(heads(model(x)))
    torch.save(model.state_dict(), os.path.join(out, ident + ".pth"))
    np.save(os.path.join(out, ident + ".x.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(out, ident + ".y.npy"), y.numpy().astype(np.float32))
    if grads == "1":
        # one training-mode step (BatchNorm on batch statistics): convkit's loss, the mean over heads
        # of each head's cross-entropy
        tx = torch.randn(4, c, h, w)
        k = y.shape[0]
        ty = torch.randint(0, y.shape[2], (4, k), dtype=torch.int64)
        model.train()
        exact = copy.deepcopy(model).double()
        native = copy.deepcopy(model)
        model.zero_grad()
        outs = heads(model(tx))
        loss = sum(F.cross_entropy(v, ty[:, j]) for j, v in enumerate(outs)) / len(outs)
        loss.backward()
        # the same step in float64: the exact gradients both float32 sides are measured against
        outs = heads(exact(tx.double()))
        (sum(F.cross_entropy(v, ty[:, j]) for j, v in enumerate(outs)) / len(outs)).backward()
        torch_weights.save_safetensors({k: p.grad.float() for k, p in exact.named_parameters() if p.grad is not None},
                                       os.path.join(out, ident + ".grads64.safetensors"))
        # kinks within rounding: the float64 step again on inputs nudged by float32-sized amounts
        g64 = {k: p.grad.clone() for k, p in exact.named_parameters() if p.grad is not None}
        moved = {k: 0.0 for k in g64}
        nudges = torch.Generator().manual_seed(sum(ident.encode()) + 1)
        for _ in range(4):
            exact.zero_grad()
            nudged = tx.double() * (1 + 1e-7 * torch.randn(tx.shape, generator=nudges, dtype=torch.float64))
            outs = heads(exact(nudged))
            (sum(F.cross_entropy(v, ty[:, j]) for j, v in enumerate(outs)) / len(outs)).backward()
            for k, p in exact.named_parameters():
                if k in g64:
                    moved[k] = max(moved[k], (p.grad - g64[k]).norm().item())
        with open(os.path.join(out, ident + ".kinks.json"), "w") as f:
            json.dump(moved, f)
        np.save(os.path.join(out, ident + ".tx.npy"), tx.numpy().astype(np.float32))
        np.save(os.path.join(out, ident + ".ty.npy"), ty.numpy().astype(np.float32))
        torch_weights.save_safetensors({k: p.grad for k, p in model.named_parameters() if p.grad is not None},
                                       os.path.join(out, ident + ".grads.safetensors"))
        # the same float32 step on PyTorch's own convolution kernels (oneDNN off), as convkit's native
        # layout runs it: how far float32 rounding moves each gradient is a property of the kernels,
        # and a path is allowed what PyTorch's own kernels need
        was = torch.backends.mkldnn.enabled
        torch.backends.mkldnn.enabled = False
        try:
            native.zero_grad()
            outs = heads(native(tx))
            (sum(F.cross_entropy(v, ty[:, j]) for j, v in enumerate(outs)) / len(outs)).backward()
        finally:
            torch.backends.mkldnn.enabled = was
        torch_weights.save_safetensors({k: p.grad for k, p in native.named_parameters() if p.grad is not None},
                                       os.path.join(out, ident + ".grads_native.safetensors"))
        with open(os.path.join(out, ident + ".loss.json"), "w") as f:
            json.dump({"loss": loss.item()}, f)
    print(ident, name, shape, "max|y| %.4g" % y.abs().max().item(), flush=True)


if __name__ == "__main__":
    rows = sys.argv[2:]
    for i in range(0, len(rows), 5):
        main(sys.argv[1], *rows[i:i + 5])
