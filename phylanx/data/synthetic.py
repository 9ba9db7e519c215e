"""Seeded synthetic data for the examples and benchmarks.

- `movielens_like`: ratings shaped like MovieLens-20M (138,493 users, 27,278 movies, 20,000,263
  ratings) at any scale factor, with power-law user activity and movie popularity;
- `logreg_data`: a binary classification problem (the paper used 10,000 x 10,000);
- `linreg_data`, `blobs`: inputs of the linear regression and k-means examples.

Every generator takes a `seed` and returns the same data for the same arguments.
"""

from __future__ import annotations

import numpy as np

from phylanx.data.movielens import Ratings

ML20M_USERS = 138_493
ML20M_MOVIES = 27_278
ML20M_RATINGS = 20_000_263
ML20M_MIN_PER_USER = 20
# Half-star ratings 0.5 .. 5.0 and roughly how often each occurs in MovieLens-20M.
RATING_VALUES = np.arange(1, 11) / 2.0
RATING_WEIGHTS = np.array([239_125, 680_732, 279_252, 1_430_997, 883_398, 4_291_193,
                           2_200_156, 5_561_926, 1_534_824, 2_898_660], dtype=np.float64)
TIME_RANGE = (789_652_009, 1_427_784_002)  # first and last timestamp of ML-20M


def movielens_like(scale: float = 1.0, seed: int = 0, *, n_users: int | None = None,
                   n_movies: int | None = None, n_ratings: int | None = None,
                   user_exponent: float = 2.0, movie_exponent: float = 2.0) -> Ratings:
    """Ratings with MovieLens-20M's shape, `scale` times its size (users, movies and ratings).

    User activity: every user rates at least min(20, cap) movies, the rest of the ratings are
    shared out in proportion to Pareto(`user_exponent`) weights; no user rates more than half the
    movies (cap), so at small scales the number of ratings is capped at users x cap.
    Movie popularity: the movie of popularity rank r is picked with probability proportional to
    (r + 0.011 n_movies) ** -movie_exponent (the most-rated ML-20M movie has about 67k
    ratings); movie ids are a random permutation of 1..n_movies, user ids are 1..n_users.
    A user never rates a movie twice; heavy users may get a few fewer ratings than drawn.
    """
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    rng = np.random.default_rng(seed)
    n_users = n_users or max(1, round(ML20M_USERS * scale))
    n_movies = n_movies or max(1, round(ML20M_MOVIES * scale))
    cap = max(1, n_movies // 2)
    n_ratings = min(n_ratings or max(1, round(ML20M_RATINGS * scale)), n_users * cap)
    counts = _user_counts(rng, n_users, n_ratings, cap, user_exponent)
    ranks = np.arange(n_movies, dtype=np.float64)
    popularity = (ranks + 0.011 * n_movies + 1.0) ** -movie_exponent
    keys = _draw_pairs(rng, counts, popularity / popularity.sum())
    users, movie_rank = keys // n_movies, keys % n_movies
    movie_ids = rng.permutation(n_movies) + 1
    p = RATING_WEIGHTS / RATING_WEIGHTS.sum()
    return Ratings(
        users=users + 1,
        movies=movie_ids[movie_rank].astype(np.int64),
        ratings=rng.choice(RATING_VALUES, size=len(keys), p=p),
        timestamps=rng.integers(TIME_RANGE[0], TIME_RANGE[1] + 1, size=len(keys)),
    )


def _user_counts(rng: np.random.Generator, n_users: int, n_ratings: int, cap: int,
                 exponent: float) -> np.ndarray:
    """Ratings per user: a floor of min(20, cap), the rest by power-law weights, at most cap."""
    floor = min(ML20M_MIN_PER_USER, cap, n_ratings // n_users)
    counts = np.full(n_users, float(floor))
    weights = rng.pareto(exponent, n_users)
    extra = float(n_ratings - floor * n_users)
    free = np.ones(n_users, dtype=bool)
    while extra > 0.5 and free.any():  # share out `extra`, capping users at `cap` (water-fill)
        share = np.zeros(n_users)
        share[free] = extra * weights[free] / weights[free].sum()
        counts += share
        over = counts > cap
        extra = float((counts[over] - cap).sum())
        counts[over] = cap
        free &= ~over
    whole = np.floor(counts).astype(np.int64)
    short = n_ratings - int(whole.sum())
    if short > 0:  # hand the rounding remainder to the largest fractional parts
        room = np.flatnonzero(whole < cap)
        order = room[np.argsort(-(counts - whole)[room], kind="stable")][:short]
        whole[order] += 1
    return whole


def _draw_pairs(rng: np.random.Generator, counts: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Sorted unique keys user * n_movies + movie, about counts[u] movies for user u, drawn
    without replacement with probabilities p: exactly for users who rate more than an eighth of
    the movies, by drawing with replacement and topping up duplicates for the others."""
    n_movies = len(p)
    heavy = counts > n_movies // 8
    parts = [_draw_exact(rng, np.flatnonzero(heavy), counts, p),
             _draw_light(rng, np.flatnonzero(~heavy), counts, np.cumsum(p))]
    return np.sort(np.concatenate(parts), kind="stable")


def _draw_exact(rng: np.random.Generator, users: np.ndarray, counts: np.ndarray,
                p: np.ndarray) -> np.ndarray:
    """Weighted sampling without replacement (Efraimidis-Spirakis: the c smallest E/p)."""
    n_movies = len(p)
    out = []
    chunk = max(1, 4_000_000 // n_movies)
    for lo in range(0, len(users), chunk):
        rows = users[lo:lo + chunk]
        c = counts[rows]
        order = np.argsort(rng.exponential(size=(len(rows), n_movies)) / p, axis=1)
        top = order[:, :c.max()]
        mask = np.arange(top.shape[1]) < c[:, None]
        out.append((rows[:, None] * n_movies + top)[mask])
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def _draw_light(rng: np.random.Generator, users: np.ndarray, counts: np.ndarray,
                cdf: np.ndarray, rounds: int = 30) -> np.ndarray:
    """Draw with replacement, drop duplicates, redraw what is missing (only for those users)."""
    n_movies = len(cdf)
    done = np.empty(0, dtype=np.int64)
    pool = np.empty(0, dtype=np.int64)
    active = users
    for r in range(rounds):
        want = counts[active] - np.bincount(pool // n_movies, minlength=len(counts))[active]
        draw = np.ceil(want * 1.2 * 2.0 ** r).astype(np.int64) + 1
        who = np.repeat(active, draw)
        movies = np.minimum(np.searchsorted(cdf, rng.random(len(who)) * cdf[-1], side="right"),
                            n_movies - 1)
        pool = _trim(rng, _unique(np.concatenate([pool, who * n_movies + movies])), counts,
                     n_movies)
        have = np.bincount(pool // n_movies, minlength=len(counts))
        short = np.zeros(len(counts), dtype=bool)
        short[active] = have[active] < counts[active]
        finished = ~short[pool // n_movies]
        done = np.concatenate([done, pool[finished]])
        pool = pool[~finished]
        active = np.flatnonzero(short)
        if not len(active):
            break
    return np.concatenate([done, pool])


def _unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique, without its hash-table path: faster here)."""
    a = np.sort(a)
    return a[np.concatenate([[True], a[1:] != a[:-1]])] if len(a) else a


def _trim(rng: np.random.Generator, keys: np.ndarray, counts: np.ndarray,
          n_movies: int) -> np.ndarray:
    """Keep a random counts[u] of user u's keys (all of them if it has fewer); stays sorted."""
    users = keys // n_movies
    over = np.bincount(users, minlength=len(counts)) > counts
    sel = np.flatnonzero(over[users])
    if not len(sel):
        return keys
    sub = users[sel]  # sorted; a random order within each user's run:
    order = np.argsort(sub + rng.random(len(sel)))
    starts = np.searchsorted(sub, sub[order])
    keep = np.ones(len(keys), dtype=bool)
    keep[sel[order]] = np.arange(len(sel)) - starts < counts[sub[order]]
    return keys[keep]


def logreg_data(n: int = 10_000, d: int = 10_000, seed: int = 0,
                noise: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """X (n x d, standard normal) and labels y in {0., 1.} from a random linear model.

    The default is the paper's 10,000 x 10,000 (800 MB of float64); pass smaller n, d for tests.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d) / np.sqrt(max(d, 1))
    y = (X @ w + noise * rng.standard_normal(n) > 0).astype(np.float64)
    return X, y


def linreg_data(n: int = 10_000, d: int = 100, seed: int = 0,
                noise: float = 0.1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (n x d), y = X @ w + noise, and the true w."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d)
    return X, X @ w + noise * rng.standard_normal(n), w


def blobs(n: int = 10_000, d: int = 2, k: int = 5, seed: int = 0,
          spread: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """n points around k random centres in d dimensions, and k starting centroids (data rows)."""
    rng = np.random.default_rng(seed)
    centres = 10.0 * rng.standard_normal((k, d))
    X = centres[rng.integers(0, k, n)] + spread * rng.standard_normal((n, d))
    start = X[rng.choice(n, size=min(k, n), replace=False)].copy()
    return X, start
