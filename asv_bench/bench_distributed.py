"""LogReg on a Dask LocalCluster (2 worker processes x 1 thread): phylanx.distributed vs
dask.array running the plain NumPy function on the same Dask arrays.

Skipped (NotImplementedError in setup) when dask.distributed is not installed. The large run
of docs/performance.md is `python -m phylanx.distributed.bench`; here the data are small
enough for asv's repeated runs.
"""

from __future__ import annotations

import statistics
from typing import ClassVar

from asv_bench._common import timed


class DistributedLogReg:
    """20 LogReg steps on X of `rows` x 500 float64 in 8 blocks of rows."""

    params: ClassVar[list] = [4000, 20000]
    param_names: ClassVar[list] = ["rows"]
    iterations = 20
    repeats = 3
    timeout = 600

    def setup(self, rows):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise NotImplementedError("needs dask.distributed (phylanx[distributed])") from None
        from phylanx.distributed import bench

        self.cluster = LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                                    dashboard_address=None, silence_logs=40)
        self.client = Client(self.cluster, timeout=60)
        self.X, self.y = bench.make_data(self.client, rows, 500, 8)
        self._phylanx()                        # compiles on the workers
        self._dask()

    def teardown(self, rows):
        self.client.close(timeout=60)
        self.cluster.close(timeout=60)

    def _phylanx(self):
        from phylanx.distributed import using
        from phylanx.examples.logreg import logreg

        with using(self.client):
            return logreg(self.X, self.y, 1e-5, self.iterations)

    def _dask(self):
        from phylanx.distributed.bench import logreg_plain

        return logreg_plain(self.X, self.y, 1e-5, self.iterations).compute()

    def time_phylanx_distributed(self, rows):
        self._phylanx()

    def time_numpy_distributed(self, rows):
        """The plain NumPy function, run by dask.array on the same cluster."""
        self._dask()

    def track_speedup(self, rows):
        t_phx, t_dask = [], []
        for _ in range(self.repeats):
            t_phx.append(timed(self._phylanx))
            t_dask.append(timed(self._dask))
        return statistics.median(t_dask) / statistics.median(t_phx)

    track_speedup.unit = "x (dask.array time / phylanx.distributed time)"
