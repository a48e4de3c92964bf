"""torchvision + PIL DataLoader throughput, the reference for bench/pipeline.sh.

Usage: pipeline_torch.py DIR small|large WORKERS BATCH EPOCHS
  small: RandomCrop(32, padding=4) + RandomHorizontalFlip + ToTensor + Normalize (CIFAR recipe)
  large: RandomResizedCrop(224) + RandomHorizontalFlip + ToTensor + Normalize (ImageNet recipe)
Prints img/s per epoch. Also: pipeline_torch.py decode DIR LIMIT ROUNDS (PIL decode, 1 thread).
"""
import glob
import io
import os
import sys
import time

import torch
from PIL import Image
from torchvision import datasets, transforms as T


def loader_bench(root, kind, workers, batch, epochs):
    norm = T.Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))
    if kind == "small":
        tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(), norm])
    else:
        tf = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToTensor(), norm])
    ds = datasets.ImageFolder(root, transform=tf)
    dl = torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=True, num_workers=workers,
                                     persistent_workers=workers > 0)
    for e in range(epochs):
        t = time.time()
        n = 0
        for x, y in dl:
            n += x.shape[0]
        s = time.time() - t
        print("torch epoch %d: %d images %.2f s %.1f img/s" % (e, n, s, n / s), flush=True)


def decode_bench(root, limit, rounds):
    files = sorted(glob.glob(os.path.join(root, "**", "*.jpg"), recursive=True))[:limit]
    data = [open(f, "rb").read() for f in files]
    rates = []
    for r in range(rounds):
        t = time.time()
        n = 0
        while n == 0 or time.time() - t < 2.0:
            for b in data:
                Image.open(io.BytesIO(b)).convert("RGB").load()
                n += 1
        rates.append(n / (time.time() - t))
        print("round %d PIL %9.1f img/s" % (r, rates[-1]), flush=True)
    rates.sort()
    print("median PIL       %9.1f img/s  (%d images, %s)" % (rates[len(rates) // 2], len(data), root))


if __name__ == "__main__":
    torch.set_num_threads(1)
    if sys.argv[1] == "decode":
        decode_bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        loader_bench(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
