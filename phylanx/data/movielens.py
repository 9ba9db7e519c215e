"""Reading MovieLens rating files and turning them into the matrices the ALS kernels take.

Formats (detected from the first line, or given as ``fmt``):

- ``"csv"``: ml-20m, ml-25m, ml-latest(-small) ``ratings.csv``: a header
  ``userId,movieId,rating,timestamp`` and one rating per line;
- ``"dat"``: ml-1m / ml-10m ``ratings.dat``: ``UserID::MovieID::Rating::Timestamp``, no header.

A malformed line raises `MovieLensFormatError` naming the file and the line number. The paper's
subset (the N most-rated movies) is ``Ratings.most_rated(N)``; ``Ratings.dense()`` and
``Ratings.csr()`` give the inputs of ``als_implicit`` and ``als_explicit``::

    ratings = load_ratings("ml-20m/ratings.csv").most_rated(1000)
    R = ratings.dense().matrix
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

CSV_HEADER = ("userId", "movieId", "rating", "timestamp")


class MovieLensFormatError(ValueError):
    """A rating file that is not in the expected format; the message names file and line."""

    def __init__(self, path: str | os.PathLike, line: int | None, message: str):
        self.path, self.line = os.fspath(path), line
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Ratings:
    """Ratings as parallel arrays (one entry per rating), with MovieLens ids."""

    users: np.ndarray       # int64 user ids
    movies: np.ndarray      # int64 movie ids
    ratings: np.ndarray     # float64 ratings
    timestamps: np.ndarray  # int64 seconds since the epoch

    def __len__(self) -> int:
        return len(self.ratings)

    def select(self, mask: np.ndarray) -> Ratings:
        """The ratings where mask is true."""
        return Ratings(self.users[mask], self.movies[mask], self.ratings[mask],
                       self.timestamps[mask])

    def most_rated(self, n: int) -> Ratings:
        """Only the ratings of the n movies with the most ratings (ties: smaller movie id)."""
        ids, counts = np.unique(self.movies, return_counts=True)
        order = np.lexsort((ids, -counts))  # by count descending, then id ascending
        return self.select(np.isin(self.movies, ids[order[:n]]))

    def dense(self) -> DenseRatings:
        """A users x movies matrix (0 where not rated) over the users and movies present."""
        user_ids, u = np.unique(self.users, return_inverse=True)
        movie_ids, m = np.unique(self.movies, return_inverse=True)
        matrix = np.zeros((len(user_ids), len(movie_ids)))
        matrix[u, m] = self.ratings
        return DenseRatings(matrix, user_ids, movie_ids)

    def csr(self) -> CSRRatings:
        """CSR arrays of the users x movies matrix (and the CSC arrays, for the item pass)."""
        user_ids, u = np.unique(self.users, return_inverse=True)
        movie_ids, m = np.unique(self.movies, return_inverse=True)
        shape = (len(user_ids), len(movie_ids))
        indptr, indices, data = _compress(u, m, self.ratings, shape[0])
        indptr_t, indices_t, data_t = _compress(m, u, self.ratings, shape[1])
        return CSRRatings(indptr, indices, data, indptr_t, indices_t, data_t, shape, user_ids,
                          movie_ids)


@dataclass(frozen=True)
class DenseRatings:
    """``matrix[i, j]`` is user ``user_ids[i]``'s rating of movie ``movie_ids[j]`` (0: none)."""

    matrix: np.ndarray
    user_ids: np.ndarray
    movie_ids: np.ndarray


@dataclass(frozen=True)
class CSRRatings:
    """Row ``i`` (user ``user_ids[i]``) holds ``data[indptr[i]:indptr[i+1]]`` at the columns
    ``indices[...]`` (indices into ``movie_ids``); ``*_t`` is the same for the transpose (CSC).
    Index arrays are int64, columns sorted within each row."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    indptr_t: np.ndarray
    indices_t: np.ndarray
    data_t: np.ndarray
    shape: tuple[int, int]
    user_ids: np.ndarray
    movie_ids: np.ndarray

    def arrays(self) -> tuple[np.ndarray, ...]:
        """(indptr, indices, data, indptr_t, indices_t, data_t): the first arguments of
        ``als_explicit``."""
        return (self.indptr, self.indices, self.data, self.indptr_t, self.indices_t,
                self.data_t)

    def toarray(self) -> np.ndarray:
        """The dense matrix (for checks on small data)."""
        out = np.zeros(self.shape)
        rows = np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))
        out[rows, self.indices] = self.data
        return out


def _compress(rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
              n_rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.lexsort((cols, rows))
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return (indptr, cols[order].astype(np.int64),
            np.asarray(values, dtype=np.float64)[order])


# -- reading ------------------------------------------------------------------------------------

def detect_format(path: str | os.PathLike) -> str:
    """``"dat"`` if the first non-empty line contains ``::``, else ``"csv"``."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.strip():
                return "dat" if "::" in line else "csv"
    return "csv"


def load_ratings(path: str | os.PathLike, fmt: str = "auto",
                 top_movies: int | None = None) -> Ratings:
    """Read a MovieLens ratings file (see the module doc for the formats).

    `top_movies`: keep only the ratings of that many most-rated movies (the paper's subset).
    Duplicate (user, movie) pairs are an error. Raises `MovieLensFormatError` on a malformed line.
    """
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt not in ("csv", "dat"):
        raise ValueError(f"unknown MovieLens format {fmt!r} (expected 'csv', 'dat' or 'auto')")
    try:
        table = _load_fast(path, fmt)
        ratings = _validated(table)
    except ValueError as e:
        if isinstance(e, MovieLensFormatError):
            raise
        _raise_first_bad_line(path, fmt)  # names the line; falls through if it finds none
        raise MovieLensFormatError(path, None, str(e)) from None
    if top_movies is not None:
        ratings = ratings.most_rated(top_movies)
    return ratings


def _load_fast(path, fmt: str) -> np.ndarray:
    """All rows as a float64 (n, 4) array via NumPy's C parser; ValueError if malformed."""
    with open(path, encoding="utf-8") as f:
        lines: Iterator[str]
        if fmt == "csv":
            first = _first_nonempty(f)
            if first is None:
                return np.empty((0, 4))
            number, line = first
            if _is_header(line):
                _check_header(path, number, line)
                lines = f
            else:
                lines = _chain(line, f)
        else:
            lines = _dat_lines(f)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "loadtxt: input contained no data")
            table = np.loadtxt(lines, delimiter=",", dtype=np.float64, comments=None, ndmin=2)
    if table.size == 0:
        return np.empty((0, 4))
    if table.shape[1] != 4:
        raise ValueError(f"expected 4 fields per line, got {table.shape[1]}")
    return table


def _dat_lines(f) -> Iterator[str]:
    for line in f:
        if "," in line:
            raise ValueError("',' in a '::'-separated file")
        yield line.replace("::", ",")


def _validated(table: np.ndarray) -> Ratings:
    ids = table[:, [0, 1, 3]]
    if not (np.isfinite(table).all() and (ids == np.floor(ids)).all() and (ids >= 0).all()):
        raise ValueError("ids and timestamps must be non-negative integers")
    users, movies = table[:, 0].astype(np.int64), table[:, 1].astype(np.int64)
    ratings = Ratings(users, movies, table[:, 2].copy(), table[:, 3].astype(np.int64))
    key = users * (int(movies.max()) + 1) + movies if len(movies) else users
    if len(np.unique(key)) != len(key):
        raise ValueError("a user rated the same movie twice")
    return ratings


def _first_nonempty(f) -> tuple[int, str] | None:
    for number, line in enumerate(f, 1):
        if line.strip():
            return number, line
    return None


def _chain(first: str, rest) -> Iterator[str]:
    yield first
    yield from rest


def _is_header(line: str) -> bool:
    head = line.strip().split(",")[0].strip()
    return not head.lstrip("-").replace(".", "", 1).isdigit()


def _check_header(path, number: int, line: str) -> None:
    text = line.strip()
    if tuple(x.strip() for x in text.split(",")) != CSV_HEADER:
        raise MovieLensFormatError(path, number, f"unexpected header {text!r} (expected "
                                   f"{','.join(CSV_HEADER)!r}: is this a ratings file?)")


def _raise_first_bad_line(path, fmt: str) -> None:
    """Scan the file in Python and raise MovieLensFormatError at the first malformed line."""
    sep = "::" if fmt == "dat" else ","
    seen: dict[tuple[int, int], int] = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        first_data_line = True
        for number, line in enumerate(f, 1):
            text = line.strip()
            if not text:
                continue
            if first_data_line and fmt == "csv" and _is_header(text):
                first_data_line = False
                _check_header(path, number, text)
                continue
            first_data_line = False
            user, movie = _parse_line(path, number, text, sep)
            if (user, movie) in seen:
                raise MovieLensFormatError(
                    path, number, f"user {user} rated movie {movie} again (first on line "
                    f"{seen[user, movie]})")
            seen[user, movie] = number


def _parse_line(path, number: int, text: str, sep: str) -> tuple[int, int]:
    fields = text.split(sep)
    if len(fields) != 4:
        raise MovieLensFormatError(
            path, number, f"expected 4 fields separated by {sep!r} "
            f"(user, movie, rating, timestamp), got {len(fields)}: {text!r}")
    names = ("user id", "movie id", "rating", "timestamp")
    values = []
    for name, field in zip(names, fields):
        try:
            value = float(field) if name == "rating" else int(field)
        except ValueError:
            raise MovieLensFormatError(path, number, f"{name} {field.strip()!r} is not "
                                       f"{'a number' if name == 'rating' else 'an integer'}"
                                       ) from None
        if name == "rating" and not math.isfinite(value):
            raise MovieLensFormatError(path, number, f"rating {field.strip()!r} is not finite")
        if name != "rating" and value < 0:
            raise MovieLensFormatError(path, number, f"{name} {value} is negative")
        values.append(value)
    return values[0], values[1]
