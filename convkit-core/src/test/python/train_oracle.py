"""Reference values from PyTorch for the train package's tests (optimizers, schedules, losses).

Reads one JSON case from the file named on the command line and prints JSON with what torch
computes. Run with Debian's /usr/bin/python3 (the one with torch). Modes:

  optim:    apply torch.optim.<name>(**kwargs) for the given gradients, with a learning rate per
            step (and momentum per step when given, as OneCycleLR sets it); print the parameters
            and the optimizer state after every step
  schedule: step a torch.optim.lr_scheduler for n steps; print the lr (and momentum) per step
  loss:     cross_entropy(label_smoothing) / nll_loss over K heads (mean); print loss and the
            gradient w.r.t. the scores
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
case = json.load(open(sys.argv[1]))
mode = case["mode"]


def optim():
    params = [torch.tensor(p["data"], dtype=torch.float32).view(p["shape"]).requires_grad_() for p in case["params"]]
    kw = dict(case["kwargs"])
    name = case["name"]
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop}[name]
    opt = cls(params, lr=case["lrs"][0], **kw)
    history = []
    for t, grads in enumerate(case["grads"]):
        for p, g in zip(params, grads):
            p.grad = None if g is None else torch.tensor(g, dtype=torch.float32).view(p.shape)
        for group in opt.param_groups:
            group["lr"] = case["lrs"][t]
            if case.get("momenta"):
                if name in ("adam", "adamw"):
                    group["betas"] = (case["momenta"][t], group["betas"][1])
                else:
                    group["momentum"] = case["momenta"][t]
        opt.step()
        state = {}
        for i, p in enumerate(params):
            for k, v in opt.state.get(p, {}).items():
                if torch.is_tensor(v) and v.dim() > 0:
                    state["%d/%s" % (i, k)] = v.flatten().tolist()
        history.append({"params": [p.detach().flatten().tolist() for p in params], "state": state})
    print(json.dumps(history))


def schedule():
    p = torch.zeros(1, requires_grad=True)
    kind = case["kind"]
    n = case["steps"]
    base = case["lr"]
    if kind == "onecycle":
        opt = torch.optim.SGD([p], lr=base, momentum=0.9)
        sch = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=base, total_steps=n, **case.get("kwargs", {}))
    else:
        opt = torch.optim.SGD([p], lr=base, momentum=0.9)
        sch = {
            "step": lambda: torch.optim.lr_scheduler.StepLR(opt, **case["kwargs"]),
            "cosine": lambda: torch.optim.lr_scheduler.CosineAnnealingLR(opt, **case["kwargs"]),
            "linear": lambda: torch.optim.lr_scheduler.LinearLR(opt, **case["kwargs"]),
        }[kind]()
    lrs, moms = [], []
    for _ in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        sch.step()
    print(json.dumps({"lr": lrs, "momentum": moms}))


def loss():
    K, C = case["heads"], case["classes"]
    labels = torch.tensor(case["labels"], dtype=torch.long).view(-1, K)
    scores = [torch.tensor(s, dtype=torch.float32).view(-1, C).requires_grad_() for s in case["scores"]]
    if "share" in case:  # a mixed batch: soft targets as torchvision.transforms.v2's MixUp/CutMix make them
        share, rolled = case["share"], labels.roll(1, 0)
        targets = [share * F.one_hot(labels[:, k], C).float() + (1 - share) * F.one_hot(rolled[:, k], C).float()
                   for k in range(K)]
        per = [F.cross_entropy(scores[k], targets[k], label_smoothing=case["smoothing"]) for k in range(K)]
    elif case["loss"] == "ce":
        per = [F.cross_entropy(scores[k], labels[:, k], label_smoothing=case["smoothing"]) for k in range(K)]
    else:
        per = [F.nll_loss(scores[k], labels[:, k]) for k in range(K)]
    total = sum(per) / K
    total.backward()
    print(json.dumps({"loss": total.item(), "grads": [s.grad.flatten().tolist() for s in scores]}))


{"optim": optim, "schedule": schedule, "loss": loss}[mode]()
