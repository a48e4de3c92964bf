"""Prints torchvision's layout of some models as JSON, the reference for convkit's zoo.

usage: /usr/bin/python3 torchvision_layouts.py NAME[:keys] ...

For every NAME: {"params": sum of parameter sizes, "keys": {state-dict key: shape}} (keys only
when asked with ":keys"; num_batches_tracked is left out, convkit has no such buffer).
googlenet is built as convkit builds it: aux_logits=False, init_weights=True.
"""
import json
import sys

import torch
import torchvision


def build(name):
    if name == "googlenet":
        return torchvision.models.googlenet(aux_logits=False, init_weights=True)
    return getattr(torchvision.models, name)()


def main(args):
    torch.manual_seed(0)
    out = {}
    for arg in args:
        name, _, what = arg.partition(":")
        model = build(name)
        entry = {"params": sum(p.numel() for p in model.parameters())}
        if what == "keys":
            entry["keys"] = {k: list(v.shape) for k, v in model.state_dict().items()
                             if not k.endswith("num_batches_tracked")}
        out[name] = entry
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
