"""Reference values for convkit's IDX reader: torchvision's own FashionMNIST dataset class.

Usage: /usr/bin/python3 fashion_mnist_reference.py DIR_WITH_GZ_FILES
Prints JSON: sizes, classes, the first 50 labels of each split, and two images' pixels.
"""
import gzip
import json
import os
import shutil
import sys
import tempfile

from torchvision.datasets import FashionMNIST


def main(src):
    root = tempfile.mkdtemp()
    try:
        raw = os.path.join(root, "FashionMNIST", "raw")
        os.makedirs(raw)
        # torchvision reads the uncompressed files from root/FashionMNIST/raw
        for name in os.listdir(src):
            if name.endswith(".gz"):
                with gzip.open(os.path.join(src, name)) as f, open(os.path.join(raw, name[:-3]), "wb") as g:
                    shutil.copyfileobj(f, g)
        train = FashionMNIST(root, train=True, download=False)
        test = FashionMNIST(root, train=False, download=False)
        out = {
            "train": len(train),
            "test": len(test),
            "classes": train.classes,
            "train_labels": train.targets[:50].tolist(),
            "test_labels": test.targets[:50].tolist(),
            "train_0": train.data[0].flatten().tolist(),
            "test_last": test.data[-1].flatten().tolist(),
        }
        print(json.dumps(out))
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main(sys.argv[1])
