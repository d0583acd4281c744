r"""Parameter draws for ensembles, from the calibrated posterior or from the priors.

Free parameters live in a transformed space where their prior is normal: identity for
``normal`` priors, :math:`\log` for ``lognormal``. A calibrated file carries a Gaussian
approximation of the posterior there (``calibration.record.posterior``: mean and covariance);
otherwise each parameter is drawn independently from its prior. Draws are clipped to the bounds.
One injected :class:`numpy.random.Generator` makes every draw reproducible from the seed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rebound.params.schema import FreeParam, Params

FloatArray = NDArray[np.float64]


def to_z(fp: FreeParam, x: FloatArray | float) -> FloatArray:
    """Value -> transformed space (where the prior is normal)."""
    a = np.asarray(x, dtype=float)
    return np.log(a) if fp.prior == "lognormal" else a


def from_z(fp: FreeParam, z: FloatArray | float) -> FloatArray:
    """Transformed space -> value, clipped to the bounds."""
    a = np.asarray(z, dtype=float)
    x = np.exp(a) if fp.prior == "lognormal" else a
    return np.asarray(np.clip(x, fp.lower, fp.upper), dtype=float)


def prior_centre_z(fp: FreeParam) -> float:
    return float(to_z(fp, fp.centre))


def draw_values(params: Params, n_draws: int, rng: np.random.Generator) -> dict[str, FloatArray]:
    """``{key: (n_draws,) array}`` for every free parameter.

    Uses the posterior recorded by calibration when it covers the free parameters, else the
    priors. Returns an empty dict when there are no free parameters.
    """
    free = params.calibration.free
    if not free or n_draws < 1:
        return {}
    rec = params.calibration.record
    post = rec.posterior if rec is not None else None
    keys = [fp.key for fp in free]
    if post is not None and post.keys == keys:
        mean = np.asarray(post.mean, dtype=float)
        cov = np.asarray(post.cov, dtype=float)
        z = rng.multivariate_normal(mean, cov, size=n_draws, method="eigh")
    else:
        z = np.column_stack([prior_centre_z(fp) + fp.spread * rng.standard_normal(n_draws) for fp in free])
    return {fp.key: from_z(fp, z[:, j]) for j, fp in enumerate(free)}
