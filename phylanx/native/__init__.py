"""The native tier: a kernel's final PhySL as C, compiled into a shared library and called
directly (see docs/native.md).

`PHYLANX_NATIVE` chooses the mode: ``1`` (default) runs the first calls on the interpreter
while a background thread compiles, then switches; ``force`` compiles before the first call
(tests); ``0`` turns the tier off. Kernels the generator does not translate stay on the
interpreter; `NativeState.reason` says why (shown by `kernel.explain` and the profile).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from phylanx.native.cache import CompilerMissing, build, cache_dir
from phylanx.native.generate import Unsupported, generate_c

__all__ = ["NativeState", "Unsupported", "c_source", "cache_dir", "mode", "start"]

_notice_lock = threading.Lock()
_noticed_missing = False


def mode() -> str:
    """'0', '1' or 'force' (from PHYLANX_NATIVE; anything else counts as '1')."""
    value = os.environ.get("PHYLANX_NATIVE", "1").strip().lower()
    if value in ("0", "off", "false", "no"):
        return "0"
    return "force" if value == "force" else "1"


def c_source(module) -> str:
    """The C source the native tier compiles for PhySL `module` (raises Unsupported)."""
    from phylanx.native.cache import cache_key, module_name

    key = cache_key(str(module))
    return generate_c(module, module_name(key), key)


class NativeState:
    """Where one specialisation stands with the native tier.

    `status`: 'off' (disabled), 'unsupported', 'compiling', 'ready', 'failed' (compiler
    error or none found); `reason` explains every state but 'ready'; `run` is the native
    entry once ready (returns NotImplemented for calls the interpreter must run)."""

    def __init__(self):
        self.status = "off"
        self.reason = "the native tier is off (PHYLANX_NATIVE=0)"
        self.run = None
        self.compiled_now = False
        self._done = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until compiling has finished (True) or `timeout` passed."""
        return self._done.wait(timeout)

    def describe(self) -> str:
        if self.status == "ready":
            return "native code" + (" (compiled now)" if self.compiled_now else
                                    " (from the disk cache)")
        return f"interpreter: {self.reason}"


def start(compiled, on_ready) -> NativeState:
    """Begin the native tier for CompiledKernel `compiled`; `on_ready(state)` is called
    once its native entry can run."""
    state = NativeState()
    m = mode()
    if m == "0":
        state._done.set()
        return state
    physl = str(compiled.module)
    try:
        from phylanx.native.cache import cache_key, module_name

        key = cache_key(physl)
        source = generate_c(compiled.module, module_name(key), key)
    except Unsupported as e:
        state.status, state.reason = "unsupported", f"not translated to C: {e}"
        state._done.set()
        return state
    except CompilerMissing as e:
        _notice_missing(e)
        state.status, state.reason = "failed", str(e)
        state._done.set()
        return state
    state.status, state.reason = "compiling", "native code is being compiled"

    def work():
        try:
            module, state.compiled_now = build(physl, lambda name, k: source)
        except (OSError, RuntimeError, subprocess.SubprocessError) as e:
            # a compiler failure leaves the kernel interpreted
            state.status, state.reason = "failed", f"native compile failed: {e}"
        else:
            state.run = module.run
            state.status, state.reason = "ready", ""
            on_ready(state)
        finally:
            state._done.set()

    if m == "force":
        work()
    else:
        threading.Thread(target=work, name="phylanx-native-compile", daemon=True).start()
    return state


def _notice_missing(error: Exception) -> None:
    global _noticed_missing
    with _notice_lock:
        if not _noticed_missing:
            _noticed_missing = True
            print(f"phylanx: {error}; kernels run on the interpreter", file=sys.stderr)
