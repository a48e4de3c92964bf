#!/usr/bin/python3
"""The seed write-ups' own networks, written here as they define them in PyTorch: the oracle for
convkit's zoo entries lenet-bn, resnet18-d2l, svhn-cnn and svhn-resnet18 (run with Debian's
/usr/bin/python3, which has torch 1.13 and torchvision 0.14; the product never runs Python).

  seed_networks.py layout NAME...        JSON {NAME: {"params": count, "keys": [[key, shape], ...]}}
                                         (state-dict order, num_batches_tracked left out)
  seed_networks.py fidelity OUT NAME...  seeded weights with non-trivial BatchNorm statistics ->
                                         OUT/NAME.pth (state dict), OUT/NAME.x.npy (a batch),
                                         OUT/NAME.y.npy (eval-mode logits; K heads stacked (K, N, C)),
                                         and one SGD step from those weights in training mode on
                                         OUT/NAME.tx.npy / NAME.ty.npy (labels (N, K), as float32):
                                         OUT/NAME.step.json {"lr", "loss0", "loss1"}
"""
import copy
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torch import nn


# d2l's LeNet with batch normalization, concise version (d2l 0.17 "Batch Normalization"):
# no padding on the first conv, so the first Linear sees 16 * 4 * 4 = 256 features
def lenet_bn(num_classes=10):
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, num_classes))


# d2l's ResNet (d2l 0.17 "Residual Networks"), as the Fashion-MNIST write-up defines it
class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return blk


def resnet18_d2l(in_channels=1, num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
                       nn.BatchNorm2d(64), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(*resnet_block(64, 64, 2, first_block=True))
    b3 = nn.Sequential(*resnet_block(64, 128, 2))
    b4 = nn.Sequential(*resnet_block(128, 256, 2))
    b5 = nn.Sequential(*resnet_block(256, 512, 2))
    return nn.Sequential(b1, b2, b3, b4, b5, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, num_classes))


# the street-number write-up's first model (SVHN_Model1), six heads over 3x64x128 crops
class SVHN_Model1(nn.Module):
    def __init__(self):
        super(SVHN_Model1, self).__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=(3, 3), stride=(2, 2)),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size=(3, 3), stride=(2, 2)),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.fc1 = nn.Linear(32 * 3 * 7, 11)
        self.fc2 = nn.Linear(32 * 3 * 7, 11)
        self.fc3 = nn.Linear(32 * 3 * 7, 11)
        self.fc4 = nn.Linear(32 * 3 * 7, 11)
        self.fc5 = nn.Linear(32 * 3 * 7, 11)
        self.fc6 = nn.Linear(32 * 3 * 7, 11)

    def forward(self, img):
        feat = self.cnn(img)
        feat = feat.view(feat.shape[0], -1)
        return (self.fc1(feat), self.fc2(feat), self.fc3(feat), self.fc4(feat), self.fc5(feat), self.fc6(feat))


# its second model: torchvision's ResNet-18 without fc, six heads fc0..fc5
class SVHN_Model2(nn.Module):
    def __init__(self):
        super(SVHN_Model2, self).__init__()
        model_conv = torchvision.models.resnet18(weights=None)
        model_conv.avgpool = nn.AdaptiveAvgPool2d(1)
        model_conv = nn.Sequential(*list(model_conv.children())[:-1])
        self.cnn = model_conv
        self.fc0 = nn.Linear(512, 11)
        self.fc1 = nn.Linear(512, 11)
        self.fc2 = nn.Linear(512, 11)
        self.fc3 = nn.Linear(512, 11)
        self.fc4 = nn.Linear(512, 11)
        self.fc5 = nn.Linear(512, 11)

    def forward(self, img):
        feat = self.cnn(img)
        feat = feat.view(feat.shape[0], -1)
        return (self.fc0(feat), self.fc1(feat), self.fc2(feat), self.fc3(feat), self.fc4(feat), self.fc5(feat))


# name: (builder, input C, H, W, batch for the logits, batch for the training step)
NETS = {
    "lenet-bn": (lenet_bn, (1, 28, 28), 6, 8),
    "resnet18-d2l": (resnet18_d2l, (1, 96, 96), 3, 4),
    "resnet18-d2l-rgb": (lambda: resnet18_d2l(in_channels=3, num_classes=2), (3, 96, 96), 2, 4),
    "svhn-cnn": (SVHN_Model1, (3, 64, 128), 4, 8),
    "svhn-resnet18": (SVHN_Model2, (3, 64, 128), 3, 4),
}


def heads(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def with_bn_statistics(model, shape):
    """BatchNorm away from its initial 1/0, running statistics from a few training batches: a
    statistic that is not loaded, or a BatchNorm1d that normalizes the wrong axis, shows. In eval mode."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
        model.train()
        for _ in range(3):
            model(torch.randn(4, *shape))
    return model.eval()


def layout(names):
    result = {}
    for name in names:
        torch.manual_seed(0)
        model = NETS[name][0]()
        result[name] = {
            "params": sum(p.numel() for p in model.parameters()),
            "keys": [[k, list(v.shape)] for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")],
        }
    json.dump(result, sys.stdout)


def fidelity(out, names):
    os.makedirs(out, exist_ok=True)
    for i, name in enumerate(names):
        build, shape, n_eval, n_train = NETS[name]
        torch.manual_seed(4321 + i)
        model = with_bn_statistics(build(), shape)
        with torch.no_grad():
            x = torch.randn(n_eval, *shape)
            y = torch.stack(heads(model(x)))
        torch.save(model.state_dict(), os.path.join(out, name + ".pth"))
        np.save(os.path.join(out, name + ".x.npy"), x.numpy().astype(np.float32))
        np.save(os.path.join(out, name + ".y.npy"), y.numpy().astype(np.float32))

        # one training step from the saved weights: plain SGD, the mean over heads of each head's
        # cross-entropy (convkit's multi-head loss), in training mode (BatchNorm on batch statistics)
        lr = 0.05
        tx = torch.randn(n_train, *shape)
        k = y.shape[0]
        ty = torch.randint(0, y.shape[2], (n_train, k), dtype=torch.int64)
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=lr)

        def loss_of():
            outs = heads(model(tx))
            return sum(F.cross_entropy(o, ty[:, j]) for j, o in enumerate(outs)) / len(outs)

        start = copy.deepcopy(model.state_dict())
        opt.zero_grad()
        loss0 = loss_of()
        loss0.backward()
        opt.step()
        with torch.no_grad():
            loss1 = loss_of()

        # The same step exactly (float64), and with PyTorch's other float32 convolutions (its own
        # kernels, oneDNN off): how far float32 rounding alone can move the loss after a step. On
        # some networks it is far (resnet18-d2l on one channel: 2e-3 with PyTorch's own kernels),
        # so a path is held to the exact loss within what PyTorch's float32 paths need themselves.
        def step_in(dtype, onednn):
            was = torch.backends.mkldnn.enabled
            torch.backends.mkldnn.enabled = onednn
            try:
                m = build().to(dtype)
                m.load_state_dict(start)
                m.train()
                o = torch.optim.SGD(m.parameters(), lr=lr)
                def loss_m():
                    outs = heads(m(tx.to(dtype)))
                    return sum(F.cross_entropy(h, ty[:, j]) for j, h in enumerate(outs)) / len(outs)
                o.zero_grad()
                loss_m().backward()
                o.step()
                with torch.no_grad():
                    return loss_m().item()
            finally:
                torch.backends.mkldnn.enabled = was
        exact = step_in(torch.float64, False)
        spread = max(abs(v - exact) / abs(exact) for v in (loss1.item(), step_in(torch.float32, False)))
        np.save(os.path.join(out, name + ".tx.npy"), tx.numpy().astype(np.float32))
        np.save(os.path.join(out, name + ".ty.npy"), ty.numpy().astype(np.float32))  # Java reads float32 .npy
        with open(os.path.join(out, name + ".step.json"), "w") as f:
            json.dump({"lr": lr, "loss0": loss0.item(), "loss1": loss1.item(), "loss1_exact": exact,
                       "loss1_float32_spread": spread}, f)
        print(name, "max|logit| %.4g loss %.5f -> %.5f" % (y.abs().max().item(), loss0.item(), loss1.item()),
              flush=True)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "layout":
        layout(sys.argv[2:])
    elif cmd == "fidelity":
        fidelity(sys.argv[2], sys.argv[3:])
    else:
        sys.exit("unknown command " + cmd)
