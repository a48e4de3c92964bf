"""Reference metrics computed with PyTorch, for MetricsOracleTest.

Reads a JSON case {classes, heads, blank, logits: [flat N*C per head], labels: flat N*K} from the
file named on the command line and prints what torch says: cross-entropy, top-5, accuracies,
confusion counts, and precision/recall/F1 from the textbook definitions over torch-computed
TP/FP/FN counts. Run with Debian's /usr/bin/python3 (the one with torch).
"""
import json
import sys

import torch
import torch.nn.functional as F

case = json.load(open(sys.argv[1]))
C, K, blank = case["classes"], case["heads"], case["blank"]
labels = torch.tensor(case["labels"], dtype=torch.long).view(-1, K)
logits = [torch.tensor(h, dtype=torch.float32).view(-1, C).double() for h in case["logits"]]
N = labels.shape[0]

# loss: mean cross-entropy per head, then the mean over heads
loss = sum(F.cross_entropy(logits[k], labels[:, k]) for k in range(K)) / K

pred = torch.stack([l.argmax(dim=1) for l in logits], dim=1)  # (N, K)
position_acc = (pred == labels).double().mean(dim=0)

def strip(row):
    return [int(c) for c in row if int(c) != blank]

if K > 1 and blank >= 0:
    seq_acc = sum(strip(pred[i]) == strip(labels[i]) for i in range(N)) / N
else:
    seq_acc = (pred == labels).all(dim=1).double().mean().item()

top5 = None
if C >= 10:
    hits = 0
    for k in range(K):
        top = torch.topk(logits[k], 5, dim=1).indices
        hits += (top == labels[:, k:k + 1]).any(dim=1).sum().item()
    top5 = hits / (N * K)

t, p = labels.reshape(-1), pred.reshape(-1)
confusion = torch.bincount(t * C + p, minlength=C * C).view(C, C)
tp = confusion.diag().double()
fp = confusion.sum(dim=0).double() - tp
fn = confusion.sum(dim=1).double() - tp
precision = torch.where(tp + fp > 0, tp / (tp + fp).clamp(min=1), torch.zeros_like(tp))
recall = torch.where(tp + fn > 0, tp / (tp + fn).clamp(min=1), torch.zeros_like(tp))
f1 = torch.where(precision + recall > 0, 2 * precision * recall / (precision + recall).clamp(min=1e-300),
                 torch.zeros_like(tp))
present = (tp + fp + fn) > 0
support = tp + fn

print(json.dumps({
    "loss": loss.item(),
    "position_accuracy": position_acc.tolist(),
    "sequence_accuracy": float(seq_acc),
    "top5": top5,
    "confusion": confusion.tolist(),
    "precision": precision.tolist(),
    "recall": recall.tolist(),
    "f1": f1.tolist(),
    "macro_f1": f1[present].mean().item(),
    "weighted_f1": ((f1 * support).sum() / support.sum()).item(),
}))
