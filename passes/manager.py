"""The pass manager: named passes run from a pipeline string.

    result = run_pipeline(module, "canonicalize,cse,licm,fuse-elementwise,dce")
    result.module             # the optimized copy (the input module is not changed)
    result.stages["cse"]      # PhySL after cse; also "input", "final", "dce#2" for repeats
    result.diff("input", "final")

A pipeline is a comma-separated list of pass names, each optionally followed by options in
braces: `inline{max-ops=40},canonicalize,licm{guard=false}`. Options are the fields of the
pass class (dashes or underscores). After each pass the module is verified (unless
`verify=False`); a pass that raises, or leaves IR that does not verify, raises PassError naming
the pass. When asked for (`reproducer_dir=`, or the environment variable PHYLANX_REPRODUCER_DIR),
it also writes a reproducer file there, named in the error: the PhySL given to that pass, with
the pipeline from that pass on in a `# pipeline:` comment (`python -m phylanx opt FILE` runs it
again). Nothing is written by default.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections import Counter, OrderedDict
from typing import ClassVar, TextIO

from phylanx.errors import PassError
from phylanx.ir.core import Location, Module
from phylanx.ir.printer import print_module
from phylanx.ir.verifier import verify_module

from .diagnostics import Diagnostic, Diagnostics
from .ir_utils import clone_module, count_ops

PASS_MODULES = ("fold", "canonicalize", "cse", "dce", "licm", "inline", "fuse_elementwise",
                "fuse_matvec_pair", "parallelize_loops", "layout")

DEFAULT_PIPELINE = ("inline,canonicalize,dce,cse,licm,cse,fuse-matvec-pair,fuse-elementwise,"
                    "parallelize-loops,dce")


class Pass:
    """Base of all passes: a `name`, options as dataclass fields, and `run`."""

    name: ClassVar[str] = ""

    def run(self, module: Module, ctx: PassContext) -> None:
        raise NotImplementedError


PASSES: dict[str, type] = {}


def register(cls: type) -> type:
    """Class decorator: make a pass available to pipelines under `cls.name`."""
    if not dataclasses.is_dataclass(cls):
        cls = dataclasses.dataclass(cls)
    PASSES[cls.name] = cls
    return cls


def available_passes() -> dict[str, type]:
    import importlib

    for mod in PASS_MODULES:
        importlib.import_module(f"{__package__}.{mod}")
    return dict(sorted(PASSES.items()))


class PassContext:
    """What a running pass reports: statistics and diagnostics."""

    def __init__(self, pass_name: str, diagnostics: Diagnostics):
        self.pass_name = pass_name
        self.stats: Counter = Counter()
        self.diagnostics = diagnostics

    def count(self, key: str, n: int = 1) -> None:
        if n:
            self.stats[key] += n

    def remark(self, kind: str, loc: Location, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.pass_name, kind, loc, message))


# --- pipeline strings --------------------------------------------------------------------------

def _split_top(text: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def _convert(value: str, default, where: str):
    if isinstance(default, bool):
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{where}: expected true or false, got {value!r}")
    try:
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
    except ValueError:
        raise ValueError(f"{where}: expected a number, got {value!r}") from None
    return value


def parse_pipeline(text: str) -> list[Pass]:
    """Pass instances for a pipeline string; ValueError on unknown passes or options."""
    known = available_passes()
    out = []
    for item in _split_top(text):
        name, _, opts = item.partition("{")
        name = name.strip()
        if name not in known:
            raise ValueError(f"unknown pass '{name}'; passes: {', '.join(known)}")
        cls = known[name]
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs = {}
        if opts:
            if not opts.endswith("}"):
                raise ValueError(f"pass '{name}': options must end with '}}'")
            for opt in opts[:-1].replace(",", " ").split():
                key, eq, value = opt.partition("=")
                key = key.strip().replace("-", "_")
                if key not in fields or not eq:
                    raise ValueError(f"pass '{name}' has no option '{opt}'; options: "
                                     f"{', '.join(f.replace('_', '-') for f in fields) or 'none'}")
                kwargs[key] = _convert(value.strip(), fields[key].default, f"{name}{{{key}}}")
        out.append(cls(**kwargs))
    return out


# --- results -----------------------------------------------------------------------------------

@dataclasses.dataclass
class PipelineResult:
    """The optimized module, the PhySL after every stage, statistics, timings, remarks."""

    module: Module
    pipeline: str
    stages: OrderedDict
    stats: OrderedDict
    timings: OrderedDict
    diagnostics: Diagnostics

    def stage(self, name: str, locations: bool = True) -> str:
        """PhySL text of stage `name` ("input", a pass name, "name#2", or "final")."""
        try:
            text = self.stages[name]
        except KeyError:
            raise KeyError(f"no stage {name!r}; stages: {', '.join(self.stages)}") from None
        if not locations:
            from phylanx.ir.parser import parse_physl

            text = print_module(parse_physl(text), locations=False)
        return text

    def diff(self, stage_a: str = "input", stage_b: str = "final", context: int = 3) -> str:
        """Unified diff of the PhySL of two stages."""
        a, b = self.stage(stage_a), self.stage(stage_b)
        import difflib  # only for diffs: not imported with every kernel

        return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), stage_a,
                                            stage_b, n=context))

    def changed(self) -> list[str]:
        """The stages whose pass changed the IR."""
        return [name for name, s in self.stats.items() if s.get("changed")]

    def timing_report(self) -> str:
        rows = [("pass", "wall ms", "ops in", "ops out", "statistics")]
        for name, seconds in self.timings.items():
            s = self.stats[name]
            extra = " ".join(f"{k}={v}" for k, v in s.items()
                             if k not in ("ops-before", "ops-after", "changed", "verify-ms"))
            rows.append((name, f"{seconds * 1e3:.3f}", str(s["ops-before"]),
                         str(s["ops-after"]), extra))
        total = sum(self.timings.values())
        rows.append(("total", f"{total * 1e3:.3f}", "", "", ""))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["===" + "-" * 60 + "===", "  pass execution timing report",
                 "===" + "-" * 60 + "==="]
        for r in rows:
            lines.append("  ".join(c.ljust(w) if i in (0,) else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(r[:4], widths))) + "  " + r[4])
        return "\n".join(line.rstrip() for line in lines) + "\n"


# --- running -----------------------------------------------------------------------------------

def _names(spec) -> set:
    """Pass or stage names from a comma-separated string or an iterable of them."""
    if isinstance(spec, str):
        spec = [spec]
    return {n.strip() for item in spec for n in item.split(",") if n.strip()}


def _dump(out: TextIO, when: str, stage: str, text: str) -> None:
    out.write(f"# *** IR Dump {when} {stage} ***\n{text}\n")


def reproducer_directory(directory: str | None = None) -> str | None:
    """Where reproducers go: `directory`, else $PHYLANX_REPRODUCER_DIR, else None (none)."""
    return directory or os.environ.get("PHYLANX_REPRODUCER_DIR") or None


def write_reproducer(text: str, pipeline: str, stage: str, error: BaseException,
                     directory: str) -> str:
    """Write the PhySL a failing pass got and the pipeline from it on; returns the path."""
    import tempfile

    os.makedirs(directory, exist_ok=True)
    fd, path = tempfile.mkstemp(prefix=f"phylanx-{stage.replace('#', '-')}-", suffix=".physl",
                                dir=directory)
    message = " ".join(f"{type(error).__name__}: {error}".split())
    with os.fdopen(fd, "w") as f:
        f.write(f"# phylanx pass reproducer: pass '{stage}' failed: {message}\n")
        f.write(f"# pipeline: {pipeline}\n")
        f.write(f"# run: python -m phylanx opt {path}\n")
        f.write(text)
    return path


def _pass_error(message: str, stage: str, error: BaseException, text: str, pipeline: str,
                directory: str | None) -> PassError:
    directory = reproducer_directory(directory)
    path = None
    if directory is None:
        message += "\n(set PHYLANX_REPRODUCER_DIR to a directory to get a reproducer file)"
    else:
        path = write_reproducer(text, pipeline, stage, error, directory)
        message += f"\nreproducer: {path}"
    err = PassError(message)
    err.pass_name, err.reproducer = stage, path
    return err


def run_pipeline(module: Module, pipeline: str | None = None, *, verify: bool = True,
                 print_before=(), print_after=(), print_after_all: bool = False,
                 print_after_change: bool = False, time_passes: bool = False,
                 out: TextIO | None = None, locations: bool = True,
                 reproducer_dir: str | None = None) -> PipelineResult:
    """Run `pipeline` (default DEFAULT_PIPELINE) on a copy of `module`.

    print_before / print_after: pass or stage names whose IR to dump (to `out`, default
    stderr) before / after they run; print_after_all; print_after_change (only after passes
    that changed the IR); time_passes: a timing and statistics table after the run.
    """
    text = DEFAULT_PIPELINE if pipeline is None else pipeline
    passes = parse_pipeline(text)
    items = _split_top(text)
    out = out if out is not None else sys.stderr
    print_before, print_after = _names(print_before), _names(print_after)
    m = clone_module(module)
    stages: OrderedDict = OrderedDict(input=print_module(m, locations))
    stats: OrderedDict = OrderedDict()
    timings: OrderedDict = OrderedDict()
    diagnostics = Diagnostics()
    current = stages["input"]
    seen: Counter = Counter()
    for k, p in enumerate(passes):
        seen[p.name] += 1
        stage = p.name if seen[p.name] == 1 else f"{p.name}#{seen[p.name]}"
        if print_before & {p.name, stage}:
            _dump(out, "Before", stage, current)
        ctx = PassContext(stage, diagnostics)
        before = count_ops(m)
        t0 = time.perf_counter()
        try:
            p.run(m, ctx)
        except Exception as e:
            raise _pass_error(f"pass '{stage}' failed: {type(e).__name__}: {e}", stage, e,
                              current, ",".join(items[k:]), reproducer_dir) from e
        timings[stage] = time.perf_counter() - t0
        t1 = time.perf_counter()
        if verify:
            try:
                verify_module(m)
            except Exception as e:
                raise _pass_error(f"pass '{stage}' produced invalid IR: {e}", stage, e,
                                  current, ",".join(items[k:]), reproducer_dir) from e
        new = print_module(m, locations)
        after = count_ops(m)
        s = {"ops-before": before, "ops-after": after, "changed": new != current}
        if before > after:
            s["ops-removed"] = before - after
        s.update(sorted(ctx.stats.items()))
        s["verify-ms"] = round((time.perf_counter() - t1) * 1e3, 3)
        stats[stage] = s
        if print_after_all or print_after & {p.name, stage} or (
                print_after_change and new != current):
            _dump(out, "After", stage, new)
        stages[stage] = new
        current = new
    stages["final"] = current
    result = PipelineResult(m, text, stages, stats, timings, diagnostics)
    if time_passes:
        out.write(result.timing_report())
    return result
