r"""Diagnostics of a calibration: what the figures can and cannot decide.

All functions are pure. ``J`` is the Jacobian of the standardised figure residuals with
respect to the transformed parameters, scaled by each parameter's prior sd, so a column of
ones means "moving this parameter by one prior sd moves that figure by one sigma".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

FloatArray = NDArray[np.float64]
RANK_TOL = 1e-3  # singular values below this fraction of the largest count as zero
SENSITIVITY_TOL = 1e-6  # |d figure / d parameter| (sigmas per prior sd) below which a figure is inert
STD_RESIDUAL_WARN = 3.0


def jacobian_rank(J: FloatArray, tol: float = RANK_TOL) -> int:
    """Numerical rank of the data Jacobian (how many parameter directions the figures see)."""
    if J.size == 0:
        return 0
    s = np.linalg.svd(J, compute_uv=False)
    return int(np.sum(s > tol * s[0])) if s.size and s[0] > 0 else 0


def zero_sensitivity(J: FloatArray, labels: list[str], tol: float = SENSITIVITY_TOL) -> list[str]:
    """Figures no free parameter moves: inputs, not information (e.g. the base-year GDP level)."""
    if J.shape[1] == 0:
        return list(labels)
    return [lab for lab, row in zip(labels, J, strict=True) if float(np.max(np.abs(row))) < tol]


def residual_warnings(labels: list[str], standardised: FloatArray) -> list[str]:
    """One warning per figure whose standardised residual exceeds 3 in absolute value."""
    return [f"{lab}: standardised residual {z:+.1f} (|z| > {STD_RESIDUAL_WARN:g}): the model cannot reach this figure with these priors" for lab, z in zip(labels, standardised, strict=True) if abs(z) > STD_RESIDUAL_WARN]


def chi2_warning(objective_data: float, n_figures: int) -> str:
    """A warning when the data part of the objective exceeds its chi-square 95% quantile."""
    if n_figures < 1:
        return ""
    q = float(chi2.ppf(0.95, n_figures))
    if objective_data > q:
        return f"data misfit {objective_data:.1f} exceeds the chi-square 95% quantile {q:.1f} for {n_figures} figure(s): model error or priors are too tight"
    return ""


def flat_directions(info: FloatArray, keys: list[str], rel_tol: float = 1e-2) -> list[str]:
    r"""Directions the figures barely constrain (small eigenvalues of the data information).

    ``info`` is :math:`J_d^\top J_d` in prior-sd units; an eigenvalue below ``rel_tol`` means
    the data pin that combination less than 1/10 as well as the prior does.
    """
    if info.size == 0:
        return []
    w, v = np.linalg.eigh(info)
    out = []
    for i, lam in enumerate(w):
        if lam < rel_tol:
            vec = v[:, i]
            order = np.argsort(-np.abs(vec))
            parts = [f"{vec[j]:+.2f}·{keys[j]}" for j in order if abs(vec[j]) >= 0.25]
            out.append(f"eigenvalue {lam:.2g}: " + " ".join(parts))
    return out
