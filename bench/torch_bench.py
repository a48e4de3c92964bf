"""The PyTorch side of bench/run.sh: what a PyTorch user writes for the same workload.

Takes the same key=value arguments as org.convkit.bench.TrainBench (mode=train|infer model= stem=
classes= input=CxHxW data= split= transforms= batch= workers= warmup= steps= lr= seed=) plus
channels_last=0|1 and bf16=0|1 (CPU autocast to bfloat16 around forward and loss), and prints one RESULT line timed the same way: the clock starts when batch
`warmup` is asked for and stops when the loader is exhausted; time inside the loader is data wait.

Data goes through torchvision's own pipeline: datasets.FashionMNIST / ImageFolder, PIL decode,
torchvision transforms, torch.utils.data.DataLoader with `workers` worker processes.
Run with Debian's /usr/bin/python3 (torch 1.13.1, torchvision 0.14.1).
"""
import gzip
import os
import shutil
import sys
import time

import torch
import torch.nn as nn
import torchvision
from torchvision import datasets, transforms as T

NORMS = {
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    "imagenet": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    "fashion-mnist": ((0.2860,), (0.3530,)),
}


def parse_transforms(spec):
    """The subset of convkit's --transforms syntax the workloads use, as torchvision transforms."""
    steps, norm = [], None
    for part in spec.split(","):
        name, _, rest = part.partition("=")
        value, *opts = rest.split(":") if rest else ("",)
        opts = dict(o.split("=") for o in opts if "=" in o)
        if name == "randomcrop":
            steps.append(T.RandomCrop(int(value), padding=int(opts.get("padding", 0))))
        elif name in ("randomresizedcrop", "rrc"):
            steps.append(T.RandomResizedCrop(int(value)))
        elif name == "hflip":
            steps.append(T.RandomHorizontalFlip())
        elif name == "resize":
            steps.append(T.Resize(int(value)))
        elif name == "centercrop":
            steps.append(T.CenterCrop(int(value)))
        elif name == "normalize":
            norm = T.Normalize(*NORMS[value])
        elif name == "totensor":
            pass
        else:
            raise SystemExit("torch_bench: transform %s not supported" % name)
    steps.append(T.ToTensor())
    if norm is not None:
        steps.append(norm)
    return T.Compose(steps)


def lenet(classes):
    # d2l's LeNet-5: sigmoid, average pooling
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, classes))


def simplecnn(classes, size):
    # the Food-11 homework baseline: 5 x (Conv3x3-BN-ReLU-MaxPool), FC 1024-512
    layers, c = [], 3
    for w in (64, 128, 256, 512, 512):
        layers += [nn.Conv2d(c, w, 3, 1, 1), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2, 2, 0)]
        c = w
    s = size // 32
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * s * s, 1024), nn.ReLU(),
                         nn.Linear(1024, 512), nn.ReLU(), nn.Linear(512, classes))


def resnet18(classes, stem):
    m = torchvision.models.resnet18(num_classes=classes)
    if stem == "cifar":
        m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        m.maxpool = nn.Identity()
    return m


class CatPool(nn.Module):
    """fastai's AdaptiveConcatPool2d(1): the global max and average pools side by side."""

    def forward(self, x):
        return torch.cat([nn.functional.adaptive_max_pool2d(x, 1), nn.functional.adaptive_avg_pool2d(x, 1)], 1)


def resnet9(classes, width=1.0, stem="cifar", size=32, head="max"):
    """Myrtle.ai's DAWNBench ResNet-9 (Page, 2018) as convkit's resnet9 builds it: conv-BN-ReLU
    blocks, two residuals, a global max pool, a linear head (no x0.125 output scale);
    stem=stride2 strides the first conv for photos. head=cat pools max and average side by side
    (convkit's --pool concat)."""
    def conv_bn(ci, co, stride=1):
        return nn.Sequential(nn.Conv2d(ci, co, 3, stride, 1, bias=False), nn.BatchNorm2d(co), nn.ReLU(inplace=True))

    class Residual(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.body = nn.Sequential(conv_bn(c, c), conv_bn(c, c))

        def forward(self, x):
            return x + self.body(x)

    c = [max(1, int(v * width + 0.5)) for v in (64, 128, 256, 512)]  # Java's Math.round, as convkit's --width
    return nn.Sequential(
        conv_bn(3, c[0], 2 if stem == "stride2" else 1),
        conv_bn(c[0], c[1]), nn.MaxPool2d(2), Residual(c[1]),
        conv_bn(c[1], c[2]), nn.MaxPool2d(2),
        conv_bn(c[2], c[3]), nn.MaxPool2d(2), Residual(c[3]),
        nn.AdaptiveMaxPool2d(1) if head == "max" else CatPool(), nn.Flatten(),
        nn.Linear(c[3] * (1 if head == "max" else 2), classes))


def build_model(a):
    classes = int(a["classes"])
    c, h, w = (int(v) for v in a["input"].split("x"))
    name = a["model"]
    if name == "lenet":
        return lenet(classes)
    if name == "simplecnn":
        return simplecnn(classes, h)
    if name == "resnet18":
        return resnet18(classes, a.get("stem", "imagenet"))
    if name == "resnet9":
        return resnet9(classes, float(a.get("width", 1)), a.get("stem", "cifar"), h)
    raise SystemExit("torch_bench: model %s not supported" % name)


def fashion_mnist(folder, train, tf, scratch):
    """torchvision.datasets.FashionMNIST over Debian's gz files (it wants them unpacked in raw/)."""
    raw = os.path.join(scratch, "FashionMNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for f in os.listdir(folder):
        if f.endswith(".gz") and not os.path.exists(os.path.join(raw, f[:-3])):
            with gzip.open(os.path.join(folder, f)) as src, open(os.path.join(raw, f[:-3]) + ".tmp", "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.replace(os.path.join(raw, f[:-3]) + ".tmp", os.path.join(raw, f[:-3]))
    return datasets.FashionMNIST(scratch, train=train, transform=tf, download=False)


def open_data(a, tf):
    data, split = a["data"], a.get("split", "train")
    if os.path.exists(os.path.join(data, "train-images-idx3-ubyte.gz")):
        scratch = os.environ.get("BENCH_DATA", "/tmp/convkit-bench-data")
        return fashion_mnist(data, split == "train", tf, scratch)
    root = os.path.join(data, split) if os.path.isdir(os.path.join(data, split)) else data
    return datasets.ImageFolder(root, transform=tf)


def peak_rss_mb(pid="self"):
    try:
        with open("/proc/%s/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def cpu_seconds(pids):
    """CPU seconds (user + system) used so far by this process and the given worker processes."""
    total = time.process_time()
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            pass
    return total


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0



BF16 = False  # bf16=1: torch.autocast("cpu", dtype=torch.bfloat16), PyTorch's CPU mixed precision


def train_step(model, opt, loss_fn, x, y):
    """One SGD step as every training loop writes it, with the loss and running accuracy read back."""
    opt.zero_grad()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=BF16):
        out = model(x)
        loss = loss_fn(out, y)
    loss.backward()
    opt.step()
    loss.item()
    (out.argmax(1) == y).sum().item()  # the running accuracy every trainer prints

def fit(model, dl, opt, loss_fn, fmt, epochs):
    """mode=fit: whole epochs, one EPOCH line each with the resident memory (W7)."""
    for e in range(epochs):
        t = time.perf_counter()
        n = 0
        for x, y in dl:
            train_step(model, opt, loss_fn, x.contiguous(memory_format=fmt), y)
            n += x.shape[0]
        print("EPOCH %d rss_mb=%.1f img_s=%.1f" % (e + 1, rss_mb(), n / (time.perf_counter() - t)), flush=True)


def main():
    a = dict(arg.split("=", 1) for arg in sys.argv[1:])
    threads = int(a.get("threads", "2"))
    torch.set_num_threads(threads)
    torch.manual_seed(int(a.get("seed", "0")))
    train = a.get("mode", "train") == "train"
    batch, warmup, steps = int(a["batch"]), int(a.get("warmup", "3")), int(a.get("steps", "0"))
    workers = int(a.get("workers", "2"))
    channels_last = a.get("channels_last", "0") == "1"
    global BF16
    BF16 = a.get("bf16", "0") == "1"

    ds = open_data(a, parse_transforms(a["transforms"]))
    if a.get("mode") != "fit":
        n = (warmup + steps) * batch
        ds = torch.utils.data.Subset(ds, [i % len(ds) for i in range(n)])
    dl = torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=train, num_workers=workers, drop_last=True,
                                     persistent_workers=workers > 0)
    model = build_model(a)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    opt = torch.optim.SGD(model.parameters(), lr=float(a.get("lr", "0.01")), momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    model.train(train)
    if a.get("mode") == "fit":
        fit(model, dl, opt, loss_fn, fmt, int(a.get("epochs", "10")))
        return

    start = end = None
    wait = 0.0
    images = 0
    it = iter(dl)
    delivered = 0
    worker_rss = 0.0
    while True:
        t0 = time.perf_counter()
        if delivered == warmup and start is None:
            start = t0
            pids = [w.pid for w in getattr(it, "_workers", [])]
            cpu0 = cpu_seconds(pids)
        try:
            x, y = next(it)
        except StopIteration:
            end = time.perf_counter()
            cpu1 = cpu_seconds(pids)
            wait += end - t0
            break
        if start is not None:
            wait += time.perf_counter() - t0
            images += x.shape[0]
        delivered += 1
        x = x.contiguous(memory_format=fmt)
        if train:
            train_step(model, opt, loss_fn, x, y)
        else:
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=BF16):
                out = model(x)
                (out.argmax(1) == y).sum().item()
        if workers > 0 and delivered == warmup + steps - 1:
            # the workers' own peaks, read while they are alive (they are separate processes)
            worker_rss = sum(peak_rss_mb(w.pid) for w in getattr(it, "_workers", []))
    secs = end - start
    # CPU time covers the DataLoader workers too (separate processes), as the JVM's covers its loader threads
    print("RESULT img_s=%.2f images=%d seconds=%.3f cpu_ms_per_img=%.3f wait=%.4f rss_mb=%.1f workers_rss_mb=%.1f"
          % (images / secs, images, secs, (cpu1 - cpu0) * 1000 / images, wait / secs, peak_rss_mb(), worker_rss),
          flush=True)


if __name__ == "__main__":
    main()
