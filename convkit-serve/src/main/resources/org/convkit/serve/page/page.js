// The page of `convkit serve`: pick or drop images, each is sent to POST /v1/predict as a
// multipart form and its top-k classes are drawn as bars. Plain DOM, no library, no CDN.
"use strict";

const $ = (id) => document.getElementById(id);
let card = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

const pct = (p) => (100 * p).toFixed(1) + "%";

async function loadCard() {
  try {
    const r = await fetch("/v1/model");
    const body = await r.json();
    if (!r.ok) throw new Error(body.error ? body.error.message : r.statusText);
    card = body;
    $("model-name").textContent = "— " + card.name;
    $("status").textContent = "Ready: " + card.architecture + ", " + card.classes.length + " classes"
      + (card.heads > 1 ? " × " + card.heads + " positions" : "") + ", on " + card.engine + ".";
    $("topk").max = String(card.classes.length);
    $("topk").value = String(Math.min(card.server.top_k, card.classes.length));
    const rows = [
      ["name", card.name], ["version", card.version], ["architecture", card.architecture],
      ["input", card.input.channels + "×" + card.input.height + "×" + card.input.width],
      ["classes", card.classes.length <= 20 ? card.classes.join(", ") : card.classes.slice(0, 20).join(", ") + ", … (" + card.classes.length + ")"],
      ["heads", String(card.heads)],
      ["normalization", "mean " + card.normalization.mean.map((v) => v.toFixed(3)).join("/") + ", std " + card.normalization.std.map((v) => v.toFixed(3)).join("/")],
      ["transforms", card.transforms.replaceAll(",", ", ")], ["parameters", card.parameters.toLocaleString("en")],
      ["weights SHA-256", card.weights_sha256 ? card.weights_sha256.slice(0, 16) + "…" : "unknown"], ["engine", card.engine],
      ["batching", "up to " + card.server.max_batch + " images, gathered for " + card.server.max_wait_ms + " ms"],
      ["limits", (card.server.max_upload_bytes / 1048576).toFixed(1) + " MB per upload, "
        + card.server.max_pixels.toLocaleString("en") + " pixels per image"],
    ];
    const dl = $("card");
    dl.replaceChildren();
    for (const [k, v] of rows) dl.append(el("dt", {}, k), el("dd", {}, v));
  } catch (e) {
    $("status").textContent = "The model is not ready (" + e.message + "); retrying…";
    setTimeout(loadCard, 1000);
  }
}

function bars(top) {
  const ul = el("ul", { class: "bars" });
  for (const s of top) {
    const fill = el("div", { class: "fill" });
    fill.style.width = pct(s.probability);
    ul.append(el("li", {},
      el("span", { class: "name", title: s.label }, s.label),
      el("div", { class: "track", role: "img", "aria-label": s.label + " " + pct(s.probability) }, fill),
      el("span", { class: "pct" }, pct(s.probability))));
  }
  return ul;
}

async function classify(file) {
  const item = el("li", { class: "result", "data-state": "pending" });
  const img = el("img", { alt: file.name });
  img.src = URL.createObjectURL(file);
  const body = el("div", {}, el("h3", {}, file.name), el("p", { class: "meta" }, "classifying…"));
  item.append(img, body);
  $("results").prepend(item);

  const form = new FormData();
  form.append("image", file, file.name);
  const k = Math.max(1, parseInt($("topk").value, 10) || 5);
  const t0 = performance.now();
  let r, json;
  try {
    r = await fetch("/v1/predict?top_k=" + k, { method: "POST", body: form });
    json = await r.json();
  } catch (e) {
    json = { error: { message: "no answer from the server: " + e.message } };
  }
  const ms = performance.now() - t0;
  const p = json.predictions ? json.predictions[0] : null;
  body.replaceChildren(el("h3", {}, file.name));
  if (!p || p.error) {
    const err = (p && p.error) || json.error || { message: "HTTP " + (r ? r.status : "?") };
    body.append(el("p", { class: "error", role: "alert" }, "Not classified: " + err.message));
    item.dataset.state = "error";
    return;
  }
  body.append(el("p", { class: "label" }, p.label),
    el("p", { class: "meta" }, pct(p.probability) + " · " + ms.toFixed(0) + " ms round trip"
      + " (server " + json.took_ms.toFixed(1) + " ms, batch of " + p.batch_size + ")"));
  if (p.heads) {
    p.heads.forEach((top, i) => body.append(el("p", { class: "position" }, "position " + (i + 1)), bars(top)));
  } else {
    body.append(bars(p.top));
  }
  item.dataset.state = "done";
  item.dataset.label = p.label;
}

function take(files) {
  for (const f of files) classify(f);
}

document.addEventListener("DOMContentLoaded", () => {
  loadCard();
  $("files").addEventListener("change", (e) => { take(e.target.files); e.target.value = ""; });
  $("clear").addEventListener("click", () => $("results").replaceChildren());
  const drop = $("drop");
  // the whole window takes drops, so a near miss does not open the image in the tab instead
  window.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  window.addEventListener("dragleave", (e) => { if (!e.relatedTarget) drop.classList.remove("over"); });
  window.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    take(e.dataTransfer.files);
  });
});
