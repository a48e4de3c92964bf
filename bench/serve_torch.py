"""The PyTorch side of bench/serve.sh: the plain HTTP server a PyTorch user writes around model(x).

    serve_torch.py make-models DIR
        writes DIR/resnet18.pth (torchvision's resnet18, 1000 classes, seeded init) and
        DIR/fm-simplecnn.pth (the Fashion-MNIST main job's network: two Conv3x3-BN-ReLU-MaxPool
        stages of 32 and 64 channels, FC 128, 10 classes; the homework's key names cnn.* / fc.*,
        which convkit's simplecnn reads), plus DIR/fm-classes.txt. Both sides serve these weights.
    serve_torch.py serve --model resnet18|fm-simplecnn --weights FILE --port N --transforms SPEC
                         --mean a,b,c --std d,e,f [--threads 2]
        serves POST /v1/predict (one image as the body) and GET /ready: the standard library's
        ThreadingHTTPServer (a thread per connection, HTTP/1.1 keep-alive), PIL decode, torchvision
        transforms (the same evaluation steps convkit's server reports), model(x) under
        torch.inference_mode(), softmax top-5 as JSON. No batching: each request its own forward
        pass, as a Flask-style script does.

Run with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14).
"""
import argparse
import io
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import torch
import torch.nn as nn
import torchvision
from PIL import Image
from torchvision import transforms as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bench import parse_transforms  # noqa: E402  (the bench's one --transforms reader)

FM_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


class FmSimpleCnn(nn.Module):
    """convkit's `simplecnn --arch 32,64 --fc 128` at 1x28x28, with its torch key names."""

    def __init__(self):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 32, 3, 1, 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(32, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2, 2))
        self.fc = nn.Sequential(nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.fc(torch.flatten(self.cnn(x), 1))


def build(name):
    if name == "resnet18":
        return torchvision.models.resnet18(num_classes=1000), torchvision.models.ResNet18_Weights.IMAGENET1K_V1.meta["categories"]
    if name == "fm-simplecnn":
        return FmSimpleCnn(), FM_CLASSES
    raise SystemExit("serve_torch: model %s not supported" % name)


def make_models(folder):
    os.makedirs(folder, exist_ok=True)
    for name in ("resnet18", "fm-simplecnn"):
        torch.manual_seed(0)
        model, _ = build(name)
        # BatchNorm statistics away from the identity, as in a trained network
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
        torch.save(model.state_dict(), os.path.join(folder, name + ".pth"))
    with open(os.path.join(folder, "fm-classes.txt"), "w") as f:
        f.write("\n".join(FM_CLASSES) + "\n")


def serve(a):
    torch.set_num_threads(a.threads)
    model, classes = build(a.model)
    model.load_state_dict(torch.load(a.weights, map_location="cpu"))
    model.eval()
    tf = parse_transforms(a.transforms)
    tf.transforms.append(T.Normalize([float(v) for v in a.mean.split(",")], [float(v) for v in a.std.split(",")]))
    mode = "L" if a.model == "fm-simplecnn" else "RGB"
    with torch.inference_mode():  # warm-up, as convkit's server does
        model(tf(Image.new(mode, (32, 32))).unsqueeze(0))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the load client expects

        def log_message(self, *args):
            pass

        def answer(self, status, doc):
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/ready":
                self.answer(200, {"status": "ready"})
            else:
                self.answer(404, {"error": "not found"})

        def do_POST(self):
            data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                x = tf(Image.open(io.BytesIO(data)).convert(mode)).unsqueeze(0)
            except Exception as e:  # noqa: BLE001  (a bad upload, answered)
                self.answer(415, {"error": str(e)})
                return
            with torch.inference_mode():
                p = torch.softmax(model(x)[0], 0)
            top = torch.topk(p, min(5, len(classes)))
            self.answer(200, {"predictions": [{
                "label": classes[int(top.indices[0])], "probability": float(top.values[0]),
                "top": [{"label": classes[int(i)], "probability": float(v)} for v, i in zip(top.values, top.indices)]}]})

    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    server.daemon_threads = True
    print("serving %s on http://127.0.0.1:%d/" % (a.model, a.port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "make-models":
        make_models(sys.argv[2])
        return
    p = argparse.ArgumentParser(prog="serve_torch.py serve")
    p.add_argument("cmd", choices=["serve"])
    p.add_argument("--model", required=True)
    p.add_argument("--weights", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--transforms", required=True)
    p.add_argument("--mean", required=True)
    p.add_argument("--std", required=True)
    p.add_argument("--threads", type=int, default=2)
    serve(p.parse_args())


if __name__ == "__main__":
    main()
