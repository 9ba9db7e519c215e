"""`python -m phylanx profile FILE.py:FUNC --args-from MODULE:MAKE_ARGS` and the HTML page's
self-containedness (the page's behaviour is tested in a browser: test_profile_browser.py)."""

import csv
import json
import os
import re
import subprocess
import sys
import textwrap

import numpy as np

import phylanx
from phylanx.profiling.table import NODE_COLUMNS

KERNEL = textwrap.dedent("""
    import numpy as np

    def step(w, X):
        return np.tanh(X @ w)

    def train(X, w, n):
        for _ in range(n):
            w = w + 0.01 * step(w, X)
        return w
""")

ARGS = textwrap.dedent("""
    import numpy as np

    def make_args():
        rng = np.random.default_rng(0)
        return (rng.random((40, 40)), rng.random(40), 6)

    def make_kwargs():
        rng = np.random.default_rng(0)
        return {"X": rng.random((40, 40)), "w": rng.random(40), "n": 2}

    def not_args():
        return 3
""")


def run_cli(tmp_path, *argv):
    return subprocess.run([sys.executable, "-m", "phylanx", "profile", *argv],
                          capture_output=True, text=True, cwd=tmp_path, check=False,
                          env={**os.environ, "PYTHONPATH": str(tmp_path),
                               "PHYLANX_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "1"})


def test_cli_writes_every_view(tmp_path):
    (tmp_path / "model.py").write_text(KERNEL)
    (tmp_path / "inputs.py").write_text(ARGS)
    out = run_cli(tmp_path, "model.py:train", "--args-from", "inputs:make_args",
                  "--html", "tree.html", "--trace", "t.json", "--csv", "c.csv",
                  "--lines-csv", "l.csv", "--dot", "t.dot", "--newick", "t.nwk",
                  "--repeat", "2")
    assert out.returncode == 0, out.stderr
    assert "per node:" in out.stdout and "per source line:" in out.stdout
    assert "2 kernel calls" in out.stdout
    rows = list(csv.DictReader((tmp_path / "c.csv").open()))
    assert list(rows[0]) == NODE_COLUMNS
    loop = [r for r in rows if r["op"] == "for_range"]
    assert len(loop) == 1 and int(loop[0]["count"]) == 2
    body = [r for r in rows if r["parent"] == loop[0]["id"] and r["op"] != "yield"]
    assert body and all(int(r["count"]) == 12 for r in body)   # 2 calls x 6 iterations
    trace = json.loads((tmp_path / "t.json").read_text())
    assert all({"ph", "ts", "pid", "tid"} <= set(e) for e in trace["traceEvents"])
    assert (tmp_path / "t.dot").read_text().startswith("digraph")
    assert (tmp_path / "t.nwk").read_text().rstrip().endswith(";")
    assert (tmp_path / "l.csv").read_text().startswith("file,line,")
    page = (tmp_path / "tree.html").read_text()
    assert "w = w + 0.01 * step(w, X)" in page   # the Python source is in the page


def test_cli_keyword_arguments_and_file_paths(tmp_path):
    (tmp_path / "model.py").write_text(KERNEL)
    (tmp_path / "inputs.py").write_text(ARGS)
    out = run_cli(tmp_path, "model.py:train", "--args-from", "inputs.py:make_kwargs",
                  "--quiet", "--csv", "c.csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    rows = list(csv.DictReader((tmp_path / "c.csv").open()))
    assert int(next(r for r in rows if r["op"] == "for_range")["count"]) == 1


def test_cli_errors(tmp_path):
    (tmp_path / "model.py").write_text(KERNEL)
    (tmp_path / "inputs.py").write_text(ARGS)
    bad = run_cli(tmp_path, "model.py:train", "--args-from", "inputs:not_args")
    assert bad.returncode != 0 and "tuple of arguments" in bad.stderr
    bad = run_cli(tmp_path, "model.py:train", "--args-from", "inputs:missing")
    assert bad.returncode != 0 and "no attribute 'missing'" in bad.stderr
    bad = run_cli(tmp_path, "nofile.py:train", "--args-from", "inputs:make_args")
    assert bad.returncode != 0 and "no such file" in bad.stderr


def test_html_is_self_contained(tmp_path):
    @phylanx.kernel
    def f(x, n):
        for _ in range(n):
            x = np.sin(x) + 0.5
        return x

    x = np.linspace(0, 1, 50)
    f(x, 1)
    with phylanx.profile() as prof:
        f(x, 3)
    page = prof.to_html(tmp_path / "t.html", title="</script><b>x</b>")
    assert (tmp_path / "t.html").read_text() == page
    # Nothing is fetched: no external scripts, styles, images or fonts.
    assert not re.search(r"<(script|link|img)[^>]*\b(src|href)=", page)
    assert "@import" not in page and "url(" not in page
    urls = set(re.findall(r"https?://[^\s\"'<>]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}   # the SVG namespace name only
    # The data block is JSON that cannot end its <script> early.
    blob = re.search(r'<script type="application/json" id="profile-data">(.*?)</script>',
                     page, re.DOTALL).group(1)
    data = json.loads(blob)
    assert data["title"] == "</script><b>x</b>"
    assert len(data["nodes"]) == len(prof.tree().nodes)
    assert page.count("<script") == 2
