#!/usr/bin/python3
"""Weights files as people really have them, written by real PyTorch for convkit's import tests
(run with Debian's /usr/bin/python3; the product never runs Python).

  weight_forms.py forms OUT          one file per form below, each with OUT/FORM.x.npy (a batch) and
                                     OUT/FORM.y.npy (the model's eval-mode logits, heads stacked)
  weight_forms.py fashion OUT DATA   d2l's LeNet (with its Reshape) trained for one epoch on the first
                                     TRAIN images of Fashion-MNIST (DATA holds the IDX .gz files),
                                     saved in the legacy format as OUT/d2l_lenet_fashion.pth; its
                                     accuracy and mean cross-entropy on the test split, as PyTorch
                                     computes them, in OUT/d2l_lenet_fashion.json

Forms (FORM.pth):
  d2l_lenet_reshape         d2l's LeNet saved from nn.Sequential(Reshape(), nn.Conv2d(...), ...):
                            keys 1.weight, 4.weight, 8.weight, 10.weight, 12.weight (one off from
                            convkit's net.0 ... net.11: the Reshape takes index 0)
  d2l_lenet_reshape_legacy  the same in the legacy format of PyTorch < 1.6
  lenet_bn_dataparallel     d2l's LeNet with BatchNorm under nn.DataParallel ("module." keys)
  svhn_cnn_checkpoint       the street-number CNN in a training checkpoint dict (epoch, model_state_dict,
                            optimizer_state_dict with momentum buffers, loss), legacy format
  resnet18_d2l_checkpoint   d2l's ResNet-18 in a checkpoint dict ({"state_dict": ...}, zip format)
  d2l_lenet_nopad           d2l's LeNet without the first conv's padding (first Linear 256 -> 120):
                            shapes that do not line up with convkit's lenet (400 -> 120)
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seed_networks import SVHN_Model1, heads, lenet_bn, resnet18_d2l, with_bn_statistics


class Reshape(nn.Module):
    """d2l's LeNet chapter reshapes flat Fashion-MNIST rows into images first."""

    def forward(self, x):
        return x.view(-1, 1, 28, 28)


def d2l_lenet(padding=2):
    return nn.Sequential(
        Reshape(), nn.Conv2d(1, 6, kernel_size=5, padding=padding), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 5 * 5 if padding == 2 else 16 * 4 * 4, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def xavier(m):
    if type(m) in (nn.Linear, nn.Conv2d):
        nn.init.xavier_uniform_(m.weight)


def save_logits(out, name, model, shape):
    x = torch.randn(3, *shape)
    with torch.no_grad():
        y = torch.stack(heads(model.eval()(x)))
    np.save(os.path.join(out, name + ".x.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(out, name + ".y.npy"), y.numpy().astype(np.float32))


def forms(out):
    os.makedirs(out, exist_ok=True)
    legacy = {"_use_new_zipfile_serialization": False}

    torch.manual_seed(1)
    lenet = d2l_lenet()
    lenet.apply(xavier)
    torch.save(lenet.state_dict(), os.path.join(out, "d2l_lenet_reshape.pth"))
    save_logits(out, "d2l_lenet_reshape", lenet, (1, 28, 28))
    torch.save(lenet.state_dict(), os.path.join(out, "d2l_lenet_reshape_legacy.pth"), **legacy)
    save_logits(out, "d2l_lenet_reshape_legacy", lenet, (1, 28, 28))

    torch.manual_seed(2)
    bn = with_bn_statistics(lenet_bn(), (1, 28, 28))
    parallel = nn.DataParallel(bn)  # on a machine without GPUs it only wraps: keys get "module."
    torch.save(parallel.state_dict(), os.path.join(out, "lenet_bn_dataparallel.pth"))
    save_logits(out, "lenet_bn_dataparallel", bn, (1, 28, 28))

    torch.manual_seed(3)
    svhn = SVHN_Model1()
    opt = torch.optim.SGD(svhn.parameters(), lr=0.01, momentum=0.9)
    outs = svhn(torch.randn(2, 3, 64, 128))
    sum(F.cross_entropy(o, torch.tensor([1, 10])) for o in outs).backward()
    opt.step()  # the optimizer now holds momentum buffers: tensors outside the model's state dict
    torch.save({"epoch": 5, "model_state_dict": svhn.state_dict(), "optimizer_state_dict": opt.state_dict(),
                "loss": 0.25}, os.path.join(out, "svhn_cnn_checkpoint.pth"), **legacy)
    save_logits(out, "svhn_cnn_checkpoint", svhn, (3, 64, 128))

    torch.manual_seed(4)
    resnet = with_bn_statistics(resnet18_d2l(), (1, 96, 96))
    torch.save({"state_dict": resnet.state_dict(), "arch": "resnet18", "best_acc1": torch.tensor(0.5)},
               os.path.join(out, "resnet18_d2l_checkpoint.pth"))
    save_logits(out, "resnet18_d2l_checkpoint", resnet, (1, 96, 96))

    torch.manual_seed(5)
    torch.save(d2l_lenet(padding=0).state_dict(), os.path.join(out, "d2l_lenet_nopad.pth"))


def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion(out, data, train_images=20000):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    x = torch.from_numpy(idx(os.path.join(data, "train-images-idx3-ubyte.gz"))[:train_images].astype(np.float32) / 255)
    y = torch.from_numpy(idx(os.path.join(data, "train-labels-idx1-ubyte.gz"))[:train_images].astype(np.int64))
    net = d2l_lenet()
    net.apply(xavier)
    # d2l trains this LeNet with SGD at lr 0.9 for 10 epochs; its sigmoids barely move in one, so one
    # epoch of Adam instead: a model whose accuracy means something, in seconds
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    net.train()
    order = torch.randperm(train_images)
    for i in range(0, train_images, 256):
        b = order[i:i + 256]
        opt.zero_grad()
        F.cross_entropy(net(x[b].view(-1, 784)), y[b]).backward()  # d2l feeds flat rows: the Reshape makes images
        opt.step()
    torch.save(net.state_dict(), os.path.join(out, "d2l_lenet_fashion.pth"), _use_new_zipfile_serialization=False)
    tx = torch.from_numpy(idx(os.path.join(data, "t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255)
    ty = torch.from_numpy(idx(os.path.join(data, "t10k-labels-idx1-ubyte.gz")).astype(np.int64))
    net.eval()
    with torch.no_grad():
        logits = net(tx.view(-1, 784))
    result = {"samples": len(ty), "correct": int((logits.argmax(1) == ty).sum()),
              "accuracy": float((logits.argmax(1) == ty).float().mean()),
              "loss": float(F.cross_entropy(logits, ty))}
    with open(os.path.join(out, "d2l_lenet_fashion.json"), "w") as f:
        json.dump(result, f)
    print("d2l LeNet, 1 epoch on %d images: test accuracy %.4f, loss %.4f" % (train_images, result["accuracy"],
                                                                          result["loss"]), flush=True)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "forms":
        forms(sys.argv[2])
    elif cmd == "fashion":
        fashion(sys.argv[2], sys.argv[3])
    else:
        sys.exit("unknown command " + cmd)
