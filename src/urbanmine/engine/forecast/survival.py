"""Weibull survival and the per-year demolition fractions of the Forecast contract.

S(a) = exp(-(a/scale)^shape) for a >= 0 and 1 below 0. For a building built in year c and
standing at the start of `start`, the expected share demolished in year y is
[S(y-1-c) - S(y-c)] / S(start-1-c). We work with the cumulative hazard H = -log S, so the
ratio S(a)/S(a0) = exp(-(H(a) - H(a0))) never divides two underflowed numbers.

Numerics (documented treatment): the hazard difference is computed as
H(a0) * expm1(shape * log1p((a - a0)/a0)), accurate even when H(a0) is huge (very old
buildings whose unconditional survival underflows to 0). Only if H itself overflows
(absurd age/scale ratios) is the conditional distribution degenerate; such a building is
released entirely in the start year (a standing building with vanishing survival
probability goes first).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def survival(age_years: ArrayLike, shape: ArrayLike, scale_years: ArrayLike) -> FloatArray:
    """Unconditional Weibull survival S(age); 1 for negative ages (not yet built)."""
    a = np.asarray(age_years, dtype=np.float64)
    k = np.asarray(shape, dtype=np.float64)
    lam = np.asarray(scale_years, dtype=np.float64)
    with np.errstate(over="ignore", under="ignore"):
        h = np.power(np.maximum(a, 0.0) / lam, k)
        return np.asarray(np.where(a < 0, 1.0, np.exp(-h)), dtype=np.float64)


def conditional_survival(
    construction_year: ArrayLike,
    shape: ArrayLike,
    scale_years: ArrayLike,
    start_year: int,
    end_year: int,
) -> FloatArray:
    """S(y - c) / S(start - 1 - c) for y = start-1 .. end: shape (n, end - start + 2).

    Column 0 is 1 (the building stands at the start of `start`). Inputs broadcast to (n,).
    """
    if end_year < start_year:
        raise ValueError(f"start year {start_year} is after end year {end_year}")
    c = np.atleast_1d(np.asarray(construction_year, dtype=np.float64))
    k = np.broadcast_to(np.asarray(shape, dtype=np.float64), c.shape)[:, None]
    lam = np.broadcast_to(np.asarray(scale_years, dtype=np.float64), c.shape)[:, None]
    if np.any(~(k > 0)) or np.any(~(lam > 0)):
        raise ValueError("Weibull shape and scale must be positive")
    years = np.arange(start_year - 1, end_year + 1, dtype=np.float64)
    a0 = (start_year - 1.0) - c[:, None]  # age at the end of start-1 (n, 1)
    a = years[None, :] - c[:, None]  # (n, n_years + 1); a >= a0
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        old = a0 > 0
        a0_safe = np.where(old, a0, 1.0)
        h0 = np.where(old, np.power(a0_safe / lam, k), 0.0)
        # Hazard accumulated after start-1: accurate difference of powers for standing buildings.
        dh_old = h0 * np.expm1(k * np.log1p((a - a0_safe) / a0_safe))
        dh_new = np.power(np.maximum(a, 0.0) / lam, k)  # H(a0) = 0 when a0 <= 0
        dh = np.where(old, dh_old, dh_new)
        out = np.exp(-dh)
    out[:, 0] = 1.0
    degenerate = ~np.isfinite(h0[:, 0]) | np.any(np.isnan(out), axis=1)
    if np.any(degenerate):
        out[degenerate, 1:] = 0.0
    return np.asarray(out, dtype=np.float64)


def release_fractions(
    construction_year: ArrayLike,
    shape: ArrayLike,
    scale_years: ArrayLike,
    start_year: int,
    end_year: int,
) -> FloatArray:
    """Expected share of each building released in years start..end: shape (n, n_years).

    Rows sum to 1 - S(end - c)/S(start - 1 - c); over a long horizon they sum to 1.
    """
    sc = conditional_survival(construction_year, shape, scale_years, start_year, end_year)
    return np.asarray(sc[:, :-1] - sc[:, 1:], dtype=np.float64)
