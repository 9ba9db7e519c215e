"""asv benchmarks of phylanx (see README "Benchmarks"; configuration: asv.conf.json).

Every phylanx benchmark has its NumPy twin (``time_phylanx`` / ``time_numpy``) and a
``track_speedup`` that measures both in one process (median of repeats) and reports NumPy
time / phylanx time. The workloads live in ``phylanx.bench.workloads``, shared with
``python -m phylanx.bench``.
"""
