r"""Parameter draws for ensembles: calibrated keys from the posterior, the rest from priors.

Parameters live in a transformed space where their prior is normal: identity for ``normal``
priors, :math:`\log` for ``lognormal``. Calibrated keys (``[[calibration.free]]``) are drawn
from the Gaussian approximation of the posterior recorded by calibration when it is current
(:func:`posterior_status`), else from their priors; every other uncertain number
(:func:`rebound.params.priors.uncertain_parameters`) from its prior. Draws are clipped to the
bounds. One injected :class:`numpy.random.Generator` makes every draw reproducible.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rebound.params.load import get_path
from rebound.params.priors import uncertain_parameters
from rebound.params.schema import FreeParam, Params

FloatArray = NDArray[np.float64]
STALE_TOL = 1e-4  # relative difference at which a calibrated value no longer matches its posterior (files keep 6 significant digits)


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


def rows_sha256(rows: Sequence[Any]) -> str:
    """Hash of fitted rows (indicator, measure, periods, value): what a calibration saw."""
    keys = sorted(f"{o.indicator}|{o.measure}|{o.period_start}|{o.period_end}|{o.compare_start or ''}|{o.compare_end or ''}|{o.value!r}" for o in rows)
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]


def fixed_sha256(params: Params) -> str:
    """Hash of every value that calibration held fixed, outside the scenario knobs.

    Levers and lockdown phases are left out (scenarios change them on purpose and the
    posterior of the behavioural parameters still applies); so are the calibration table and
    the free keys themselves.
    """
    raw = params.model_dump(mode="json", exclude={"levers", "lockdown", "calibration", "episode"})
    free = {fp.key for fp in params.calibration.free}
    flat = {k: v for k, v in _flatten(raw).items() if k not in free}
    return hashlib.sha256(json.dumps(flat, sort_keys=True).encode()).hexdigest()[:16]


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(obj, list) and obj and isinstance(obj[0], dict | list):
        out = {}
        for i, v in enumerate(obj):
            out.update(_flatten(v, f"{prefix}[{i}]"))
        return out
    return {prefix: obj}


def posterior_status(params: Params, fitted_rows: Sequence[Any] | None = None) -> str:
    """'' when the recorded posterior describes this parameter set, else why not (one line)."""
    rec = params.calibration.record
    free = params.calibration.free
    if not free:
        return ""
    if rec is None or rec.posterior is None:
        return "not calibrated: calibrated keys are drawn from their priors around the current values"
    post = rec.posterior
    if post.keys != [fp.key for fp in free]:
        return "the calibration record names other free parameters than [[calibration.free]]: drawing from the priors"
    for fp, m in zip(free, post.mean, strict=True):
        value = float(get_path(params, fp.key))
        best = float(from_z(fp, m))
        if abs(value - best) > STALE_TOL * max(1.0, abs(best)):
            return f"{fp.key} is {value:g} but was calibrated to {best:g}: the recorded posterior no longer applies; drawing around the current values from the priors"
    if rec.fixed_sha256 and rec.fixed_sha256 != fixed_sha256(params):
        return "parameters held fixed in calibration have changed since (calibration.record.fixed_sha256): drawing around the current values from the priors"
    if fitted_rows is not None and rec.data_sha256 and rec.data_sha256 != rows_sha256(fitted_rows):
        return "the observed fit figures differ from those calibrated on (calibration.record.data_sha256): drawing around the current values from the priors"
    return ""


def draw_values(params: Params, n_draws: int, rng: np.random.Generator, *, use_posterior: bool = True) -> dict[str, FloatArray]:
    """``{key: (n_draws,) array}`` for every uncertain parameter.

    Calibrated keys come from the recorded posterior when ``use_posterior`` (the caller has
    checked :func:`posterior_status`), else from their priors re-centred on the current values;
    all other uncertain numbers from their priors. Order of draws is fixed (free keys, then
    uncertain keys in file order), so a seed reproduces every draw.
    """
    if n_draws < 1:
        return {}
    out: dict[str, FloatArray] = {}
    free = list(params.calibration.free)
    if free:
        post = params.calibration.record.posterior if params.calibration.record is not None else None
        if use_posterior and post is not None and post.keys == [fp.key for fp in free]:
            z = rng.multivariate_normal(np.asarray(post.mean, dtype=float), np.asarray(post.cov, dtype=float), size=n_draws, method="eigh")
        else:
            centre = np.array([float(to_z(fp, max(float(get_path(params, fp.key)), 1e-12) if fp.prior == "lognormal" else float(get_path(params, fp.key)))) for fp in free])
            z = centre[None, :] + np.array([fp.spread for fp in free])[None, :] * rng.standard_normal((n_draws, len(free)))
        out.update({fp.key: from_z(fp, z[:, j]) for j, fp in enumerate(free)})
    for fp in uncertain_parameters(params):
        z = prior_centre_z(fp) + fp.spread * rng.standard_normal(n_draws)
        out[fp.key] = from_z(fp, z)
    return out
