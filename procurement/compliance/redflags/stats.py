"""Quartiles and fences exactly as OCDS Cardinal computes them (Rust ``statrs`` and ``f64``).

Pure: floats in, floats out. Cardinal's red flags compare a ratio with a fence derived from the
set of ratios; matching its published results to the last bit needs the same estimator and the
same rounding, so both are written out here rather than borrowed from a library with another
default (numpy's default is R-7; ``statistics.quantiles`` is R-6 or R-7)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

__all__ = ["FENCE_IQR_MULTIPLE", "lower_fence", "quantile", "quartiles", "upper_fence"]

# Tukey's fences: Q1 - 1.5 x IQR and Q3 + 1.5 x IQR (Cardinal's default outlier rule).
FENCE_IQR_MULTIPLE = Fraction(3, 2)


def quantile(values: Iterable[float], tau: float) -> float:
    """The ``tau`` quantile by Hyndman and Fan's R-8 (median-unbiased) estimator, as ``statrs``'
    ``OrderStatistics::quantile``: ``h = (n + 1/3) tau + 1/3``; the order statistics around
    ``h`` (1-based), linearly interpolated; the minimum below the first, the maximum above the
    last. NaN for no values or ``tau`` outside [0, 1] (every comparison with it is false)."""
    xs = sorted(values)
    n = len(xs)
    if not xs or not 0.0 <= tau <= 1.0:
        return math.nan
    h = (n + 1.0 / 3.0) * tau + 1.0 / 3.0
    hf = int(h)  # Rust's `as i64`: truncation
    if hf <= 0 or tau == 0.0:
        return xs[0]
    if hf >= n or tau == 1.0:
        return xs[-1]
    a, b = xs[hf - 1], xs[hf]
    return a + (h - hf) * (b - a)


def quartiles(values: Iterable[float]) -> tuple[float, float]:
    """(Q1, Q3): ``statrs``' ``lower_quartile`` and ``upper_quartile``."""
    xs = list(values)
    return quantile(xs, 0.25), quantile(xs, 0.75)


def _fma(x: float, y: Fraction, z: float) -> float:
    """``x * y + z`` rounded once, like Rust's ``f64::mul_add`` (fused multiply-add)."""
    if not (math.isfinite(x) and math.isfinite(z)):
        return x * float(y) + z
    return float(Fraction(x) * y + Fraction(z))


def lower_fence(q1: float, q3: float) -> float:
    """Q1 - 1.5 x (Q3 - Q1), as Cardinal writes it: ``(q3 - q1).mul_add(-1.5, q1)``."""
    return _fma(q3 - q1, -FENCE_IQR_MULTIPLE, q1)


def upper_fence(q1: float, q3: float) -> float:
    """Q3 + 1.5 x (Q3 - Q1), as Cardinal writes it: ``(q3 - q1).mul_add(1.5, q3)``."""
    return _fma(q3 - q1, FENCE_IQR_MULTIPLE, q3)
