#!/usr/bin/python3
"""PyTorch's own ONNX export, the reference for convkit's (run with Debian's /usr/bin/python3, which
has torch 1.13 and torchvision; the product never runs Python).

  torch_onnx_export.py OUT   torchvision's resnet18 as convkit-core's torch_weights.py fidelity
                             makes it (seeded random weights, BatchNorm statistics from training
                             batches: OUT/resnet18.pth, .x.npy, .y.npy), and torch.onnx.export of
                             it: OUT/resnet18.torch.onnx (opset 17, eval mode, dynamic batch,
                             input "input", output "output")
"""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../convkit-core/src/test/python"))
import torch_weights  # noqa: E402


def main(out):
    torch_weights.fidelity(out, ["resnet18"])
    model = torchvision.models.resnet18(weights=None)
    model.load_state_dict(torch.load(os.path.join(out, "resnet18.pth")))
    model.eval()
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), os.path.join(out, "resnet18.torch.onnx"),
                      opset_version=17, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, do_constant_folding=True)


if __name__ == "__main__":
    main(sys.argv[1])
