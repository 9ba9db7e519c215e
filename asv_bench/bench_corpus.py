"""The corpus of real kernels written by others (phylanx/corpus/manifest.py, fetched from
published packages into the corpus cache), size "s": every kernel that compiles (all but
phylanx.corpus.expected's refusals and crashes), phylanx and its NumPy twin (the same
function run as plain Python), and the speedup measured in one process. A kernel whose
package cannot be fetched (offline, no cache) is skipped. `python -m phylanx.corpus --size s
--time` prints the same per kernel with the geometric mean."""

from __future__ import annotations

import copy
import statistics
from typing import ClassVar

import phylanx
from asv_bench._common import PHYLANX_THREADS
from phylanx.corpus.expected import CRASHES, REFUSED
from phylanx.corpus.fetch import CorpusUnavailable
from phylanx.corpus.manifest import BY_NAME, KERNELS
from phylanx.corpus.runner import load_case, timed_call

SIZE = "s"
COMPILED = [k.name for k in KERNELS if k.name not in REFUSED and k.name not in CRASHES]


class Corpus:
    params: ClassVar[list] = COMPILED
    param_names: ClassVar[list] = ["kernel"]
    number = 1          # one call per sample: setup gives each call fresh (unmutated) inputs
    warmup_time = 0
    repeat = (3, 10, 20.0)
    timeout = 600

    def setup(self, kernel):
        phylanx.set_num_threads(PHYLANX_THREADS)
        try:
            self.case = load_case(BY_NAME[kernel])
        except CorpusUnavailable as e:
            raise NotImplementedError(str(e)) from None  # asv: skip
        self.inputs = self.case.make_args(SIZE)
        timed_call(self.case.kernel, copy.deepcopy(self.inputs), self.case.seed)  # compiles
        timed_call(self.case.plain, copy.deepcopy(self.inputs), self.case.seed)
        self.args = copy.deepcopy(self.inputs)

    def time_phylanx(self, kernel):
        timed_call(self.case.kernel, self.args, self.case.seed)

    def time_numpy(self, kernel):
        timed_call(self.case.plain, self.args, self.case.seed)

    def track_speedup(self, kernel):
        """Median NumPy time / median phylanx time over interleaved runs, fresh inputs each."""
        t_phylanx, t_numpy = [], []
        for _ in range(5):
            t_phylanx.append(timed_call(self.case.kernel, copy.deepcopy(self.inputs),
                                        self.case.seed))
            t_numpy.append(timed_call(self.case.plain, copy.deepcopy(self.inputs),
                                      self.case.seed))
        return statistics.median(t_numpy) / statistics.median(t_phylanx)

    track_speedup.unit = "x (numpy time / phylanx time)"
