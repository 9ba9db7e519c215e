"""The corpus of real kernels written by others (phylanx/corpus/manifest.py), fetched from
published packages into the corpus cache: every kernel compiles unchanged and matches NumPy,
or is refused with a CompileError; the refusals are exactly the recorded ones
(phylanx.corpus.expected), so a kernel that newly compiles or newly fails shows up here.

Without network and cache the corpus tests skip, saying why. The fetching and extraction machinery
is tested offline on a wheel built here from our own code."""

import copy
import hashlib
import os
import zipfile

import numpy as np
import pytest

import phylanx
from phylanx.corpus import archives, fetch
from phylanx.corpus.compare import CRASH, REFUSED, WORKS, WRONG, compare, same
from phylanx.corpus.expected import CRASHES
from phylanx.corpus.expected import REFUSED as RECORDED_REFUSED
from phylanx.corpus.extract import PRANGE, ExtractionError, extract
from phylanx.corpus.manifest import BY_NAME, KERNELS
from phylanx.corpus.runner import SIZES, check, geomean, load_case


def _case(name):
    try:
        return load_case(BY_NAME[name])
    except fetch.CorpusUnavailable as e:
        pytest.skip(f"the corpus is not in {fetch.cache_dir()} and cannot be fetched "
                    f"(no network?): {e}")


def test_manifest_has_at_least_60_kernels_from_several_sources():
    assert len(KERNELS) >= 60
    assert len(BY_NAME) == len(KERNELS)  # names are unique
    assert {k.source for k in KERNELS} == set(archives.ARCHIVES)
    assert all(k.name.startswith(f"{k.source}:") for k in KERNELS)


def test_recorded_names_exist():
    assert set(RECORDED_REFUSED) | set(CRASHES) <= set(BY_NAME)
    assert not set(RECORDED_REFUSED) & set(CRASHES)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_kernel_matches_numpy_or_is_refused(name):
    case = _case(name)
    if name in CRASHES:
        pytest.xfail(CRASHES[name])
    outcome = check(case, "xs")
    expected = REFUSED if name in RECORDED_REFUSED else WORKS
    assert outcome.status == expected, f"{name}: {outcome.status}: {outcome.detail}"
    # a kernel is compared on inputs it computes something from, not on an error
    assert not outcome.detail.startswith("both raised"), f"{name}: {outcome.detail}"


@pytest.mark.parametrize("name", sorted(CRASHES))
def test_recorded_crash_still_crashes(name):
    # A fixed crash must leave CRASHES (and become a match or a recorded refusal).
    assert check(_case(name), "xs").status == CRASH


def test_make_args_gives_a_tuple_per_size():
    for kernel in KERNELS:
        for size in SIZES[:2]:  # "m" only builds larger arrays (and takes seconds)
            assert isinstance(kernel.make_args(size), tuple), kernel.name


def test_seeded_case_seeds_both_sides():
    def draw(n):
        return np.random.rand(n)

    kernel = phylanx.kernel(draw)
    assert compare(kernel, draw, (3,), seed=7, exact=True).status == WORKS
    # unseeded, the two sides draw different numbers: the comparison notices
    assert compare(kernel, draw, (3,), exact=True).status == WRONG


def test_compare_checks_mutated_list_arguments():
    def append_one(values):
        values.append(1.0)
        return 0

    def append_two(values):
        values.append(2.0)
        return 0

    assert compare(append_one, append_one, ([0.5],)).status == WORKS
    outcome = compare(append_two, append_one, ([0.5],))
    assert outcome.status == WRONG and "argument 0 after the call" in outcome.detail


def test_geomean():
    assert geomean([2.0, 8.0]) == pytest.approx(4.0)
    assert np.isnan(geomean([]))


def test_same_is_strict_on_type_dtype_shape_nan():
    same([1, np.array([1.0, np.nan])], [1, np.array([1.0, np.nan])])
    same(2**64, 2**64)  # a Python int beyond int64: an object-dtype scalar
    bad = [((1, 2), [1, 2]), (np.float32(1), np.float64(1)), (np.zeros(2), np.zeros((1, 2))),
           (np.array([np.nan, 1.0]), np.array([1.0, np.nan])), (np.array(1.0), 1.5),
           ("a", "b"), (None, 0), ({"a": 1}, {"a": 2}), (np.array([1.0]), 1.0),
           (True, np.True_), (1.0, np.float64(1.0)), (np.int64(3), 3), (2**64 + 1, 2**64)]
    for got, expected in bad:
        with pytest.raises(AssertionError):
            same(copy.deepcopy(got), expected)


def test_cli_prints_outcomes_timings_and_geomean(capsys):
    from phylanx.corpus.__main__ import main

    _case("numba:exp_numpy")
    _case("numba:fibonacci")
    assert main(["--kernels", "numba:exp_numpy,numba:fibonacci", "--time",
                 "--budget", "0"]) == 0
    out = capsys.readouterr().out
    assert "numba:exp_numpy" in out and "speedup" in out
    assert "numba:fibonacci" in out and "refused" in out and "recursive call" in out
    assert "2 kernels at size xs: 1 compiled and match, 1 refused" in out
    assert "geometric-mean speedup over the 1 kernels that compile" in out


def test_extracted_module_names_its_origin_and_changes():
    case = _case("numba:nearest_shift")
    with open(case.file) as f:
        text = f.read()
    assert "numba/tests/test_parfors.py" in text and archives.ARCHIVES["numba"].sha256 in text
    assert "#   prange -> range" in text and "\n@njit" not in text
    assert "for ir in range(r.shape[0]):" in text


# -- extraction, on code of our own --------------------------------------------------------------

SOURCE = '''\
import math
import numpy as np
from numba import njit, prange
import numba

SCALE = 2.0 * math.pi
UNUSED = object()


def helper(x):
    return x * SCALE


class TestThing:
    @some_decorator
    def test_one(self):
        limit = 10
        for step in range(2):
            pass

        def kernel(a):
            total = 0.0
            for i in prange(a.shape[0]):
                total += helper(a[i]) + limit
            return total

        def kernel(a):
            return np.sum(a)

        @njit(parallel=True)
        def closure(a):
            return a + self.offset

        def uses_loop_variable(a):
            return a + step

    def test_two(self):
        def stencil(u):
            for i in numba.prange(1, len(u) - 1):
                u[i] = 0.5 * (u[i - 1] + u[i + 1])
            return u
'''


def test_extract_brings_along_what_the_function_reads():
    extracted = extract(SOURCE, "demo.py", "TestThing.test_one.kernel")
    namespace = {}
    exec(compile(extracted.text, "demo_extracted.py", "exec"), namespace)  # noqa: S102
    assert extracted.function == "kernel"
    assert namespace["kernel"](np.array([1.0, 2.0])) == pytest.approx(3.0 * 2 * np.pi + 20)
    assert extracted.changes == [PRANGE]
    assert "UNUSED" not in extracted.text and "from numba" not in extracted.text
    assert "limit = 10" in extracted.text  # an enclosing function's constant


def test_extract_picks_the_kth_definition_and_drops_decorators():
    second = extract(SOURCE, "demo.py", "TestThing.test_one.kernel[1]")
    assert "np.sum(a)" in second.text and second.changes == []
    stencil = extract(SOURCE, "demo.py", "TestThing.test_two.stencil")
    assert "for i in range(1, len(u) - 1):" in stencil.text
    assert stencil.changes == [PRANGE] and "import numba" not in stencil.text
    by_pattern = extract(SOURCE, "demo.py", "TestThing.test_t*.stencil")
    assert by_pattern.text == stencil.text


@pytest.mark.parametrize("qualname, message", [
    ("TestThing.test_one.closure", "'self', a parameter of the enclosing test_one"),
    ("TestThing.test_one.uses_loop_variable", "'step', which line 18 changes"),
    ("TestThing.test_three", "no TestThing.test_three"),
    ("TestThing", "not a function"),
    ("TestThing.test_*", "2 definitions of TestThing.test_"),
])
def test_extract_refuses_what_is_not_self_contained(qualname, message):
    with pytest.raises(ExtractionError, match=message.replace("(", r"\(")):
        extract(SOURCE, "demo.py", qualname)


def test_extract_drops_a_numba_decorator_spelled_through_the_module():
    text = ("import numba\nimport numpy as np\n\n\n"
            "@numba.jit(nopython=True, parallel=True)\n"
            "def f(x):\n    for i in numba.prange(x.shape[0]):\n        x[i] = np.sqrt(x[i])\n"
            "    return x\n")
    extracted = extract(text, "demo.py", "f")
    assert "numba" not in extracted.text and "for i in range(x.shape[0]):" in extracted.text
    assert extracted.changes == [
        "drops the decorator @numba.jit(nopython=True, parallel=True) of f", PRANGE]


def test_extract_refuses_imports_of_other_packages():
    text = "from scipy.special import expit\n\ndef f(x):\n    return expit(x)\n"
    with pytest.raises(ExtractionError, match="imported from 'scipy.special'"):
        extract(text, "demo.py", "f")


# -- fetching, offline ---------------------------------------------------------------------------

def _wheel(tmp_path, files):
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


def _archive(path, sha256=None):
    return archives.Archive(project="demo", version="1.0", filename=path.name,
                            sha256=sha256 or hashlib.sha256(path.read_bytes()).hexdigest(),
                            licence="MIT", home="example.invalid")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(fetch.CACHE_VARIABLE, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_kernel_module_extracts_from_a_cached_wheel_and_phylanx_compiles_it(
        tmp_path, cache, monkeypatch):
    wheel = _wheel(tmp_path, {"demo/tests/test_demo.py": SOURCE})
    (cache / "archives").mkdir(parents=True)
    (cache / "archives" / wheel.name).write_bytes(wheel.read_bytes())
    monkeypatch.setitem(archives.ARCHIVES, "demo", _archive(wheel))
    module, function, changes = fetch.kernel_module(
        "demo", "stencil", "demo/tests/test_demo.py", "TestThing.test_two.stencil")
    assert changes == [PRANGE]
    assert module.__file__ == str(cache / "kernels" / "demo" / "stencil.py")
    plain = getattr(module, function)
    u = np.arange(6.0) ** 2
    assert compare(phylanx.kernel(plain), plain, (u,)).status == WORKS


def test_a_file_with_another_sha256_is_an_error(tmp_path, cache, monkeypatch):
    wheel = _wheel(tmp_path, {"demo/x.py": "x = 1\n"})
    (cache / "archives").mkdir(parents=True)
    (cache / "archives" / wheel.name).write_bytes(wheel.read_bytes())
    monkeypatch.setitem(archives.ARCHIVES, "demo", _archive(wheel, "0" * 64))
    with pytest.raises(fetch.CorpusError, match="sha256"):
        fetch.read_member(archives.ARCHIVES["demo"], "demo/x.py")


def test_offline_without_cache_is_unavailable_with_a_reason(tmp_path, cache, monkeypatch):
    # pip with no index and an empty folder to find links in: what being offline looks like
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    missing = archives.Archive(project="phylanx-corpus-absent", version="1.0",
                               filename="phylanx_corpus_absent-1.0-py3-none-any.whl",
                               sha256="0" * 64, licence="MIT", home="example.invalid")
    with pytest.raises(fetch.CorpusUnavailable, match="cannot download"):
        fetch.archive_path(missing)
    assert not (cache / "archives" / missing.filename).exists()


def test_bench_corpus_table(capsys):
    from phylanx.bench import cli

    _case("numba:exp_numpy")
    _case("numba:fibonacci")
    assert cli.main(["--workloads", "none", "--corpus", "xs", "--threads", "1",
                     "--corpus-kernels", "numba:exp_numpy,numba:fibonacci"]) == 0
    out = capsys.readouterr().out
    assert "corpus, size xs, 1 thread(s)" in out
    assert "| numba:exp_numpy |" in out and "geometric-mean speedup over 1 kernels" in out
    assert "refused (1): numba:fibonacci" in out
