"""Reference outputs from torchvision 0.14 + PIL for convkit's decoder and transform tests.

Run with Debian's /usr/bin/python3 (the only Python here with torch). Two modes:

  fixtures OUT CIFAR_TGZ [PHOTO ...]
      Writes test images to OUT: CIFAR JPEGs re-saved as PNG (lossless, so decoders cannot
      differ), real photos scaled to about 640 px and saved as PNG, plus decoder cases (16-bit,
      palette, gray, alpha PNGs, progressive and CMYK JPEGs, EXIF orientations, GIF, BMP), each
      with PIL's decoded RGB pixels as raw bytes (NAME.rgb, with NAME.json holding the size).
      Prints the list of files as JSON.

  run JOB.json
      JOB = {"cases": [{"input": png, "ops": [...], "normalize": {"mean": [], "std": []} | null,
      "out": path}]}. Applies the ops with torchvision's functional API on the PIL image, then
      ToTensor (+ Normalize), and writes the float32 CHW tensor (little endian) to "out".
"""
import io
import json
import os
import sys
import tarfile

import numpy as np
import torch
import torchvision.transforms.functional as F
from PIL import Image, ImageOps


def save_reference(img, path, out_dir, files, name=None):
    """Store PIL's RGB decoding of `path` (EXIF applied) next to it."""
    with Image.open(path) as im:
        rgb = ImageOps.exif_transpose(im).convert("RGB")
    base = os.path.join(out_dir, name or os.path.basename(path))
    with open(base + ".rgb", "wb") as f:
        f.write(np.asarray(rgb, dtype=np.uint8).tobytes())
    with open(base + ".json", "w") as f:
        json.dump({"width": rgb.width, "height": rgb.height}, f)
    files.append(path)


def fixtures(out, tgz, photos):
    os.makedirs(out, exist_ok=True)
    pngs, decode = [], []
    with tarfile.open(tgz, "r:gz") as tar:
        n = 0
        for m in tar:
            if m.isfile() and m.name.endswith(".jpg"):
                data = tar.extractfile(m).read()
                im = Image.open(io.BytesIO(data)).convert("RGB")
                p = os.path.join(out, "cifar_%02d.png" % n)
                im.save(p)
                pngs.append(p)
                if n < 4:  # the original JPEGs too, for the decoder comparison
                    jp = os.path.join(out, "cifar_%02d.jpg" % n)
                    with open(jp, "wb") as f:
                        f.write(data)
                    save_reference(None, jp, out, decode)
                n += 1
                if n == 12:
                    break
    base = None
    for i, ph in enumerate(photos):
        im = Image.open(ph).convert("RGB")
        s = 640 / max(im.size)
        im = im.resize((round(im.width * s), round(im.height * s)), Image.BICUBIC)
        p = os.path.join(out, "photo_%d.png" % i)
        im.save(p)
        pngs.append(p)
        if base is None:
            base = im
    if base is None:  # no photos on this machine: build decoder cases from a CIFAR image
        base = Image.open(pngs[0]).convert("RGB").resize((96, 72), Image.BICUBIC)
    small = base.resize((base.width // 2, base.height // 2), Image.BILINEAR)

    def case(name, save):
        p = os.path.join(out, name)
        save(p)
        save_reference(None, p, out, decode)

    case("rgb8.png", lambda p: small.save(p))
    case("gray8.png", lambda p: small.convert("L").save(p))
    case("palette.png", lambda p: small.convert("P", palette=Image.ADAPTIVE, colors=64).save(p))
    rgba = small.convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize(small.size))
    case("rgba.png", lambda p: rgba.save(p))
    case("gray_alpha.png", lambda p: rgba.convert("LA").save(p))
    # 16-bit gray: PIL's own mode for it (I;16) converts to RGB by clipping at 255, which makes
    # most images white; convkit keeps the high byte. The reference is therefore the high byte.
    g16 = (np.asarray(small.convert("L"), dtype=np.uint16) * 257 + 3).astype(np.uint16)
    p16 = os.path.join(out, "gray16.png")
    Image.fromarray(g16).save(p16)
    hi = np.repeat((g16 >> 8).astype(np.uint8)[:, :, None], 3, axis=2)
    with open(p16 + ".rgb", "wb") as f:
        f.write(hi.tobytes())
    with open(p16 + ".json", "w") as f:
        json.dump({"width": small.width, "height": small.height}, f)
    decode.append(p16)
    case("baseline.jpg", lambda p: small.save(p, quality=90))
    case("progressive.jpg", lambda p: small.save(p, quality=90, progressive=True))
    case("gray.jpg", lambda p: small.convert("L").save(p, quality=90))
    case("cmyk.jpg", lambda p: small.convert("CMYK").save(p, quality=95))
    case("frame.gif", lambda p: small.convert("P", palette=Image.ADAPTIVE).save(p))
    case("image.bmp", lambda p: small.save(p))
    case("lossless.webp", lambda p: small.save(p, lossless=True))
    for o in range(2, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        case("exif%d.jpg" % o, lambda p: small.save(p, quality=90, exif=exif.tobytes()))
    print(json.dumps({"pngs": pngs, "decode": decode}))


def run(job_path):
    with open(job_path) as f:
        job = json.load(f)
    for c in job["cases"]:
        img = Image.open(c["input"]).convert("RGB")
        for op in c["ops"]:
            img = apply(img, op)
        t = F.to_tensor(img)
        if c.get("normalize"):
            t = F.normalize(t, c["normalize"]["mean"], c["normalize"]["std"])
        with open(c["out"], "wb") as f:
            f.write(t.contiguous().numpy().astype("<f4").tobytes())
        with open(c["out"] + ".shape", "w") as f:
            f.write(" ".join(str(d) for d in t.shape))


def apply(img, op):
    k = op["op"]
    if k == "resize":
        return F.resize(img, op["size"])
    if k == "centercrop":
        return F.center_crop(img, op["size"])
    if k == "resized_crop":
        return F.resized_crop(img, op["top"], op["left"], op["height"], op["width"], op["size"])
    if k == "pad_crop":
        if any(op["padding"]):
            img = F.pad(img, op["padding"], fill=op.get("fill", 0), padding_mode=op.get("padding_mode", "constant"))
        return F.crop(img, op["top"], op["left"], op["height"], op["width"])
    if k == "hflip":
        return F.hflip(img)
    if k == "vflip":
        return F.vflip(img)
    if k == "rotate":
        return F.rotate(img, op["angle"])
    if k == "grayscale":
        return F.rgb_to_grayscale(img, op["channels"])
    if k == "jitter":  # the order and factors ColorJitter.forward would have drawn
        for fn in op["order"]:
            if fn == 0 and op.get("brightness") is not None:
                img = F.adjust_brightness(img, op["brightness"])
            elif fn == 1 and op.get("contrast") is not None:
                img = F.adjust_contrast(img, op["contrast"])
            elif fn == 2 and op.get("saturation") is not None:
                img = F.adjust_saturation(img, op["saturation"])
            elif fn == 3 and op.get("hue") is not None:
                img = F.adjust_hue(img, op["hue"])
        return img
    raise ValueError("unknown op " + k)


if __name__ == "__main__":
    torch.set_num_threads(1)
    if sys.argv[1] == "fixtures":
        fixtures(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif sys.argv[1] == "run":
        run(sys.argv[2])
    else:
        sys.exit("usage: transforms_oracle.py fixtures OUT CIFAR_TGZ [PHOTO...] | run JOB.json")
