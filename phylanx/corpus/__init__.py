"""A corpus of real NumPy kernels written by others, fetched from published packages and
compiled unchanged, compared with NumPy (`python -m phylanx.corpus`); see
phylanx/corpus/manifest.py and docs/coverage.md."""
