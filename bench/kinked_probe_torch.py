#!/usr/bin/env python3
# Why the engine self-check takes no gradient through ReLU or max pooling of computed values
# (docs/engine.md, "Gradients only where they exist"): the earlier whole-network training probe
# (convkit's Probes.layers: conv-BN-ReLU, max pool 3x3/2, a residual block, an Inception-style
# concat with a 3x3/1 max pool, pools, Linear) in PyTorch, float32 against float64, for random draws
# of its weights and input, weights drawn as the check draws them.
# Usage: /usr/bin/python3 bench/kinked_probe_torch.py [DRAWS]   (default 80)
# Prints each draw whose float32 input gradient is further than the check's 2e-4 (of the largest
# magnitude) from float64, then how many of the draws that was.
import sys

import torch
import torch.nn as nn


class Residual(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return torch.relu(self.f(x) + x)


class Concat(nn.Module):
    def __init__(self, a, b):
        super().__init__()
        self.a, self.b = a, b

    def forward(self, x):
        return torch.cat([self.a(x), self.b(x)], 1)


def network():
    return nn.Sequential(
        nn.Conv2d(32, 48, 3, 1, 1, bias=False), nn.BatchNorm2d(48), nn.ReLU(), nn.MaxPool2d(3, 2, 1),
        Residual(nn.Sequential(nn.Conv2d(48, 48, 3, 1, 1, bias=False), nn.BatchNorm2d(48), nn.ReLU(),
                               nn.Conv2d(48, 48, 3, 1, 1, bias=False), nn.BatchNorm2d(48))),
        Concat(nn.Sequential(nn.Conv2d(48, 32, 1), nn.ReLU()),
               nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(48, 16, 1), nn.Sigmoid())),
        nn.AvgPool2d(2, 2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(48, 10))


def draw(seed):
    torch.manual_seed(seed)
    net = network().double()
    modules = dict(net.named_modules())
    with torch.no_grad():
        for name, p in net.named_parameters():
            owner = modules[name.rsplit('.', 1)[0]]
            if p.dim() > 1:
                p.normal_(0, 1 / p[0].numel() ** 0.5)
            elif isinstance(owner, nn.BatchNorm2d) and name.endswith('weight'):
                p.uniform_(0.5, 1.5)
            else:
                p.normal_(0, 0.1)
    x = torch.randn(4, 32, 28, 28, dtype=torch.float64)
    cotangent = torch.randn(4, 10, dtype=torch.float64)
    # float32-representable values, as the check's probes use: both precisions solve one problem
    state = {k: v.float().double() for k, v in net.state_dict().items()}
    return state, x.float().double(), cotangent.float().double()


def input_gradient(state, x, cotangent, dtype):
    net = network().to(dtype)
    net.load_state_dict({k: v.to(dtype) for k, v in state.items()})
    net.train()
    xi = x.to(dtype).clone().requires_grad_(True)
    (net(xi) * cotangent.to(dtype)).sum().backward()
    return xi.grad.double()


def main():
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    failed = 0
    for seed in range(draws):
        state, x, cotangent = draw(seed)
        ref = input_gradient(state, x, cotangent, torch.float64)
        err = ((input_gradient(state, x, cotangent, torch.float32) - ref).abs().max() / ref.abs().max()).item()
        if err > 2e-4:
            failed += 1
            print(f"draw {seed}: float32 input gradient {err:.1e} from float64")
    print(f"{failed} of {draws} draws beyond 2e-4 (torch {torch.__version__}, {torch.get_num_threads()} threads)")


if __name__ == '__main__':
    main()
