"""The self-contained HTML viewer: viewer.html + viewer.js with the profile's data inlined.

No network access is needed: the page carries the tree, the Python source lines the nodes
come from (with a few lines of context) and the final PhySL of every kernel specialization.
"""

from __future__ import annotations

import html
import json
import linecache
from pathlib import Path

_HERE = Path(__file__).parent
_CONTEXT = 3          # source lines shown around the lines the nodes come from
_WHOLE_FILE = 80      # files up to this many lines are shown whole


def _source_files(tree) -> tuple[list, dict]:
    wanted: dict[str, set] = {}
    for n in tree.nodes:
        if n.line > 0 and not n.file.startswith("<"):
            wanted.setdefault(n.file, set()).add(n.line)
            for f, line, _ in n.nested:
                if f == n.file and line > 0:
                    wanted[n.file].add(line)
    files, index = [], {}
    for path, lines in wanted.items():
        text = linecache.getlines(path)
        shown: set = set()
        if len(text) <= _WHOLE_FILE:
            shown = set(range(1, len(text) + 1))
        else:
            for line in lines:
                shown.update(range(max(1, line - _CONTEXT), min(len(text), line + _CONTEXT) + 1))
        index[path] = len(files)
        files.append({"path": path,
                      "lines": [[no, text[no - 1].rstrip("\n")] for no in sorted(shown)]})
    return files, index


def profile_data(prof, title: str | None = None) -> dict:
    """The JSON the viewer reads (short keys: this is per node, and trees can be large)."""
    tree = prof.tree()
    files, index = _source_files(tree)
    nodes = []
    for n in tree.nodes:
        f = index.get(n.file, -1)
        nodes.append({
            "id": n.id, "p": n.parent, "op": n.op, "kind": n.kind, "kernel": n.kernel,
            "f": f, "l": n.line, "loc": n.location, "k": n.physl, "pl": n.physl_line,
            "n": n.count, "i": n.inclusive, "e": n.exclusive, "t": n.tasks, "fb": n.fallbacks,
            "th": sorted(n.threads), "d": n.depth,
            "nest": [[index.get(file, -1), line, pl] for file, line, pl in n.nested
                     if file in index],
        })
    if title is None:
        kernels = sorted({c.kernel for c in prof.calls})
        title = "phylanx profile: " + (", ".join(kernels) if kernels else "no calls")
    return {"title": title, "total_ns": tree.total, "calls": len(prof.calls), "nodes": nodes,
            "files": files,
            "physl": [{"title": t, "lines": text.rstrip("\n").split("\n")}
                      for t, text in tree.physl]}


def to_html(prof, title: str | None = None) -> str:
    return render_page(profile_data(prof, title))


def render_page(data: dict) -> str:
    """The viewer page for `profile_data()`'s dict."""
    # Inside <script>, only "</" could end the element early: JSON allows "<\/".
    blob = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    page = (_HERE / "viewer.html").read_text(encoding="utf-8")
    script = (_HERE / "viewer.js").read_text(encoding="utf-8")
    page = page.replace("__TITLE__", html.escape(data["title"]))
    page = page.replace("__SCRIPT__", script.replace("</", "<\\/"))
    return page.replace("__DATA__", blob)
