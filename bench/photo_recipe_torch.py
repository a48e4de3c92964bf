"""The photo recipe's PyTorch peer (issue 17): convkit's first-run recipe for a folder of photos,
written in PyTorch 1.13 to see how far the recipe itself goes, seed by seed.

The network is Myrtle.ai's ResNet-9 at a width multiplier with its first conv at stride 2 (zoo
`resnet9 --width 0.25 --stem stride2`), trained with AdamW (weight decay 0.1) and a one-cycle
schedule, label smoothing 0.1, padded random crops and horizontal flips, at 64 px, in full batches.
The photos are decoded and resized once (PIL, bilinear) and kept in memory, as convkit's loaders
keep them. Options vary one thing at a time: the crops' padding (black: torchvision's RandomCrop
default and convkit's; mean: the images' mean colour; reflect), the pooling head (global max as
Page's network; cat: max and average concatenated, fastai's head), batch size, learning rate,
weight decay, width, random erasing, weight averages (--ema), batch mixing (--mix). Prints one RESULT line with the
validation accuracy, with flip test-time augmentation (mean of the softmax of each image and its
mirror), and on the mirrored images alone.

    /usr/bin/python3 bench/photo_recipe_torch.py --data DIR [--pad black] [--head max] [--seed 0]

DIR holds train/CLASS/*.jpg and valid/CLASS/*.jpg (flowers128: ../shared/datasets).
"""
import argparse
import copy
import glob
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torchvision.transforms import RandomErasing

from torch_bench import resnet9  # the network as convkit builds it

p = argparse.ArgumentParser()
p.add_argument("--data", required=True)
p.add_argument("--cache", default="/tmp/photo_recipe_cache", help="decoded arrays, one file per split and size")
p.add_argument("--size", type=int, default=64)
p.add_argument("--width", type=float, default=0.25)
p.add_argument("--epochs", type=int, default=30)
p.add_argument("--bs", type=int, default=32)
p.add_argument("--lr", type=float, default=3e-3)
p.add_argument("--wd", type=float, default=0.1, help="AdamW's decoupled weight decay (convkit's photo recipe: 0.1)")
p.add_argument("--pad", choices=["black", "mean", "reflect"], default="black")
p.add_argument("--head", choices=["max", "cat"], default="max")
p.add_argument("--erase", type=float, default=0.0,
               help="probability of torchvision's RandomErasing (value 0: the mean colour) on each training crop")
p.add_argument("--ema", default="",
               help="comma-separated decays: keep an exponential moving average of the weights and BatchNorm"
                    " statistics per decay, updated every step, and report each one's accuracy at the end")
p.add_argument("--mix", choices=["none", "mixup", "cutmix"], default="none",
               help="batch mixing: mixup (Zhang et al. 2018) or cutmix (Yun et al. 2019), each batch mixed with a"
                    " shuffled copy of itself at a ratio drawn from Beta(--mix-alpha, --mix-alpha)")
p.add_argument("--mix-alpha", type=float, default=1.0)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
classes = sorted(os.listdir(os.path.join(a.data, "train")))


def load(split):
    os.makedirs(a.cache, exist_ok=True)
    cache = os.path.join(a.cache, f"{os.path.basename(os.path.normpath(a.data))}-{split}{a.size}.npz")
    if os.path.exists(cache):
        z = np.load(cache)
        return torch.from_numpy(z["x"]), torch.from_numpy(z["y"])
    xs, ys = [], []
    for i, c in enumerate(classes):
        for f in sorted(glob.glob(os.path.join(a.data, split, c, "*"))):
            # straight to S x S: for square photos (flowers128) what convkit's resize=S,centercrop=S gives
            xs.append(np.asarray(Image.open(f).convert("RGB").resize((a.size, a.size), Image.BILINEAR)))
            ys.append(i)
    x, y = np.stack(xs).transpose(0, 3, 1, 2).copy(), np.array(ys)
    np.savez(cache, x=x, y=y)
    return torch.from_numpy(x), torch.from_numpy(y)


xtr, ytr = load("train")
xva, yva = load("valid")
mean = xtr.float().mean((0, 2, 3), keepdim=True) / 255
std = (xtr.float() / 255).std((0, 2, 3), keepdim=True)


def norm(x):
    return (x.float() / 255 - mean) / std


torch.manual_seed(a.seed)  # the initial weights
net = resnet9(len(classes), a.width, "stride2", a.size, a.head).to(memory_format=torch.channels_last)
opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=a.wd)
# full batches only, as convkit's training loader: a last batch of one photo (3,457 = 108 x 32 + 1) would
# train BatchNorm on one image and move its running statistics just before each validation
steps = len(xtr) // a.bs
sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=a.epochs * steps, pct_start=0.3)
loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
g = torch.Generator().manual_seed(a.seed)  # the order, the crops and the flips
pad = a.size // 8
erase = RandomErasing(p=a.erase, value=0)
black = -mean / std  # a black pixel after normalization


def augment(x):
    n = x.shape[0]
    flip = torch.rand(n, generator=g) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    if a.pad == "reflect":
        xp = F.pad(x, (pad,) * 4, mode="reflect")
    elif a.pad == "black":
        xp = F.pad(x - black, (pad,) * 4) + black
    else:
        xp = F.pad(x, (pad,) * 4)  # 0 after normalization: the mean colour
    i = torch.randint(0, 2 * pad + 1, (n,), generator=g)
    j = torch.randint(0, 2 * pad + 1, (n,), generator=g)
    crops = [xp[k, :, i[k]:i[k] + a.size, j[k]:j[k] + a.size] for k in range(n)]
    if a.erase > 0:  # drawn from torch's own generator, seeded with the weights
        crops = [erase(c) for c in crops]
    return torch.stack(crops)


emas = {float(d): copy.deepcopy(net) for d in a.ema.split(",") if d}


def update_emas():
    with torch.no_grad():
        for d, e in emas.items():
            for pe, pn in zip(e.state_dict().values(), net.state_dict().values()):
                if pe.dtype.is_floating_point:
                    pe.mul_(d).add_(pn, alpha=1 - d)
                else:
                    pe.copy_(pn)


def accuracy(tta, mirrored=False, model=None):
    net = model or globals()["net"]
    net.eval()
    right = 0
    with torch.no_grad():
        for k in range(0, len(xva), 256):
            x = norm(xva[k:k + 256]).contiguous(memory_format=torch.channels_last)
            out = net(x.flip(3) if mirrored else x).softmax(1)
            if tta:
                out = out + net(x.flip(3)).softmax(1)
            right += (out.argmax(1) == yva[k:k + 256]).sum().item()
    return right / len(xva)


start = time.time()
for epoch in range(a.epochs):
    net.train()
    order = torch.randperm(len(xtr), generator=g)
    seen = right = 0
    for k in range(0, steps * a.bs, a.bs):
        idx = order[k:k + a.bs]
        x = augment(norm(xtr[idx])).contiguous(memory_format=torch.channels_last)
        y = ytr[idx]
        if a.mix != "none":
            lam = float(np.random.default_rng([a.seed, epoch, k]).beta(a.mix_alpha, a.mix_alpha))
            perm = torch.randperm(len(idx), generator=g)
            if a.mix == "mixup":
                x = lam * x + (1 - lam) * x[perm]
            else:  # a box of area (1 - lam) from the shuffled copy; lam corrected to the box actually cut
                cut = (1 - lam) ** 0.5
                h = w = a.size
                ch, cw = int(h * cut), int(w * cut)
                cy, cx = torch.randint(0, h, (1,), generator=g).item(), torch.randint(0, w, (1,), generator=g).item()
                y0, y1 = max(cy - ch // 2, 0), min(cy + ch // 2, h)
                x0, x1 = max(cx - cw // 2, 0), min(cx + cw // 2, w)
                x = x.clone()
                x[:, :, y0:y1, x0:x1] = x[perm][:, :, y0:y1, x0:x1]
                lam = 1 - (y1 - y0) * (x1 - x0) / (h * w)
            out = net(x)
            loss = lam * loss_fn(out, y) + (1 - lam) * loss_fn(out, y[perm])
        else:
            out = net(x)
            loss = loss_fn(out, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        update_emas()
        seen += len(idx)
        right += (out.argmax(1) == ytr[idx]).sum().item()
    print(f"epoch {epoch + 1}/{a.epochs} train acc {right / seen:.4f} valid acc {accuracy(False):.4f}"
          f" {time.time() - start:.0f}s", flush=True)
print(f"RESULT {vars(a)} valid {accuracy(False):.4f} tta {accuracy(True):.4f} mirrored {accuracy(False, True):.4f}"
      f" train {right / seen:.3f}"
      f" seconds {time.time() - start:.0f}"
      + "".join(f" ema{d} {accuracy(False, model=e):.4f} ema{d}-tta {accuracy(True, model=e):.4f}" for d, e in emas.items()))
