"""The NumPy API list (phylanx.api_coverage): the table is well-formed and sized as
documented, the comparison classifies outcomes right, and no probed name gives a wrong
answer or crashes; the number of names that work per category is today's record."""

from collections import Counter

import numpy as np
import pytest

import phylanx
from phylanx.api_coverage import API, CATEGORIES, run_all
from phylanx.api_coverage.__main__ import main
from phylanx.api_coverage.inputs import INPUTS, cases
from phylanx.api_coverage.probe import probe_source, summary
from phylanx.corpus.compare import CRASH, REFUSED, WORKS, WRONG, compare

# Names per category (docs/coverage.md, the names.py docstring).
NAMES_PER_CATEGORY = {"ufunc": 105, "function": 242, "linalg": 31, "fft": 18, "random": 50,
                      "generator": 44, "ndarray": 60, "constant": 9}

# Today's record of names that work (match NumPy on every probe); update it when a change
# makes names work or stop working (python -m phylanx.api_coverage --list refused).
WORKING_PER_CATEGORY = {"ufunc": 105, "function": 220, "linalg": 31, "fft": 18, "random": 50,
                        "generator": 44, "ndarray": 54, "constant": 9}

# Known wrong answers (bugs to fix, then move the names to WORKING_PER_CATEGORY).
KNOWN_WRONG: set[str] = set()


@pytest.fixture(scope="module")
def results():
    return run_all()


def test_table_is_well_formed():
    categories = {}
    for name, category, body, inputs in API:
        assert category in CATEGORIES, name
        assert inputs in INPUTS, name
        assert body.strip() and not body.strip().endswith(";"), name
        # one category per name, however many probes it has
        assert categories.setdefault(name, category) == category, name
    assert Counter(categories.values()) == NAMES_PER_CATEGORY


def test_probe_source_returns_the_last_statement():
    assert probe_source(3, ("s",), "x = np.arange(3); np.random.shuffle(x); x") == (
        "def probe_3(s):\n    x = np.arange(3)\n    np.random.shuffle(x)\n    return x\n")


def test_cases_are_fresh_copies():
    _, first = cases("x")
    first[0][0][0] = 99.0
    assert cases("x")[1][0][0][0] != 99.0


def test_compare_classifies_outcomes():
    def plain(a):
        return a * 2

    assert compare(phylanx.kernel(plain), plain, (np.arange(3.0),)).status == WORKS

    def returns_float32(a):
        return a.astype(np.float32)

    assert compare(phylanx.kernel(plain), returns_float32, (np.arange(3.0),)).status == WRONG

    def raises(a):
        raise IndexError("x")

    assert compare(raises, raises, (1,)).status == WORKS
    assert compare(plain, raises, (1,)).status == WRONG          # returned where Python raised
    assert compare(raises, plain, (1,)).status == CRASH          # raised where Python returned

    def unsupported(a):
        return np.random.default_rng(a).spawn(2)

    outcome = compare(phylanx.kernel(unsupported), unsupported, (4,))
    assert outcome.status == REFUSED and "spawn" in outcome.detail

    def mutates(a):
        a[0] = 5.0

    def mutates_other(a):
        a[1] = 5.0

    assert compare(mutates, mutates_other, (np.zeros(2),)).status == WRONG


def test_no_name_is_wrong_or_crashes_but_the_known_ones(results):
    bad = {r.name: r.details for r in results.values() if r.status in (WRONG, CRASH)}
    assert set(bad) == KNOWN_WRONG, bad


def test_working_names_per_category_is_todays_record(results):
    counts = {category: n[WORKS] for category, n in summary(results) if category != "total"}
    assert counts == WORKING_PER_CATEGORY


def test_cli_prints_summary_and_lists(capsys):
    assert main(["--category", "constant,fft", "--list", "works,refused", "--details"]) == 0
    out = capsys.readouterr().out
    assert "| constant | 9 | 9 | 0 | 0 | 0 |" in out
    assert "| fft | 18 | 18 | 0 | 0 | 0 |" in out
    assert "\n  fft       np.fft.rfft\n" in out and "\nrefused (0):\n" in out


def test_cli_rejects_unknown_category():
    with pytest.raises(SystemExit):
        main(["--category", "strings"])
