"""phylanx's benchmarks: kernels against their NumPy twins, and the runtime's target figures.

- `phylanx.bench.workloads`: the cases (inputs, kernel, NumPy twin), shared with ``asv_bench/``;
- `phylanx.bench.compare`: the main table (times, speedup over NumPy, fallback share, peers);
- `phylanx.bench.targets`: named figures measured at their sizes, each beside its target;
- `phylanx.bench.report`: machine facts, the figures as a PNG, the generated doc sections;
- `phylanx.bench.scheduler`: the scheduler's own measurements (``python -m phylanx.runtime bench``);
- `phylanx.bench.cli`: the command line, ``python -m phylanx.bench`` (see ``--help``).
"""
