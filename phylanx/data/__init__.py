"""Data for the examples and benchmarks: MovieLens files and seeded synthetic generators.

- `movielens`: `load_ratings(path)` reads ml-20m/ml-latest ``ratings.csv`` and ml-1m
  ``ratings.dat``; `Ratings.most_rated(n)`, `.dense()` and `.csr()` make ALS inputs.
- `synthetic`: `movielens_like(scale)`, `logreg_data(n, d)`, `linreg_data`, `blobs`.
"""

from phylanx.data.movielens import (
                                    CSRRatings,
                                    DenseRatings,
                                    MovieLensFormatError,
                                    Ratings,
                                    load_ratings,
)
from phylanx.data.synthetic import blobs, linreg_data, logreg_data, movielens_like

__all__ = ["CSRRatings", "DenseRatings", "MovieLensFormatError", "Ratings", "blobs",
           "linreg_data", "load_ratings", "logreg_data", "movielens_like"]
