"""Kernels for tests/test_runtime_fpe.py (kernels must live in a file)."""

import numpy as np

import phylanx


@phylanx.kernel
def divide(a, b):
    return a / b * 2.0


@phylanx.kernel
def scaled(a, s):
    return a * s + 1.0


@phylanx.kernel
def root(a):
    return np.sqrt(a) + 1.0


@phylanx.kernel
def wave(a, b):
    return np.exp(-a * a / 2) * b + np.sin(a)


@phylanx.kernel
def exp_twice(a):
    return np.exp(a) * 2.0


@phylanx.kernel
def log_plus(a):
    return np.log(a) + 1.0


@phylanx.kernel
def gradient(X, w, y):
    return X.T @ (1.0 / (1.0 + np.exp(-(X @ w))) - y)


@phylanx.kernel
def log_family(a):
    return np.log2(a) + np.log10(a) * 2.0


@phylanx.kernel
def log1p_plus(a):
    return np.log1p(a) + 1.0


@phylanx.kernel
def exp_family(a):
    return np.exp2(a) + np.expm1(a) * 2.0


@phylanx.kernel
def hyperbolic(a):
    return np.sinh(a) + np.cosh(a) * 2.0 + np.tanh(a)


@phylanx.kernel
def reductions(a):
    return np.sum(a), np.prod(a[:4]), np.mean(a), np.var(a), np.std(a, axis=0), np.max(a)


@phylanx.kernel
def products(A, B, v):
    return A @ B, A @ v, v @ A, np.dot(v, v), np.outer(v, v)


@phylanx.kernel
def total(a):
    return np.sum(a)


@phylanx.kernel
def product(a):
    return np.prod(a)


@phylanx.kernel
def as_f32(a):
    return a.astype(np.float32)


@phylanx.kernel
def as_i32(a):
    return a.astype(np.int32)


@phylanx.kernel
def running_sum(a):
    return np.cumsum(a)


@phylanx.kernel
def running_product(a):
    return np.cumprod(a)


@phylanx.kernel
def variance(a):
    return np.var(a, axis=0)


@phylanx.kernel
def matvec_forms(A, v):
    return A @ v, A.T @ v, np.dot(A, v), v @ A, A @ A.T, np.dot(v, v), np.outer(v, A[0])


@phylanx.kernel
def rows_log_ratio(a, b):
    out = np.zeros_like(a)
    for i in range(a.shape[0]):
        out[i] = np.log(a[i]) / b[i]
    return out


@phylanx.kernel
def rows_scaled_products(a, b, c):
    out = np.zeros(a.shape[0])
    for i in range(a.shape[0]):
        out[i] = (a[i] * b[i]) @ c
    return out


@phylanx.kernel
def rows_total_ratio(a, b):
    out = np.zeros(a.shape[0])
    for i in range(a.shape[0]):
        out[i] = np.sum(a[i]) / np.sum(b[i])
    return out


@phylanx.kernel
def shrinking_sum_ratio(a, b):
    out = np.zeros(b.shape[0])
    for i in range(b.shape[0]):
        out[i] = np.sum(a[: a.shape[0] // (i // 2 * 1000 + 1)]) / b[i]
    return out
