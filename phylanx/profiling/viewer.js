// phylanx profile viewer: an execution tree (SVG, only the rows in view are drawn, so trees of
// many thousands of nodes stay responsive) beside the Python source and the final PhySL.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("profile-data").textContent);
  const ROW_H = 22, INDENT = 18, BOX_W = 250, TIME_W = 190, MARGIN = 8, OVERSCAN = 20;
  const GROUP_MIN_CHILDREN = 8;     // group a node's children by source line above this
  const AUTO_GROUP_NODES = 400;     // trees this large start grouped and partly collapsed
  const SVGNS = "http://www.w3.org/2000/svg";

  const nodes = D.nodes;
  const kids = nodes.map(() => []);
  nodes.forEach(n => { if (n.p >= 0) kids[n.p].push(n.id); });
  let metric = "incl";
  let grouping = nodes.length > AUTO_GROUP_NODES;
  let items = [];          // display items: {key, node|null, group info, children: [items]}
  let rows = [];           // flattened visible items, in order
  const expanded = new Set();
  const highlighted = new Set();   // node ids highlighted from the code panes
  let hoveredKey = null;

  const fmt = ns => {
    const ms = ns / 1e6;
    if (ms >= 100) return ms.toFixed(0) + " ms";
    if (ms >= 1) return ms.toFixed(2) + " ms";
    if (ms >= 0.001) return (ms * 1000).toFixed(ms >= 0.01 ? 1 : 2) + " µs";
    return ns + " ns";
  };
  const esc = s => String(s).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                                                       "\"": "&quot;"})[c]);

  // -- display tree (optionally grouping children by source line) ------------------------------
  function makeItem(id) {
    const n = nodes[id];
    return {key: "n" + id, node: n, incl: n.i, excl: n.e, count: n.n,
            children: buildChildren(id)};
  }
  function buildChildren(id) {
    const ch = kids[id];
    if (!grouping || ch.length <= GROUP_MIN_CHILDREN) return ch.map(makeItem);
    const byLine = new Map();
    ch.forEach(c => {
      const k = nodes[c].f + ":" + nodes[c].l;
      if (!byLine.has(k)) byLine.set(k, []);
      byLine.get(k).push(c);
    });
    if (byLine.size <= 1) return ch.map(makeItem);
    const out = [];
    byLine.forEach((members, k) => {
      if (members.length === 1) { out.push(makeItem(members[0])); return; }
      const first = nodes[members[0]];
      const g = {key: "g" + id + ":" + k, node: null, group: true, f: first.f, l: first.l,
                 incl: 0, excl: 0, count: 0, members: members,
                 children: members.map(makeItem)};
      members.forEach(m => { g.incl += nodes[m].i; g.excl += nodes[m].e; g.count += nodes[m].n; });
      out.push(g);
    });
    return out;
  }
  function rebuild() {
    items = nodes.filter(n => n.p < 0).map(n => makeItem(n.id));
    flatten();
  }
  function flatten() {
    rows = [];
    const walk = (it, depth, parentRow) => {
      it.depth = depth; it.parentRow = parentRow; it.row = rows.length;
      rows.push(it);
      if (expanded.has(it.key)) it.children.forEach(c => walk(c, depth + 1, it.row));
    };
    items.forEach(it => walk(it, 0, -1));
    const svg = document.getElementById("tree-svg");
    const maxDepth = rows.reduce((m, r) => Math.max(m, r.depth), 0);
    svg.setAttribute("height", rows.length * ROW_H + 2 * MARGIN);
    svg.setAttribute("width", MARGIN * 2 + maxDepth * INDENT + BOX_W + TIME_W);
    render();
  }
  function setExpansion(all) {
    expanded.clear();
    const visit = (it, depth) => {
      if (it.children.length && (all || (!it.group && (depth < 3 || nodes.length <= AUTO_GROUP_NODES))))
        expanded.add(it.key);
      it.children.forEach(c => visit(c, depth + 1));
    };
    items.forEach(it => visit(it, 0));
  }

  // -- colours -------------------------------------------------------------------------------
  let maxVal = 1;
  function updateScale() {
    maxVal = 1;
    nodes.forEach(n => { maxVal = Math.max(maxVal, metric === "incl" ? n.i : n.e); });
  }
  function shade(v) {   // 0 (no time) .. 1 (the largest); sqrt: small times stay visible
    return Math.sqrt(Math.min(Math.max(v / maxVal, 0), 1));
  }
  function colour(v) {
    const t = shade(v), hue = 55 * (1 - t), light = 95 - 50 * t;
    return "hsl(" + hue.toFixed(1) + ", 90%, " + light.toFixed(1) + "%)";
  }

  // -- rendering ------------------------------------------------------------------------------
  const treeDiv = document.getElementById("tree");
  const svg = document.getElementById("tree-svg");
  function el(tag, attrs, parent) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function isHighlighted(it) {
    if (it.node) return highlighted.has(it.node.id) ||
      (!expanded.has(it.key) && highlightedBelow(it));
    return it.members.some(m => highlighted.has(m)) || (!expanded.has(it.key) && highlightedBelow(it));
  }
  function highlightedBelow(it) {
    return it.children.some(c => (c.node && highlighted.has(c.node.id)) || highlightedBelow(c));
  }
  function render() {
    const first = Math.max(0, Math.floor((treeDiv.scrollTop - MARGIN) / ROW_H) - OVERSCAN);
    const last = Math.min(rows.length, first + Math.ceil(treeDiv.clientHeight / ROW_H) + 2 * OVERSCAN);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const edges = el("g", {}, svg), boxes = el("g", {}, svg);
    const check = highlighted.size > 0;
    for (let r = first; r < last; r++) {
      const it = rows[r];
      const x = MARGIN + it.depth * INDENT, y = MARGIN + r * ROW_H;
      if (it.parentRow >= 0) {
        const px = MARGIN + (it.depth - 1) * INDENT + 6, py = MARGIN + it.parentRow * ROW_H + ROW_H - 3;
        el("path", {class: "edge", d: "M" + px + "," + py + "V" + (y + ROW_H / 2 - 1) + "H" + x}, edges);
      }
      const n = it.node;
      const g = el("g", {class: "node" + (check && isHighlighted(it) ? " hl" : ""),
                         transform: "translate(" + x + "," + y + ")", "data-row": r}, boxes);
      if (n) g.setAttribute("data-node", n.id);
      const value = metric === "incl" ? it.incl : it.excl;
      const inline = n ? (n.kind !== "kernel" && n.t === 0) : false;
      el("rect", {class: "box", x: 0, y: 1, width: BOX_W, height: ROW_H - 4, rx: 3,
                  fill: colour(value), stroke: "#444", "stroke-width": 1.2,
                  "stroke-dasharray": inline ? "2,2" : (it.group ? "6,3" : "none"),
                  "data-node": n ? n.id : ""}, g);
      const open = expanded.has(it.key);
      const label = (it.children.length ? (open ? "▾ " : "▸ ") : "   ") +
        (n ? (n.kind === "kernel" ? n.kernel : n.op) : "line " + it.l + " (" + it.members.length + " nodes)");
      const ink = shade(value) > 0.75 ? "#fff" : "#222";
      const t = el("text", {x: 5, y: ROW_H / 2 + 3, fill: ink}, g);
      t.textContent = label.length > 34 ? label.slice(0, 33) + "…" : label;
      if (n && n.l > 0 && n.kind !== "kernel") {
        const lt = el("text", {x: BOX_W - 6, y: ROW_H / 2 + 3, "text-anchor": "end", fill: ink}, g);
        lt.textContent = ":" + n.l;
      }
      if (n && n.fb > 0)
        el("circle", {class: "fallback", cx: BOX_W + 9, cy: ROW_H / 2, r: 5, fill: "#d32f2f"}, g);
      const tt = el("text", {class: "time", x: BOX_W + 20, y: ROW_H / 2 + 3}, g);
      tt.textContent = fmt(value) + "  ×" + it.count;
    }
  }
  treeDiv.addEventListener("scroll", () => window.requestAnimationFrame(render));
  window.addEventListener("resize", render);

  // -- tooltips and highlighting --------------------------------------------------------------
  const tip = document.getElementById("tip");
  function rowOf(target) {
    const g = target.closest && target.closest("g.node");
    return g ? rows[+g.getAttribute("data-row")] : null;
  }
  function details(it) {
    const n = it.node, total = Math.max(D.total_ns, 1);
    const pct = v => (100 * v / total).toFixed(1) + "%";
    if (!n) return "source line " + it.l + ": " + it.members.length + " nodes\n" +
      "count " + it.count + "\ninclusive " + fmt(it.incl) + "\nexclusive " + fmt(it.excl);
    return (n.kind === "kernel" ? n.kernel : n.op) + "   (" + n.kind + ")\n" +
      n.loc + (n.pl ? "   PhySL line " + n.pl : "") + "\n" +
      "count " + n.n + "   mean " + fmt(n.i / Math.max(n.n, 1)) + "\n" +
      "inclusive " + fmt(n.i) + " (" + pct(n.i) + ")\n" +
      "exclusive " + fmt(n.e) + " (" + pct(n.e) + ")\n" +
      "tasks " + n.t + "   inline " + (n.n - n.t) + "   GIL fallback " + n.fb + "\n" +
      "threads " + n.th.join(", ");
  }
  function clearCode() {
    document.querySelectorAll(".ln.hl, .ln.hl2").forEach(e => e.classList.remove("hl", "hl2"));
  }
  function mark(id, cls, scroll) {
    const e = document.getElementById(id);
    if (!e) return;
    e.classList.add(cls);
    if (scroll) e.scrollIntoView({block: "nearest"});
  }
  function highlightCode(it) {
    clearCode();
    const list = it.node ? [it.node] : it.members.map(m => nodes[m]);
    list.forEach((n, k) => {
      (n.nest || []).forEach(([f, l, pl]) => { mark("s-" + f + "-" + l, "hl2"); if (pl) mark("p-" + n.k + "-" + pl, "hl2"); });
    });
    list.forEach((n, k) => {
      if (n.f >= 0) mark("s-" + n.f + "-" + n.l, "hl", k === 0);
      if (n.pl) mark("p-" + n.k + "-" + n.pl, "hl", k === 0);
    });
  }
  svg.addEventListener("mouseover", ev => {
    const it = rowOf(ev.target);
    if (!it || it.key === hoveredKey) return;
    hoveredKey = it.key;
    highlightCode(it);
    tip.textContent = details(it);
    tip.style.display = "block";
  });
  svg.addEventListener("mousemove", ev => {
    tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 470) + "px";
    tip.style.top = (ev.clientY + 14) + "px";
  });
  svg.addEventListener("mouseleave", () => { tip.style.display = "none"; hoveredKey = null; clearCode(); });
  svg.addEventListener("click", ev => {
    const it = rowOf(ev.target);
    if (!it || !it.children.length) return;
    if (expanded.has(it.key)) expanded.delete(it.key); else expanded.add(it.key);
    flatten();
  });

  // -- code panes ------------------------------------------------------------------------------
  const byLine = new Map(), byPhysl = new Map();
  nodes.forEach(n => {
    const a = n.f + "-" + n.l, b = n.k + "-" + n.pl;
    if (!byLine.has(a)) byLine.set(a, []);
    byLine.get(a).push(n.id);
    if (n.pl) { if (!byPhysl.has(b)) byPhysl.set(b, []); byPhysl.get(b).push(n.id); }
  });
  function lineDiv(id, no, text, cost) {
    const d = document.createElement("div");
    d.className = "ln" + (cost ? " hot" : "");
    d.id = id;
    d.innerHTML = "<span class=\"no\">" + no + "</span><span class=\"t\">" + esc(text) +
      "</span>" + (cost ? "<span class=\"cost\">" + cost + "</span>" : "");
    return d;
  }
  function lineCost(ids) {
    let e = 0;
    ids.forEach(i => { e += nodes[i].e; });
    return ids.length ? fmt(e) : "";
  }
  const src = document.getElementById("source");
  D.files.forEach((file, f) => {
    const h = document.createElement("div");
    h.className = "ln skip";
    h.textContent = "# " + file.path;
    src.appendChild(h);
    const box = document.createElement("div");
    box.className = "code";
    let prev = null;
    file.lines.forEach(([no, text]) => {
      if (prev !== null && no !== prev + 1) {
        const s = document.createElement("div");
        s.className = "ln skip";
        s.textContent = "      ⋮";
        box.appendChild(s);
      }
      prev = no;
      const ids = byLine.get(f + "-" + no) || [];
      const d = lineDiv("s-" + f + "-" + no, no, text, lineCost(ids));
      d.dataset.key = f + "-" + no;
      box.appendChild(d);
    });
    if (!file.lines.length) box.appendChild(lineDiv("", "", "(source not available)", ""));
    src.appendChild(box);
  });
  const ph = document.getElementById("physl");
  D.physl.forEach((p, k) => {
    const h = document.createElement("div");
    h.className = "ln skip";
    h.textContent = "# " + p.title;
    ph.appendChild(h);
    const box = document.createElement("div");
    box.className = "code";
    p.lines.forEach((text, i) => {
      const ids = byPhysl.get(k + "-" + (i + 1)) || [];
      const d = lineDiv("p-" + k + "-" + (i + 1), i + 1, text, lineCost(ids));
      d.dataset.physl = k + "-" + (i + 1);
      box.appendChild(d);
    });
    ph.appendChild(box);
  });
  function hoverLine(ev, map, attr) {
    const ln = ev.target.closest(".ln");
    const key = ln && ln.dataset[attr];
    highlighted.clear();
    clearCode();
    if (key) {
      ln.classList.add("hl");
      (map.get(key) || []).forEach(i => highlighted.add(i));
    }
    render();
  }
  src.addEventListener("mouseover", ev => hoverLine(ev, byLine, "key"));
  ph.addEventListener("mouseover", ev => hoverLine(ev, byPhysl, "physl"));
  [src, ph].forEach(p => p.addEventListener("mouseleave", () => { highlighted.clear(); clearCode(); render(); }));

  // -- controls --------------------------------------------------------------------------------
  document.getElementById("title").textContent = D.title;
  document.getElementById("summary").textContent = D.calls + " call" + (D.calls === 1 ? "" : "s") +
    ", " + fmt(D.total_ns) + ", " + nodes.length + " nodes";
  document.querySelectorAll("input[name=metric]").forEach(r => r.addEventListener("change", () => {
    metric = document.querySelector("input[name=metric]:checked").value;
    updateScale();
    flatten();
  }));
  const groupBox = document.getElementById("group-lines");
  groupBox.checked = grouping;
  groupBox.addEventListener("change", () => {
    grouping = groupBox.checked;
    rebuild();
    setExpansion(false);
    flatten();
  });
  document.getElementById("expand-all").addEventListener("click", () => { setExpansion(true); flatten(); });
  document.getElementById("collapse-all").addEventListener("click", () => {
    expanded.clear();
    items.forEach(it => expanded.add(it.key));
    flatten();
  });
  updateScale();
  rebuild();
  setExpansion(false);
  flatten();
  window.phylanxViewer = {rows: () => rows.length, nodes: nodes.length};
})();
