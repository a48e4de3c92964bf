"""W6's PyTorch side: the recipe a `convkit train` run resolved (its runs/NAME/config.json), written
the way a PyTorch user would, on Fashion-MNIST from Debian's IDX files or on an image folder
(DIR/train/CLASS/..., DIR/test or DIR/valid: the CIFAR-10 JPEGs, photos) with convkit's
--augment presets as torchvision transforms; models simplecnn and resnet9, optimizers sgd and adamw.

Usage: torch_recipe.py CONFIG.json DATA_DIR SCRATCH_DIR
Prints one line per epoch: EPOCH n seconds=<cumulative training+validation seconds> valid_acc=...
then TEST acc=... Supports what the main recipe uses: simplecnn (--arch, --fc), SGD with
(Nesterov) momentum and weight decay, the onecycle or constant schedule, label smoothing,
augment none|light (horizontal flips), normalize auto (training-set mean/std) or none, a seeded
held-out validation share of train; and the speed levers PyTorch has too: precision bf16 (CPU
autocast: torch.autocast("cpu", torch.bfloat16) around forward and loss) and budget (one-cycle
fitted to the wall time as convkit's TimeBudget does: the first epoch's pace sets the epochs, the
second may correct it, later ones only shorten it, a started schedule gets one more epoch).
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn
from torchvision import transforms as T

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import torch_bench  # noqa: E402  (Fashion-MNIST loading, shared with the throughput benchmark)


def simplecnn(arch, fc, classes, channels, size):
    layers, c = [], channels
    for w in arch:
        layers += [nn.Conv2d(c, w, 3, 1, 1), nn.BatchNorm2d(w), nn.ReLU(inplace=True), nn.MaxPool2d(2, 2)]
        c, size = w, size // 2
    feats, head = c * size * size, []
    for w in fc:
        head += [nn.Linear(feats, w), nn.ReLU(inplace=True)]
        feats = w
    return nn.Sequential(*layers, nn.Flatten(), *head, nn.Linear(feats, classes))


def parse_budget(text):
    import re
    parts = re.findall(r"(\d+(?:\.\d+)?)([hms])", text.lower())
    return sum(float(v) * {"h": 3600, "m": 60, "s": 1}[u] for v, u in parts)


def one_cycle(step, total, pct, div=25.0, final_div=1e4, base_m=0.85, max_m=0.95):
    """torch's OneCycleLR (cos anneal, two phases) as (lr factor, momentum) at a step, for a total that changes."""
    import math
    up = pct * total - 1
    def anneal(a, b, p):
        return b + (a - b) / 2 * (math.cos(math.pi * p) + 1)
    if step <= up:
        p = step / up
        return anneal(1 / div, 1, p), anneal(max_m, base_m, p)
    p = (step - up) / (total - 1 - up)
    return anneal(1, 1 / div / final_div, p), anneal(base_m, max_m, p)


def image_folder(cfg, data, seed):
    """An image folder (DIR/train/CLASS/*.jpg, and DIR/test or DIR/valid): convkit's presets for
    --augment and --image-size as torchvision transforms, normalize auto = per-channel statistics of
    training images; a valid split held out of train when there is no valid folder, as convkit does."""
    from torchvision import datasets
    size = cfg["image-size"]
    small = size <= 64
    base = [T.Resize(size), T.CenterCrop(size)] if small else [T.Resize(round(size * 8 / 7)), T.CenterCrop(size)]
    augment = cfg.get("augment", "standard")
    if augment == "none":
        aug = base
    elif augment == "light":
        aug = base + [T.RandomHorizontalFlip()]
    elif small:
        aug = base + [T.RandomCrop(size, padding=max(1, size // 8)), T.RandomHorizontalFlip()]
    else:
        aug = [T.RandomResizedCrop(size), T.RandomHorizontalFlip(), T.ColorJitter(0.2, 0.2, 0.2)]
    norm = []
    if cfg.get("normalize", "auto") == "auto":
        sample = datasets.ImageFolder(os.path.join(data, "train"), T.Compose(base + [T.ToTensor()]))
        pick = torch.randperm(len(sample), generator=torch.Generator().manual_seed(seed))[:2000].tolist()
        x = torch.stack([sample[i][0] for i in pick])
        norm = [T.Normalize(x.mean((0, 2, 3)).tolist(), x.std((0, 2, 3)).tolist())]
    train_tf = T.Compose(aug + [T.ToTensor()] + norm)
    eval_tf = T.Compose(base + [T.ToTensor()] + norm)
    train_all = datasets.ImageFolder(os.path.join(data, "train"), train_tf)
    eval_all = datasets.ImageFolder(os.path.join(data, "train"), eval_tf)
    classes = len(train_all.classes)
    if os.path.isdir(os.path.join(data, "valid")):
        return train_all, datasets.ImageFolder(os.path.join(data, "valid"), eval_tf), None, classes
    test_set = datasets.ImageFolder(os.path.join(data, "test"), eval_tf) if os.path.isdir(os.path.join(data, "test")) else None
    return (*held_out(train_all, eval_all, cfg, seed), test_set, classes)


def held_out(train_all, eval_all, cfg, seed):
    """convkit's valid split: a seeded share of train, seen through the evaluation transforms."""
    n = len(train_all)
    n_valid = int(round(n * cfg.get("valid-split", 0.1)))
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    return torch.utils.data.Subset(train_all, perm[n_valid:]), torch.utils.data.Subset(eval_all, perm[:n_valid])


def main():
    cfg = json.load(open(sys.argv[1]))
    data, scratch = sys.argv[2], sys.argv[3]
    if cfg["model"] not in ("simplecnn", "resnet9"):
        raise SystemExit("torch_recipe: only the simplecnn and resnet9 recipes are mirrored, not " + cfg["model"])
    seed = cfg.get("seed", 0)
    torch.manual_seed(seed)
    torch.set_num_threads(cfg.get("threads") or 2)
    workers = cfg.get("workers") or 2
    cl = torch.channels_last

    if not any(f.startswith("train-images-idx3-ubyte") for f in os.listdir(data)):
        train_set, valid_set, test_set, classes = image_folder(cfg, data, seed)
        channels = 3
    else:
        plain = torch_bench.fashion_mnist(data, True, None, scratch)
        if cfg.get("normalize", "auto") == "auto":
            x = plain.data.float() / 255
            norm = [T.Normalize((x.mean().item(),), (x.std().item(),))]
        else:
            norm = []
        flips = [T.RandomHorizontalFlip()] if cfg.get("augment") in ("light", "standard") else []
        train_tf = T.Compose(flips + [T.ToTensor()] + norm)
        eval_tf = T.Compose([T.ToTensor()] + norm)
        train_set, valid_set = held_out(torch_bench.fashion_mnist(data, True, train_tf, scratch),
                                        torch_bench.fashion_mnist(data, True, eval_tf, scratch), cfg, seed)
        test_set = torch_bench.fashion_mnist(data, False, eval_tf, scratch)
        classes, channels = 10, 1
    batch = cfg["batch-size"]
    dl = torch.utils.data.DataLoader(train_set, batch, shuffle=True, num_workers=workers, drop_last=True,
                                     persistent_workers=True)
    vl = torch.utils.data.DataLoader(valid_set, 512, num_workers=workers, persistent_workers=True)
    tl = torch.utils.data.DataLoader(test_set, 512, num_workers=workers) if test_set is not None else None

    if cfg["model"] == "resnet9":
        model = torch_bench.resnet9(classes, cfg.get("width") or 1.0, cfg.get("stem") or "cifar",
                                    cfg["image-size"]).to(memory_format=cl)
    else:
        arch = [int(v) for v in cfg["arch"].split(",")]
        fc = [int(v) for v in cfg["fc"].split(",")] if cfg.get("fc") else []
        model = simplecnn(arch, fc, classes, channels, cfg.get("image-size", 28)).to(memory_format=cl)
    adamw = cfg.get("optimizer", "sgd") == "adamw"
    if adamw:
        opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], betas=(cfg["momentum"], 0.999),
                                weight_decay=cfg.get("weight-decay", 0))
    elif cfg.get("optimizer", "sgd") == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=cfg["lr"], momentum=cfg["momentum"],
                              nesterov=cfg.get("nesterov", False), weight_decay=cfg.get("weight-decay", 0))
    else:
        raise SystemExit("torch_recipe: optimizer %s not mirrored" % cfg["optimizer"])
    epochs = cfg["epochs"]
    pct = cfg.get("warmup", 0.3 * epochs) / epochs
    budget = parse_budget(cfg["budget"]) if cfg.get("budget") else None
    bf16 = cfg.get("precision") == "bf16"
    if budget is not None:
        sched = None  # the one-cycle below, resized at epoch ends
    elif cfg["schedule"] == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg["lr"], epochs=epochs, steps_per_epoch=len(dl),
                                                    pct_start=cfg.get("warmup", 0.3 * epochs) / epochs)
    elif cfg["schedule"] == "constant":
        sched = None
    else:
        raise SystemExit("torch_recipe: schedule %s not mirrored" % cfg["schedule"])
    loss_fn = nn.CrossEntropyLoss(label_smoothing=cfg.get("label-smoothing", 0))

    def accuracy(loader):
        model.eval()
        right = total = 0
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            for x, y in loader:
                right += (model(x.contiguous(memory_format=cl)).argmax(1) == y).sum().item()
                total += y.shape[0]
        return right / total

    elapsed = 0.0
    step = 0
    e = 0
    while e < epochs:
        t = time.perf_counter()
        model.train()
        for x, y in dl:
            if budget is not None:
                lr_f, mom = one_cycle(min(step, epochs * len(dl) - 1), epochs * len(dl), pct)
                for g in opt.param_groups:
                    g["lr"] = cfg["lr"] * lr_f
                    if adamw:
                        g["betas"] = (mom, g["betas"][1])
                    else:
                        g["momentum"] = mom
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = loss_fn(model(x.contiguous(memory_format=cl)), y)
            loss.backward()
            opt.step()
            step += 1
            if sched is not None:
                sched.step()
            loss.item()
        acc = accuracy(vl)
        pace = time.perf_counter() - t
        elapsed += pace
        e += 1
        print("EPOCH %d seconds=%.1f valid_acc=%.4f" % (e, elapsed, acc), flush=True)
        if budget is not None and e < epochs:
            fit = max(e + 1, e + int((budget - elapsed) / pace + 1e-9))
            if (fit != epochs) if e <= 2 else (fit < epochs):
                epochs = fit
    if tl is not None:
        print("TEST acc=%.4f" % accuracy(tl), flush=True)


if __name__ == "__main__":
    main()
