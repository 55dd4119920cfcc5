// The treemap of `wct size --html`: squarified rectangles for the parts of the item in
// view, a click zooms into an item that has parts, the breadcrumb zooms out. No network,
// no external scripts. `?selftest` clicks the largest zoomable rectangle after loading and
// records what happened on <body> (used by wct's browser test).
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("wct-data").textContent);
  const map = document.getElementById("map");
  const crumbs = document.getElementById("crumbs");
  const colors = { component: "#cfe3ff", module: "#d7f0d0", section: "#fff1c2",
    custom: "#f3d9f7", "debug-info": "#ffd6d6", function: "#e6e6fa",
    "data-segment": "#ffe4c4", header: "#eeeeee", unparsed: "#ffb3b3", own: "#f2f2f2" };

  function human(n) {
    if (n < 1e3) return n + " B";
    if (n < 1e6) return (n / 1e3).toFixed(1) + " kB";
    if (n < 1e9) return (n / 1e6).toFixed(1) + " MB";
    return (n / 1e9).toFixed(2) + " GB";
  }

  // The parts to draw for `node`: its children, plus its own bytes (section headers and
  // the like) so the areas add up to the node's size.
  function parts(node) {
    const kids = (node.c || []).filter((c) => c.s > 0).slice();
    const own = node.s - kids.reduce((a, c) => a + c.s, 0);
    if (own > 0) kids.push({ n: "(own bytes)", s: own, k: "own" });
    kids.sort((a, b) => b.s - a.s);
    return kids;
  }

  // Squarified layout (Bruls, Huizing, van Wijk) of `items` into the rectangle.
  function squarify(items, x, y, w, h) {
    const total = items.reduce((a, c) => a + c.s, 0);
    const out = [];
    if (total <= 0 || w <= 0 || h <= 0) return out;
    const scale = (w * h) / total;
    let rest = items.map((c) => ({ item: c, area: c.s * scale }));
    while (rest.length) {
      const side = Math.min(w, h);
      let row = [rest[0]], worst = ratio(row, side), i = 1;
      while (i < rest.length) {
        const next = worst_of(row.concat([rest[i]]), side);
        if (next > worst) break;
        row.push(rest[i]); worst = next; i++;
      }
      const sum = row.reduce((a, r) => a + r.area, 0);
      const thick = sum / side;
      let offset = 0;
      for (const r of row) {
        const len = r.area / thick;
        if (w >= h) out.push({ item: r.item, x: x, y: y + offset, w: thick, h: len });
        else out.push({ item: r.item, x: x + offset, y: y, w: len, h: thick });
        offset += len;
      }
      if (w >= h) { x += thick; w -= thick; } else { y += thick; h -= thick; }
      rest = rest.slice(i);
    }
    return out;
  }
  function ratio(row, side) { return worst_of(row, side); }
  function worst_of(row, side) {
    const sum = row.reduce((a, r) => a + r.area, 0);
    let worst = 0;
    for (const r of row) {
      const a = (side * side * r.area) / (sum * sum), b = (sum * sum) / (side * side * r.area);
      worst = Math.max(worst, a, b);
    }
    return worst;
  }

  let path = [data.root];

  function draw() {
    const node = path[path.length - 1];
    map.textContent = "";
    const w = map.clientWidth, h = map.clientHeight;
    const rects = squarify(parts(node), 0, 0, w, h);
    let area = 0;
    for (const r of rects) {
      area += r.w * r.h;
      const el = document.createElement("div");
      el.className = "rect";
      el.style.left = r.x + "px"; el.style.top = r.y + "px";
      el.style.width = r.w + "px"; el.style.height = r.h + "px";
      el.style.background = colors[r.item.k] || "#ddd";
      el.dataset.size = r.item.s;
      el.dataset.area = r.w * r.h;
      const share = ((r.item.s * 100) / data.root.s).toFixed(1);
      const labels = (r.item.l || []).join(", ");
      el.title = r.item.n + "\n" + human(r.item.s) + " (" + share + "% of the file)" +
        (labels ? "\n" + labels : "") + (r.item.d ? "\nchange " + r.item.d + " bytes" : "");
      if (r.item.d > 0) el.classList.add("grown");
      if (r.item.d < 0) el.classList.add("shrunk");
      if (r.w > 40 && r.h > 14) {
        const name = document.createElement("div");
        name.textContent = r.item.n;
        const size = document.createElement("div");
        size.className = "size";
        size.textContent = human(r.item.s) + (labels ? " · " + labels : "");
        el.append(name, size);
      }
      if (r.item.c && r.item.c.length && r.w > 80 && r.h > 60) {
        // One level of its parts inside, below its name, so the structure shows.
        for (const p of squarify(parts(r.item), 2, 30, r.w - 6, r.h - 34)) {
          const inner = document.createElement("div");
          inner.className = "rect inner";
          inner.style.left = p.x + "px"; inner.style.top = p.y + "px";
          inner.style.width = p.w + "px"; inner.style.height = p.h + "px";
          inner.style.background = colors[p.item.k] || "#ddd";
          inner.title = p.item.n + "\n" + human(p.item.s);
          if (p.w > 50 && p.h > 14) inner.textContent = p.item.n;
          el.appendChild(inner);
        }
      }
      if (r.item.c && r.item.c.length) {
        el.classList.add("zoomable");
        el.addEventListener("click", () => { path.push(r.item); draw(); });
      }
      map.appendChild(el);
    }
    document.body.dataset.rects = rects.length;
    document.body.dataset.sizeSum = rects.reduce((a, r) => a + r.item.s, 0);
    document.body.dataset.viewSize = node.s;
    document.body.dataset.areaError = Math.abs(area - w * h) / (w * h || 1);
    document.body.dataset.view = path.map((p) => p.n).join(" / ");
    crumbs.textContent = "";
    path.forEach((p, i) => {
      if (i > 0) {
        const sep = document.createElement("span");
        sep.className = "sep"; sep.textContent = "›";
        crumbs.appendChild(sep);
      }
      const a = document.createElement("a");
      a.textContent = p.n + " (" + human(p.s) + ")";
      a.addEventListener("click", () => { path = path.slice(0, i + 1); draw(); });
      crumbs.appendChild(a);
    });
  }

  draw();
  window.addEventListener("resize", draw);
  if (location.search.indexOf("selftest") >= 0) {
    const before = document.body.dataset.view;
    const target = map.querySelector(":scope > .rect.zoomable");
    if (target) target.click();
    document.body.dataset.selftest = before + " => " + document.body.dataset.view;
  }
})();
