"""The HTML viewer in a real headless browser (Debian's chromium driven by Playwright).

Skipped when Playwright or /usr/bin/chromium is missing (.ci/run installs both). Screenshots
go to test-artifacts/ in the repository (git-ignored; PHYLANX_TEST_ARTIFACTS overrides).
"""

import os
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

import phylanx
from phylanx.examples.logreg import logreg
from phylanx.profiling.html import profile_data, render_page

CHROMIUM = os.environ.get("PHYLANX_CHROMIUM", "/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
if not os.path.exists(CHROMIUM):
    pytest.skip(f"no browser at {CHROMIUM}", allow_module_level=True)

ARTIFACTS = Path(os.environ.get("PHYLANX_TEST_ARTIFACTS",
                                Path(__file__).resolve().parent.parent / "test-artifacts"))


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield b
        b.close()


def open_page(browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 800})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("g.node")
    return page, errors


def fills(page):
    return dict(page.eval_on_selector_all(
        "g.node[data-node] rect.box", "els => els.map(e => [e.dataset.node, e.getAttribute('fill')])"))


def save_screenshot(page, tmp_path, name):
    shot = tmp_path / name
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 1000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / name)


@pytest.fixture(scope="module")
def logreg_profile():
    rng = np.random.default_rng(0)
    X, y = rng.random((400, 60)), (rng.random(400) > 0.5) * 1.0
    logreg(X, y, 1e-5, 2)
    with phylanx.profile() as prof:
        logreg(X, y, 1e-5, 10)
    return prof


def test_viewer_loads_switches_colours_and_links_code(browser, logreg_profile, tmp_path):
    prof = logreg_profile
    path = tmp_path / "tree.html"
    prof.to_html(path)
    data = profile_data(prof)
    page, errors = open_page(browser, path)
    assert errors == []
    loop = next(n for n in prof.tree().nodes if n.op == "for_range")
    before = fills(page)
    assert str(loop.id) in before   # small trees open fully
    page.click("#color-excl")
    after = fills(page)
    assert set(after) == set(before)
    # The loop spends its time in its body: inclusive colours it dark, exclusive light.
    assert after[str(loop.id)] != before[str(loop.id)]
    page.click("#color-incl")
    assert fills(page) == before

    # Hovering a node highlights its source line and its PhySL op, and only those.
    product = next(n for n in data["nodes"] if n["op"] == "matvec_pair")
    page.hover(f"g.node[data-node='{product['id']}'] rect.box")
    src_id = f"s-{product['f']}-{product['l']}"
    assert page.get_attribute(f"#{src_id}", "class").split().count("hl") == 1
    assert page.eval_on_selector_all(".ln.hl", "els => els.map(e => e.id)") == \
        [src_id, f"p-{product['k']}-{product['pl']}"]
    assert page.is_visible("#tip") and "matvec_pair" in page.inner_text("#tip")
    save_screenshot(page, tmp_path, "profile-viewer-logreg.png")

    # Hovering a source line highlights its nodes.
    loop_line = next(n for n in data["nodes"] if n["op"] == "for_range")
    page.hover(f"#s-{loop_line['f']}-{loop_line['l']} .t")
    lit = page.eval_on_selector_all("g.node.hl", "els => els.map(e => +e.dataset.node)")
    expected = {n["id"] for n in data["nodes"] if (n["f"], n["l"]) == (loop_line["f"],
                                                                        loop_line["l"])}
    assert set(lit) == expected
    # Collapsing a node hides its children.
    rows = page.evaluate("window.phylanxViewer.rows()")
    page.click(f"g.node[data-node='{loop.id}'] rect.box")
    assert page.evaluate("window.phylanxViewer.rows()") == rows - len(
        [n for n in data["nodes"] if n["p"] == loop.id])
    assert errors == []
    page.close()


def big_tree(prof, n_nodes: int) -> dict:
    """A real profile's page data with n_nodes more nodes in a random tree of many lines."""
    data = profile_data(prof)
    rng = random.Random(0)
    nodes = data["nodes"]
    base = len(nodes)
    file = data["files"][0]
    lines = [no for no, _ in file["lines"]]
    for k in range(n_nodes):
        parent = 0 if k < 20 else rng.randrange(base, base + k)
        excl = rng.randrange(1, 10_000)
        nodes.append({"id": base + k, "p": parent, "op": rng.choice(["add", "matmul", "exp"]),
                      "kind": "op", "kernel": nodes[0]["kernel"], "f": 0,
                      "l": rng.choice(lines), "loc": "synthetic", "k": 0, "pl": 0,
                      "n": 1, "i": excl, "e": excl, "t": k % 2, "fb": k % 7 == 0, "th": [0],
                      "d": 0, "nest": []})
    return data


def test_viewer_stays_responsive_with_5000_nodes(browser, logreg_profile, tmp_path):
    data = big_tree(logreg_profile, 5000)
    path = tmp_path / "big.html"
    path.write_text(render_page(data))
    page, errors = open_page(browser, path)
    assert errors == []
    assert page.is_checked("#group-lines")   # large trees start grouped by source line
    page.click("#expand-all")
    rows = page.evaluate("window.phylanxViewer.rows()")
    assert rows > 5000
    # Only the rows in view are in the DOM, wherever the tree is scrolled to.
    for top in (0, rows * 11, rows * 22):
        page.evaluate(f"document.getElementById('tree').scrollTop = {top}")
        page.wait_for_timeout(50)
        assert 0 < page.eval_on_selector_all("g.node", "els => els.length") < 200
    page.uncheck("#group-lines")
    page.click("#expand-all")
    assert page.evaluate("window.phylanxViewer.rows()") == len(data["nodes"])
    page.hover("g.node rect.box >> nth=3")
    page.hover(f"#s-0-{data['files'][0]['lines'][-1][0]} .t")
    assert errors == []
    save_screenshot(page, tmp_path, "profile-viewer-5000.png")
    page.close()
