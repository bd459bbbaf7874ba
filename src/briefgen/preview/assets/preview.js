// briefgen preview: follow the server's event stream, refresh the state, swap the HTML without flicker,
// keep the PDF link and page images current, and show errors in an overlay. Same-origin requests only.
"use strict";
(() => {
  const body = document.body;
  const key = body.dataset.doc || "";
  const $ = (id) => document.getElementById(id);
  let shown = null;            // fingerprint of the HTML on screen
  let signature = body.dataset.signature || null;
  let pdfShown = null;         // fingerprint of the PDF whose pages are listed
  let dismissed = null;        // errors the reader hid, until they change
  let busy = false;
  let again = false;

  function setLive(on) {
    const live = $("live");
    live.className = "live " + (on ? "on" : "off");
    live.title = on ? "Live reload: connected" : "Live reload: disconnected; retrying";
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function showErrors(errors) {
    const overlay = $("overlay");
    const text = JSON.stringify(errors.map((e) => e.text));
    body.dataset.errors = String(errors.length);
    if (!errors.length) { overlay.hidden = true; dismissed = null; return; }
    if (text === dismissed) return;
    $("overlay-title").textContent = errors.length === 1 ? "1 error" : `${errors.length} errors`;
    const list = $("overlay-errors");
    list.replaceChildren();
    for (const e of errors) {
      const item = el("li", "error");
      const where = [e.file, e.line, e.col].filter((x) => x !== null && x !== undefined && x !== "").join(":");
      item.append(el("div", "where", where || "(no file)"));
      item.append(el("div", "message", e.message));
      if (e.hint) item.append(el("div", "hint", e.hint));
      if (e.excerpt && e.excerpt.length) {
        const pre = el("pre");
        for (const line of e.excerpt) {
          const span = el("span", line.here ? "here" : "");
          span.append(el("b", "", String(line.n)), document.createTextNode(line.text));
          pre.append(span);
        }
        item.append(pre);
      }
      list.append(item);
    }
    overlay.dataset.errors = text;
    overlay.hidden = false;
  }

  function swapFrame(url, fingerprint) {
    const front = document.querySelector(".frames iframe.front");
    const back = document.querySelector(".frames iframe.back");
    if (!front.getAttribute("src")) {
      front.src = url;
      front.dataset.fingerprint = fingerprint;
      return;
    }
    let x = 0, y = 0;
    try { x = front.contentWindow.scrollX; y = front.contentWindow.scrollY; } catch (err) { /* not loaded yet */ }
    back.onload = () => {
      back.onload = null;
      try { back.contentWindow.scrollTo(x, y); } catch (err) { /* ignore */ }
      back.className = "front";
      back.removeAttribute("aria-hidden");
      front.className = "back";
      front.setAttribute("aria-hidden", "true");
    };
    back.dataset.fingerprint = fingerprint;
    back.src = url;
  }

  const PDF_STATUS = {
    none: () => "not built yet", queued: () => "queued", building: () => "building…",
    blocked: () => "waiting: fix the errors", error: () => "PDF failed",
    ok: (p) => `${p.pages} page${p.pages === 1 ? "" : "s"} · built in ${p.seconds} s`,
  };

  function showPdf(p) {
    const link = $("pdf-link");
    const status = $("pdf-status");
    status.textContent = (PDF_STATUS[p.status] || (() => p.status))(p);
    status.className = "status " + p.status;
    status.title = (p.error || []).map((e) => e.text).join("\n");
    if (p.url) link.href = p.url; else link.removeAttribute("href");
    if (p.status === "ok" && p.fingerprint !== pdfShown) {
      pdfShown = p.fingerprint;
      const box = $("pages");
      box.replaceChildren();
      for (let n = 1; n <= p.pages; n++) {
        const figure = el("figure");
        const img = el("img");
        img.loading = "lazy";
        img.width = 850;
        img.height = 1100;
        img.alt = `Page ${n} of ${p.pages}`;
        img.src = `${p.page_url}${n}.png?v=${p.fingerprint}`;
        figure.append(img, el("figcaption", "", `Page ${n} of ${p.pages}`));
        box.append(figure);
      }
    }
  }

  function apply(state) {
    showErrors(state.errors);
    if (!key) {
      if (signature && state.signature !== signature) location.reload();
      signature = state.signature;
      return;
    }
    const doc = state.doc;
    const note = $("doc-note");
    if (!doc) {
      note.textContent = "This document is no longer in the build plan.";
      note.hidden = false;
      return;
    }
    note.textContent = doc.note || "";
    note.hidden = !doc.note;
    const left = $("doc-omitted");
    if (left) {
      const lines = doc.omitted || [];
      left.replaceChildren(...lines.map((line) => el("li", "", line)));
      $("omitted").hidden = !lines.length;
    }
    if (doc.html_url && doc.fingerprint !== shown) {
      shown = doc.fingerprint;
      body.dataset.fingerprint = shown;
      swapFrame(doc.html_url, shown);
    }
    showPdf(doc.pdf);
    showChanges();
  }

  // The Changes tab: the redline against the last edition, loaded when shown and after every change.
  function showChanges() {
    const frame = $("frame-changes");
    if (!frame || $("tab-changes").hidden || !shown || frame.dataset.fingerprint === shown) return;
    frame.dataset.fingerprint = shown;
    frame.src = `${frame.dataset.src}?v=${shown}`;
  }

  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      do {
        again = false;
        const response = await fetch(`/api/state?doc=${encodeURIComponent(key)}`, { cache: "no-store" });
        apply(await response.json());
      } while (again);
    } catch (err) {
      setLive(false);
    } finally {
      busy = false;
    }
  }

  function showTab(name) {
    for (const button of document.querySelectorAll("[data-tab]")) {
      const on = button.dataset.tab === name;
      button.setAttribute("aria-selected", String(on));
      $("tab-" + button.dataset.tab).hidden = !on;
    }
    history.replaceState(null, "", name === "html" ? location.pathname : "#" + name);
    if (name === "changes") showChanges();
  }

  for (const button of document.querySelectorAll("[data-tab]")) {
    button.addEventListener("click", () => showTab(button.dataset.tab));
  }
  if (key && location.hash === "#pages") showTab("pages");
  if (key && location.hash === "#changes" && $("tab-changes")) showTab("changes");
  $("overlay-close").addEventListener("click", () => {
    dismissed = $("overlay").dataset.errors || null;
    $("overlay").hidden = true;
  });

  const events = new EventSource("/events");
  events.onopen = () => { setLive(true); refresh(); };
  events.onerror = () => setLive(false);
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "pdf" && event.doc !== key) return;
    refresh();
  };
  refresh();
})();
