"""python -m phylanx.fuzz: run seeds of the differential fuzzer and print a summary by category.

    python -m phylanx.fuzz --seeds 0:1000 --jobs 2           # programs 0..999
    python -m phylanx.fuzz --seeds 0:10000 --report fuzz-out # also write each failure to a folder
    python -m phylanx.fuzz --show 123                        # one program, its inputs and outcome
    python -m phylanx.fuzz --summarize out-0 out-1           # one summary of earlier --report runs

See docs/fuzzing.md."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict


def _seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        if ":" in part:
            lo, hi = part.split(":")
            seeds.extend(range(int(lo), int(hi)))
        else:
            seeds.append(int(part))
    return seeds


class Summary:
    """Collects answers; prints the summary; writes the report folder."""

    def __init__(self, minimize_per_category: int, report: str | None, log):
        self.results: dict[int, dict] = {}
        self.minimized: dict[int, dict] = {}
        # per category of known-class failures; unexplained ones get ten times as many
        self.minimize_left = defaultdict(lambda: minimize_per_category,
                                         unexplained=10 * minimize_per_category)
        self.report = report
        self.log = log
        self.started = time.monotonic()
        self.elapsed: float | None = None     # set when summarizing earlier runs

    def load(self, folder: str) -> None:
        """Add the answers of an earlier run's report folder (its results.jsonl)."""
        with open(os.path.join(folder, "results.jsonl")) as fh:
            for line in fh:
                answer = json.loads(line)
                if answer["op"] == "minimize":
                    self.on_answer(answer)
                else:
                    self.results[answer["seed"]] = answer
        elapsed = self.elapsed or 0.0
        summary = os.path.join(folder, "summary.txt")
        if os.path.exists(summary):
            with open(summary) as fh:
                first = fh.readline().split()
            if first[-1] == "s" and first[-2].isdigit():
                elapsed += float(first[-2])
        self.elapsed = elapsed

    def on_answer(self, answer: dict) -> list[dict]:
        if self.log:
            self.log.write(json.dumps(answer) + "\n")
            self.log.flush()
        if answer["op"] == "minimize":
            if answer.get("status") not in ("hang", "crash", "fuzzer error"):
                self.minimized[answer["seed"]] = answer
            return []
        self.results[answer["seed"]] = answer
        done = len(self.results)
        if done % 100 == 0:
            print(f"... {done} programs, {time.monotonic() - self.started:.0f} s, "
                  f"{sum(r['status'] in _FAILED for r in self.results.values())} failing",
                  file=sys.stderr, flush=True)
        if answer["status"] == "fail":
            from phylanx.fuzz.triage import known_class
            failure = answer["failures"][0]
            key = failure["category"] if known_class(answer) else "unexplained"
            if self.minimize_left[key] > 0:
                self.minimize_left[key] -= 1
                return [{"op": "minimize", "seed": answer["seed"],
                         "category": failure["category"], "config": failure["config"]}]
        return []

    def text(self, details: int) -> str:
        results = list(self.results.values())
        status = Counter(r["status"] for r in results)
        seeds_of = defaultdict(list)
        for r in sorted(results, key=lambda r: r["seed"]):
            for c in r.get("categories", []) if r["status"] in _FAILED else ():
                seeds_of[c].append(r["seed"])
        refusals = Counter(r["refusal"] for r in results if r["status"] == "refused")
        refused_raising = Counter(r["python"].split(":")[1].strip() for r in results
                                  if r["status"] == "refused" and r["python"].startswith("raised"))
        notes = Counter(c for r in results if r["status"] not in _FAILED
                        for c in r.get("categories", []))
        features = Counter()
        for r in results:
            features.update(r.get("features", {}).keys())
        elapsed = time.monotonic() - self.started if self.elapsed is None else self.elapsed
        lines = [f"phylanx fuzz: {len(results)} programs in {elapsed:.0f} s",
                 "", "outcome                 programs"]
        for name in ("pass", "refused", "fail", "hang", "crash", "fuzzer error", "skipped"):
            lines.append(f"  {name:<22}{status.get(name, 0):>8}")
        from phylanx.fuzz.runner import CATEGORIES
        lines += ["", "failures by category    programs  seeds"]
        for name in CATEGORIES:
            seeds = seeds_of.get(name, [])
            shown = ", ".join(map(str, seeds[:8])) + (", ..." if len(seeds) > 8 else "")
            lines.append(f"  {name:<30}{len(seeds):>5}  {shown}")
        if refusals:
            n = status.get("refused", 0)
            lines += ["", (f"refused at compile time, by construct ({n} programs, "
                           f"{100 * n / max(1, len(results)):.1f}%)")]
            for construct, count in refusals.most_common(25):
                lines.append(f"  {count:>6}  {construct}")
            lines.append("  of which Python raises: " + (", ".join(
                f"{name} {count}" for name, count in refused_raising.most_common()) or "none"))
        if notes:
            lines += ["", "notes (documented behaviour, not failures)"]
            lines += [f"  {count:>6}  {name}" for name, count in notes.most_common()]
        lines += ["", "constructs generated (programs containing each)"]
        lines.append("  " + ", ".join(f"{k} {v}" for k, v in sorted(features.items())))
        from phylanx.fuzz.triage import known_class
        failing = sorted((r for r in results if r["status"] in _FAILED),
                         key=lambda r: (known_class(r) is not None, r["seed"]))
        classes = Counter(known_class(r) or "unexplained" for r in failing)
        if failing:
            lines += ["", "failing programs by known bug class (phylanx/fuzz/triage.py)"]
            for label, count in classes.most_common():
                lines.append(f"  {count:>6}  {label}")
        if failing:
            lines += ["", (f"failures ({len(failing)}, unexplained ones first; details of the "
                           f"first {details}, minimized where minimized)")]
        for i, r in enumerate(failing):
            first = r["failures"][0]
            known = known_class(r)
            lines.append(f"- seed {r['seed']}: {', '.join(r['categories'])}: "
                         + (f"<{known}> " if known else "")
                         + f"({first['config']}) {first['detail'][:300]}"
                         + (f" [comes from: {r['blame']}]" if r.get("blame") else ""))
            if i < details:
                lines.append(_indent(self._details(r)))
        return "\n".join(lines) + "\n"

    def _details(self, r: dict) -> str:
        m = self.minimized.get(r["seed"])
        parts = []
        if m:
            parts += [f"minimized ({m['checks']} checks):", m["minimized"].rstrip(),
                      f"Python: {m['python']}", f"kernel: {m['kernel']}",
                      f"comes from: {m.get('blame') or r.get('blame', '?')}"]
            parts += [f"  {f['category']} ({f['config']}): {f['detail'][:400]}"
                      for f in m["failures"][:3]]
        elif "source" in r:
            parts += ["program:", r["source"].rstrip(), f"Python: {r['python']}",
                      f"kernel: {r['kernel']}", f"comes from: {r.get('blame', '?')}"]
        if "inputs" in r:
            parts += ["inputs:", r["inputs"]]
        return "\n".join(parts)

    def write_report(self) -> None:
        os.makedirs(self.report, exist_ok=True)
        for r in self.results.values():
            if r["status"] not in _FAILED:
                continue
            with open(os.path.join(self.report, f"seed-{r['seed']}.txt"), "w") as fh:
                fh.write(f"seed {r['seed']}: {', '.join(r['categories'])}\n")
                fh.writelines(f"  {f['category']} ({f['config']}): {f['detail']}\n" for f in r["failures"])
                fh.write("\n" + self._details(r) + "\n")
                if "source" in r and r["seed"] in self.minimized:
                    fh.write("\noriginal program:\n" + r["source"])


_FAILED = ("fail", "hang", "crash", "fuzzer error")


def _indent(text: str) -> str:
    return "\n".join("    " + ln for ln in text.splitlines())


def show(seed: int) -> None:
    """Print one program, its inputs and the comparison (in this process)."""
    from phylanx.fuzz.generator import generate
    from phylanx.fuzz.runner import check_program, describe_inputs

    program = generate(seed)
    print(program.source)
    print(program.describe())
    print(describe_inputs(program))
    result = check_program(program)
    print(f"\nstatus: {result.status}\nPython: {result.python}\nkernel: {result.kernel}")
    if result.refusal:
        print(f"refused: {result.refusal}")
    for f in result.failures:
        print(f.line())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m phylanx.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0:200", help="A:B (B excluded) and/or N, comma-"
                        "separated (default 0:200)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds per program before it counts as a hang (default 120)")
    parser.add_argument("--minimize", type=int, default=3, metavar="N",
                        help="minimize the first N failures of each category of known bug "
                        "classes and 10 N unexplained ones (default 3)")
    parser.add_argument("--details", type=int, default=30,
                        help="print programs and inputs of the first N failures (default 30)")
    parser.add_argument("--report", metavar="DIR",
                        help="write summary.txt, results.jsonl and one file per failure")
    parser.add_argument("--show", type=int, metavar="SEED", help="run one seed in-process")
    parser.add_argument("--summarize", nargs="+", metavar="DIR",
                        help="print one summary of earlier runs' --report folders (runs "
                        "nothing)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        from phylanx.fuzz.pool import worker_main
        worker_main()
        return 0
    if args.show is not None:
        show(args.show)
        return 0
    if args.summarize:
        summary = Summary(0, None, None)
        for folder in args.summarize:
            summary.load(folder)
        print(summary.text(args.details))
        return 1 if any(r["status"] in _FAILED for r in summary.results.values()) else 0
    from phylanx.fuzz.pool import run_requests

    log = None
    if args.report:
        os.makedirs(args.report, exist_ok=True)
        log = open(os.path.join(args.report, "results.jsonl"), "w")  # noqa: SIM115
    summary = Summary(args.minimize, args.report, log)
    try:
        run_requests([{"op": "check", "seed": s} for s in _seeds(args.seeds)], args.jobs,
                     args.timeout, summary.on_answer)
    finally:
        text = summary.text(args.details)
        print(text)
        if args.report:
            log.close()
            summary.write_report()
            with open(os.path.join(args.report, "summary.txt"), "w") as fh:
                fh.write(text)
    failing = sum(r["status"] in _FAILED for r in summary.results.values())
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
