"""Run many seeds in worker processes: a hang or a crash of one program is caught (timeout,
process death), reported with its seed, and the worker is replaced.

Protocol: the parent writes one JSON request per line to a worker's stdin ({"op": "check",
"seed": N} or {"op": "minimize", "seed": N, "category": C, "config": K}); the worker answers
with one JSON line per request."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import time
import traceback
from collections import deque
from dataclasses import asdict

STARTUP_SECONDS = 60        # extra time for a new worker's first request (imports)


# ------------------------------------------------------------------------ worker side
def check_seed(seed: int) -> dict:
    from phylanx.fuzz.generator import generate
    from phylanx.fuzz.runner import (
        NOTES,
        blame,
        check_program,
        describe_inputs,
        refusal_construct,
    )

    program = generate(seed)
    result = check_program(program)
    where = ""
    failing = [f for f in result.failures if f.category not in NOTES]
    if failing:
        first = failing[0]
        where = blame(program, first.category, first.config)
    result.failures = failing + [f for f in result.failures if f.category in NOTES]
    return {"seed": seed, "status": result.status, "categories": result.categories,
            "blame": where,
            "failures": [asdict(f) for f in result.failures],
            "refusal": refusal_construct(result.refusal) if result.refusal else "",
            "refusal_message": result.refusal, "python": result.python,
            "kernel": result.kernel, "features": dict(program.features),
            "source": program.source, "inputs": describe_inputs(program),
            "types": program.describe()}


def still_fails(program, failure, python_error: str | None):
    """The predicate of the minimizer: the variant fails in the same configuration with a
    failure of the same signature (runner.signature), and Python's exception class (if any)
    is unchanged."""
    from phylanx.fuzz.runner import CONFIGS, check_program, signature

    config, wanted = failure.config, signature(failure)

    def predicate(text: str) -> bool:
        try:
            result = check_program(
                program, configs=(config,) if config in CONFIGS else CONFIGS[-1:],
                concurrent=config == "concurrent calls", second_call=config == "second call",
                source=text)
        except Exception:  # noqa: BLE001  (a variant that does not even load)
            return False
        if python_error is not None and not result.python.startswith(
                f"raised: {python_error}:"):
            return False
        return any(f.config == config and signature(f) == wanted for f in result.failures)
    return predicate


def minimize_seed(seed: int, category: str, config: str, budget: int = 300) -> dict:
    from phylanx.fuzz.generator import generate
    from phylanx.fuzz.minimize import minimize
    from phylanx.fuzz.runner import blame, check_program

    program = generate(seed)
    first = check_program(program)
    python_error = first.python.split(":")[1].strip() if first.python.startswith("raised") \
        else None
    target = next((f for f in first.failures if f.category == category and f.config == config),
                  None)
    if target is None:
        return {"seed": seed, "status": "fuzzer error", "error": "failure did not reproduce"}
    text, checks = minimize(program.source, still_fails(program, target, python_error), budget)
    final = check_program(program, source=text)
    where = blame(program, category, config, text) if category in final.categories else ""
    return {"seed": seed, "minimized": text, "checks": checks, "python": final.python,
            "blame": where,
            "kernel": final.kernel, "failures": [asdict(f) for f in final.failures]}


MEMORY_LIMIT = 4 << 30      # address space of a worker: a runaway program gets MemoryError


def worker_main() -> None:
    """Serve requests on stdin until it closes."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    out = sys.stdout
    sys.stdout = sys.stderr        # stray prints must not corrupt the protocol
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "check":
                answer = check_seed(request["seed"])
            else:
                answer = minimize_seed(request["seed"], request["category"], request["config"])
        except Exception:  # noqa: BLE001  (a bug of the fuzzer itself: report, go on)
            answer = {"seed": request["seed"], "status": "fuzzer error",
                      "error": traceback.format_exc()}
        answer["op"] = request["op"]
        out.write(json.dumps(answer, default=str) + "\n")
        out.flush()


# ------------------------------------------------------------------------ parent side
WORKER_COMMAND = [sys.executable, "-m", "phylanx.fuzz", "--worker"]


class Worker:
    def __init__(self, command: list[str], startup: float):
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115  (closed in kill())
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, env=env)
        self.startup = startup
        self.buffer = b""
        self.request: dict | None = None
        self.deadline = 0.0
        self.fresh = True

    def send(self, request: dict, timeout: float) -> None:
        self.request = request
        self.deadline = time.monotonic() + timeout + (self.startup if self.fresh else 0)
        self.fresh = False
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()

    def read_lines(self) -> list[str] | None:
        """Complete lines available now; None at end of file (the worker died)."""
        data = os.read(self.proc.stdout.fileno(), 1 << 20)
        if not data:
            return None
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        return [ln.decode() for ln in lines]

    def stderr_tail(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-2000:]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.stderr.close()


def run_requests(requests: list[dict], jobs: int, timeout: float, on_answer,
                 command: list[str] | None = None, startup: float = STARTUP_SECONDS) -> None:
    """Send `requests` to `jobs` workers; `on_answer(answer)` gets each answer (a hang or a
    crash gives an answer with status 'hang'/'crash'). `on_answer` may return new requests.
    `command` starts a worker (default: this package's); `startup` is extra time for a new
    worker's first request."""
    queue = deque(requests)
    command = command or WORKER_COMMAND
    workers = [Worker(command, startup) for _ in range(max(1, min(jobs, len(queue))))]
    try:
        while queue or any(w.request for w in workers):
            for w in workers:
                if w.request is None and queue:
                    w.send(queue.popleft(), timeout)
            busy = [w for w in workers if w.request is not None]
            wait = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready, _, _ = select.select([w.proc.stdout for w in busy], [], [], wait)
            for i, w in enumerate(workers):
                if w.request is None:
                    continue
                answer = None
                if w.proc.stdout in ready:
                    lines = w.read_lines()
                    if lines is None:
                        answer = _lost(w, "crash", f"worker died (exit code {w.proc.wait()}): "
                                                   f"{w.stderr_tail()}")
                    elif lines:
                        answer = json.loads(lines[0])
                elif time.monotonic() >= w.deadline:
                    answer = _lost(w, "hang", f"no answer within {timeout:.0f} s")
                if answer is None:
                    continue
                if answer.get("status") in ("crash", "hang"):
                    w.kill()
                    workers[i] = Worker(command, startup)
                else:
                    w.request = None
                queue.extend(on_answer(answer) or ())
    finally:
        for w in workers:
            if w.proc.poll() is None:
                w.proc.stdin.close()
                try:
                    w.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    w.proc.kill()
                    w.proc.wait()


def _lost(worker: Worker, status: str, detail: str) -> dict:
    request = worker.request
    worker.request = None
    return {"seed": request["seed"], "op": request["op"], "status": status,
            "categories": [status], "failures": [{"category": status, "config": "worker",
                                                  "detail": detail}]}
