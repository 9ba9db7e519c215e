"""phylanx.data: the MovieLens loader (on small files written here) and the generators."""

import numpy as np
import pytest

from phylanx.data import (
    MovieLensFormatError,
    Ratings,
    blobs,
    linreg_data,
    load_ratings,
    logreg_data,
    movielens_like,
)
from phylanx.data.movielens import detect_format

CSV = """userId,movieId,rating,timestamp
1,10,4.0,964982703
1,20,3.5,964981247
2,10,5.0,964982224
3,30,0.5,964983815
3,10,2.0,964982931
"""

DAT = """1::10::4::978300760
1::20::3::978302109

2::10::5::978301968
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


# -- reading ---------------------------------------------------------------------------------------

def test_csv_with_header(tmp_path):
    r = load_ratings(write(tmp_path, "ratings.csv", CSV))
    assert len(r) == 5
    np.testing.assert_array_equal(r.users, [1, 1, 2, 3, 3])
    np.testing.assert_array_equal(r.movies, [10, 20, 10, 30, 10])
    np.testing.assert_array_equal(r.ratings, [4.0, 3.5, 5.0, 0.5, 2.0])
    assert r.users.dtype == r.movies.dtype == r.timestamps.dtype == np.int64
    assert r.timestamps[0] == 964982703


def test_dat_format_and_blank_lines(tmp_path):
    path = write(tmp_path, "ratings.dat", DAT)
    assert detect_format(path) == "dat"
    r = load_ratings(path)
    np.testing.assert_array_equal(r.users, [1, 1, 2])
    np.testing.assert_array_equal(r.ratings, [4.0, 3.0, 5.0])
    assert load_ratings(path, fmt="dat").ratings.tolist() == r.ratings.tolist()


def test_csv_without_header_and_crlf(tmp_path):
    text = "\r\n".join(CSV.splitlines()[1:]) + "\r\n"
    r = load_ratings(write(tmp_path, "r.csv", text), fmt="csv")
    assert len(r) == 5


def test_empty_file(tmp_path):
    assert len(load_ratings(write(tmp_path, "empty.csv", ""))) == 0
    assert len(load_ratings(write(tmp_path, "header.csv", CSV.splitlines()[0] + "\n"))) == 0


def test_one_rating(tmp_path):
    r = load_ratings(write(tmp_path, "one.csv", "userId,movieId,rating,timestamp\n7,8,3.0,1\n"))
    assert r.users.tolist() == [7] and r.movies.tolist() == [8]


@pytest.mark.parametrize("bad_line, line_no, words", [
    ("4,10,3.0", 4, "expected 4 fields"),
    ("4,10,3.0,1,9", 4, "expected 4 fields"),
    ("4,10,good,964982224", 4, "rating 'good' is not a number"),
    ("4,ten,3.0,964982224", 4, "movie id 'ten' is not an integer"),
    ("4.5,10,3.0,964982224", 4, "user id '4.5' is not an integer"),
    ("-4,10,3.0,964982224", 4, "user id -4 is negative"),
    ("4,10,nan,964982224", 4, "rating 'nan' is not finite"),
    ("1,10,3.0,964982224", 4, "user 1 rated movie 10 again (first on line 2)"),
])
def test_malformed_csv_line_is_named(tmp_path, bad_line, line_no, words):
    lines = CSV.splitlines()
    lines.insert(line_no - 1, bad_line)
    path = write(tmp_path, "ratings.csv", "\n".join(lines) + "\n")
    with pytest.raises(MovieLensFormatError) as info:
        load_ratings(path)
    assert str(info.value).startswith(f"{path}:{line_no}: ")
    assert words in str(info.value)
    assert info.value.line == line_no and info.value.path == str(path)


def test_malformed_dat_line_is_named(tmp_path):
    path = write(tmp_path, "ratings.dat", DAT + "3::x::4::978300760\n")
    with pytest.raises(MovieLensFormatError, match=r"ratings\.dat:5: movie id 'x'"):
        load_ratings(path)
    path = write(tmp_path, "ratings2.dat", DAT + "3,5,4,978300760\n")
    with pytest.raises(MovieLensFormatError, match=r"ratings2\.dat:5: expected 4 fields"):
        load_ratings(path)


def test_wrong_header_is_named(tmp_path):
    path = write(tmp_path, "movies.csv", "movieId,title,genres\n1,Toy Story (1995),Animation\n")
    with pytest.raises(MovieLensFormatError, match=r"movies\.csv:1: unexpected header"):
        load_ratings(path)
    path = write(tmp_path, "other.csv", "a,b,c,d\n1,2,3.0,4\n")
    with pytest.raises(MovieLensFormatError, match=r"other\.csv:1: unexpected header"):
        load_ratings(path)


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="unknown MovieLens format"):
        load_ratings(write(tmp_path, "r.csv", CSV), fmt="xml")
    with pytest.raises(FileNotFoundError):
        load_ratings(tmp_path / "nope.csv")


# -- subsets and matrices -------------------------------------------------------------------------

def test_most_rated_subset(tmp_path):
    r = load_ratings(write(tmp_path, "ratings.csv", CSV))
    assert set(r.most_rated(1).movies) == {10}  # 3 ratings
    assert set(r.most_rated(2).movies) == {10, 20}  # 20 and 30 tie at 1: smaller id wins
    assert len(load_ratings(tmp_path / "ratings.csv", top_movies=2)) == 4
    assert len(r.most_rated(100)) == len(r)


def test_dense_and_csr(tmp_path):
    r = load_ratings(write(tmp_path, "ratings.csv", CSV))
    d = r.dense()
    np.testing.assert_array_equal(d.user_ids, [1, 2, 3])
    np.testing.assert_array_equal(d.movie_ids, [10, 20, 30])
    np.testing.assert_array_equal(d.matrix, [[4.0, 3.5, 0.0], [5.0, 0.0, 0.0], [2.0, 0.0, 0.5]])
    c = r.csr()
    assert c.shape == (3, 3)
    np.testing.assert_array_equal(c.indptr, [0, 2, 3, 5])
    np.testing.assert_array_equal(c.indices, [0, 1, 0, 0, 2])
    np.testing.assert_array_equal(c.data, [4.0, 3.5, 5.0, 2.0, 0.5])
    np.testing.assert_array_equal(c.indptr_t, [0, 3, 4, 5])
    np.testing.assert_array_equal(c.indices_t, [0, 1, 2, 0, 2])
    np.testing.assert_array_equal(c.data_t, [4.0, 5.0, 2.0, 3.5, 0.5])
    np.testing.assert_array_equal(c.toarray(), d.matrix)
    assert all(a.dtype == np.int64 for a in (c.indptr, c.indices, c.indptr_t, c.indices_t))
    assert len(c.arrays()) == 6


# -- synthetic ------------------------------------------------------------------------------------

def test_movielens_like_is_seeded():
    a, b, c = movielens_like(0.002, seed=5), movielens_like(0.002, seed=5), movielens_like(
        0.002, seed=6)
    for field in ("users", "movies", "ratings", "timestamps"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.movies, c.movies)


def test_movielens_like_shape():
    r = movielens_like(0.02, seed=0)
    assert isinstance(r, Ratings)
    n_users, n_movies = round(138_493 * 0.02), round(27_278 * 0.02)
    assert len(np.unique(r.users)) == n_users and r.users.min() == 1
    assert r.movies.min() >= 1 and r.movies.max() <= n_movies
    assert len(r) == min(round(20_000_263 * 0.02), n_users * (n_movies // 2))
    assert len(np.unique(r.users * 10**6 + r.movies)) == len(r)  # no pair twice
    assert set(np.unique(r.ratings)) <= set(np.arange(1, 11) / 2.0)
    assert 3.3 < r.ratings.mean() < 3.7  # ML-20M: 3.53


def test_movielens_like_power_laws():
    r = movielens_like(0.05, seed=1)  # 6,925 users, 1,364 movies, 1.0M ratings
    per_user = np.bincount(r.users)[1:]
    per_movie = np.unique(r.movies, return_counts=True)[1]
    assert per_user.min() >= 20
    assert per_user.max() > 5 * np.median(per_user)  # heavy tail of very active users
    assert 100 < per_user.mean() < 200  # ML-20M: 144 ratings per user
    top = np.sort(per_movie)[::-1]
    assert top[:10].sum() > 20 * np.median(per_movie) * 10  # a few blockbusters


def test_movielens_like_explicit_sizes_and_errors():
    r = movielens_like(n_users=50, n_movies=40, n_ratings=300, seed=2)
    assert len(r) == 300 and r.users.max() <= 50 and r.movies.max() <= 40
    with pytest.raises(ValueError):
        movielens_like(0)


def test_logreg_linreg_blobs():
    X, y = logreg_data(50, 7, seed=3)
    assert X.shape == (50, 7) and y.shape == (50,) and set(np.unique(y)) <= {0.0, 1.0}
    assert 0 < y.mean() < 1
    X2, _ = logreg_data(50, 7, seed=3)
    np.testing.assert_array_equal(X, X2)
    X, y, w = linreg_data(30, 4, seed=1, noise=0.0)
    np.testing.assert_allclose(X @ w, y)
    X, start = blobs(40, 3, 5, seed=0)
    assert X.shape == (40, 3) and start.shape == (5, 3)
    assert all(any(np.array_equal(s, x) for x in X) for s in start)
