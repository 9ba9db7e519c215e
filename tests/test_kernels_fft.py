"""Kernels calling numpy.fft: every transform with n/s, axis/axes and norm, frequencies and
shifts give NumPy's values, dtypes (float32 -> complex64, as NumPy 2) and shapes on real
inputs, 0-d/empty/non-contiguous ones included, and NumPy's errors."""

from __future__ import annotations

import numpy as np
import pytest

import phylanx
from phylanx.testing import check_kernel

RNG = np.random.default_rng(0)
SIGNAL = RNG.standard_normal(16)
IMAGE = RNG.standard_normal((6, 8))
CUBE = RNG.standard_normal((4, 6, 5))
SPECTRUM = np.fft.rfft(SIGNAL)


def check(func, *args):
    expected = func(*args)
    got = check_kernel(func, *args)
    # check_kernel compares with a tolerance; the kernel runs NumPy's transform: exact
    for g, e in zip(got if isinstance(got, tuple) else (got,),
                    expected if isinstance(expected, tuple) else (expected,)):
        assert type(g) is type(e) and g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_array_equal(g, e)


def one_axis(a):
    return (np.fft.fft(a), np.fft.ifft(a), np.fft.rfft(a), np.fft.ihfft(a),
            np.fft.fft(a, axis=0), np.fft.rfft(a, norm="ortho"), np.fft.ifft(a, norm="forward"))


def one_axis_inverse_real(c):
    return np.fft.irfft(c), np.fft.hfft(c), np.fft.irfft(c, axis=0), np.fft.hfft(c, norm="ortho")


def with_lengths(a, n):
    return (np.fft.fft(a, n), np.fft.rfft(a, n=n, axis=0), np.fft.irfft(a, n),
            np.fft.hfft(a, n - 1), np.fft.ifft(a, n=2 * n))


@pytest.mark.parametrize("a", [SIGNAL, SIGNAL.astype(np.float32), SIGNAL[::3], IMAGE,
                               IMAGE.T, IMAGE.astype(np.int32), CUBE[:, ::2]])
def test_one_axis_transforms(a):
    check(one_axis, a)
    check(one_axis_inverse_real, a.astype(np.complex128) if a.dtype != np.float32 else
          a.astype(np.complex64))
    check(with_lengths, a, 7)


def complex_one_axis(c):
    return np.fft.fft(c), np.fft.ifft(c, 5), np.fft.irfft(c), np.fft.hfft(c, axis=0)


def test_complex_inputs_keep_their_precision():
    check(complex_one_axis, (IMAGE + 1j * IMAGE).astype(np.complex64))
    check(complex_one_axis, SPECTRUM[::2])


def many_axes(a):
    return (np.fft.fft2(a), np.fft.ifft2(a), np.fft.fftn(a), np.fft.ifftn(a),
            np.fft.rfft2(a), np.fft.rfftn(a), np.fft.irfft2(a), np.fft.irfftn(a),
            np.fft.fft2(a, axes=(0, -1)), np.fft.fftn(a, axes=(0,)),
            np.fft.rfftn(a, axes=(1, 0), norm="forward"), np.fft.irfftn(a, axes=(-1,)))


def many_axes_with_shape(a, m):
    return (np.fft.fft2(a, (m, 4)), np.fft.fftn(a, s=(3, m), axes=(0, 1)),
            np.fft.rfft2(a, (m, m)), np.fft.irfft2(a, s=(m, 6)),
            np.fft.irfftn(a, (4, m), axes=(-1, 0), norm="ortho"))


@pytest.mark.parametrize("a", [IMAGE, IMAGE.astype(np.float32), IMAGE[::2, 1::2], CUBE,
                               CUBE.transpose(2, 0, 1)])
def test_many_axis_transforms(a):
    check(many_axes, a)
    check(many_axes_with_shape, a, 5)


def frequencies(n, d):
    return (np.fft.fftfreq(n), np.fft.fftfreq(n, d), np.fft.rfftfreq(n),
            np.fft.rfftfreq(n, d=d))


def shifts(x):
    return (np.fft.fftshift(x), np.fft.ifftshift(x), np.fft.fftshift(x, axes=0),
            np.fft.ifftshift(np.fft.fftshift(x, axes=(0,)), axes=(0,)))


@pytest.mark.parametrize("n, d", [(8, 0.1), (7, 2), (1, 1.0), (5, np.float32(0.5))])
def test_frequencies(n, d):
    check(frequencies, n, d)


@pytest.mark.parametrize("x", [SIGNAL, IMAGE[:, ::3], np.arange(6, dtype=np.int8),
                               np.zeros((0, 3))])
def test_shifts(x):
    check(shifts, x)


def spectrum_of_a_signal(t, f):
    x = np.sin(2 * np.pi * f * t) + 0.5 * np.cos(2 * np.pi * 3 * f * t)
    spectrum = np.abs(np.fft.rfft(x)) / t.shape[0]
    freqs = np.fft.rfftfreq(t.shape[0], t[1] - t[0])
    return freqs[np.argmax(spectrum)], np.fft.irfft(np.fft.rfft(x), t.shape[0])


def test_a_spectrum_round_trip_in_one_kernel():
    # np.sin and np.cos run natively (within an ulp of NumPy's): compared with a tolerance
    check_kernel(spectrum_of_a_signal, np.linspace(0.0, 1.0, 64, endpoint=False), 5.0)


# --- errors --------------------------------------------------------------------------------

def fft_n(a, n):
    return np.fft.fft(a, n)


def rfft_of(a):
    return np.fft.rfft(a)


def fft_of(a):
    return np.fft.fft(a)


def frequencies_of(n, d):
    return np.fft.fftfreq(n, d)


@pytest.mark.parametrize("func, args", [(fft_n, (SIGNAL, 0)), (fft_n, (SIGNAL, -2)),
                                        (fft_of, (np.zeros(0),)), (fft_of, (np.zeros((3, 0)),)),
                                        (rfft_of, (np.zeros(0, np.float32),)),
                                        (frequencies_of, (0, 0.5)), (frequencies_of, (4, 0.0))])
def test_runtime_errors_are_numpys(func, args):
    with pytest.raises(Exception) as expected:
        func(*args)
    with pytest.raises(expected.type) as got:
        phylanx.kernel(func)(*args)
    assert str(got.value) == str(expected.value)


def bad_norm(a):
    return np.fft.fft(a, norm="unitary")


def bad_axis(a):
    return np.fft.fft(a, axis=2)


def of_a_scalar(a):
    return np.fft.fft(a)


def complex_rfft(a):
    return np.fft.rfft(a)


def shift_of(x):
    return np.fft.fftshift(x)


@pytest.mark.parametrize("func, arg", [(bad_norm, SIGNAL), (bad_axis, IMAGE),
                                       (of_a_scalar, np.float64(2.0)),
                                       (of_a_scalar, np.array(2.0)), (complex_rfft, SPECTRUM),
                                       (shift_of, np.array(2.5))])
def test_errors_the_types_decide_are_refused_with_numpys_class(func, arg):
    with pytest.raises(Exception) as expected:
        func(arg)
    with pytest.raises(phylanx.CompileError) as e:
        phylanx.kernel(func)(arg)
    assert isinstance(e.value, expected.type) and "test_kernels_fft.py:" in str(e.value)
