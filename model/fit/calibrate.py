r"""Calibration: regularised least squares on the reported figures.

Free parameters :math:`\theta_j` (declared in ``[[calibration.free]]``) are estimated in a
transformed space :math:`z_j` (identity for normal priors, log for lognormal) by minimising

.. math::

    \sum_i \Big(\frac{m_i(z) - y_i}{s_i}\Big)^2 + \sum_j \Big(\frac{z_j - z^0_j}{\omega_j}\Big)^2,
    \qquad s_i = \sqrt{\rho_i^2 + (e\,c_i)^2}

with :math:`y_i` the reported ``fit`` figures, :math:`\rho_i` their printed precision (half a
unit of the last digit), :math:`e` = ``calibration.model_error_pp`` the model's own error
(in pp; for levels, per cent of the level: :math:`c_i = |y_i|/100`, else :math:`c_i = 1`),
and :math:`z^0_j, \omega_j` the prior centre and spread. Bounds are enforced by
:func:`scipy.optimize.least_squares` (trust-region reflective).

The Jacobian is taken by forward differences in **one** vectorised engine run: draw 0 at
:math:`z`, draw :math:`j` at :math:`z + h e_j`, so each iteration costs about one single run.
The posterior is approximated by :math:`\Sigma = (J^\top J)^{-1}` at the optimum (Laplace);
90% intervals are :math:`z \pm 1.645\sqrt{\Sigma_{jj}}`, back-transformed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares

from rebound.fit.diagnostics import (
    chi2_warning,
    flat_directions,
    jacobian_rank,
    residual_warnings,
    zero_sensitivity,
)
from rebound.fit.draws import fixed_sha256, from_z, prior_centre_z, rows_sha256, to_z
from rebound.observe.indicators import Evaluator, Spec, spec_of, why_not_computable
from rebound.params.load import get_path
from rebound.params.schema import FreeParam, Params
from rebound.sim.engine import simulate

if TYPE_CHECKING:
    from rebound.data.observed import Observation

FloatArray = NDArray[np.float64]
Z90 = 1.6448536269514722  # standard normal 95th percentile (two-sided 90% interval)
FD_STEP = 1e-4  # forward-difference step in transformed units


@dataclass
class FigureFit:
    label: str
    indicator: str
    measure: str
    period_start: str
    period_end: str
    reported: float
    model: float
    sigma: float

    @property
    def residual(self) -> float:
        return self.model - self.reported

    @property
    def standardised(self) -> float:
        return self.residual / self.sigma


@dataclass
class ParamFit:
    key: str
    prior: str
    centre: float
    spread: float
    lower: float
    upper: float
    source: str
    estimate: float
    low90: float
    high90: float
    shrinkage: float  # 1 - posterior sd / prior sd (transformed space)
    moved_sd: float  # (estimate - prior centre) in prior sds (transformed space)

    @property
    def determined_by(self) -> str:
        if self.shrinkage >= 0.5:
            return "data"
        if self.shrinkage <= 0.1:
            return "prior"
        return "data+prior"


@dataclass
class Calibration:
    figures: list[FigureFit]
    params: list[ParamFit]
    objective: float
    converged: bool
    message: str
    n_runs: int  # engine runs
    n_draws_total: int  # draws simulated in all runs
    warnings: list[str] = field(default_factory=list)
    flat_directions: list[str] = field(default_factory=list)
    posterior_mean: list[float] = field(default_factory=list)
    posterior_cov: list[list[float]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    jacobian_rank: int = 0
    insensitive: list[str] = field(default_factory=list)
    starts: list[dict[str, float]] = field(default_factory=list)  # objective reached from each start
    data_sha256: str = ""
    fixed_sha256: str = ""

    def estimates(self) -> dict[str, float]:
        return {p.key: p.estimate for p in self.params}


def fit_observations(
    observations: list[Observation],
    year: int,
    cutoff: str | None = None,
    *,
    horizon: tuple[int, int] | None = None,
    exclude: tuple[str, ...] = (),
) -> tuple[list[Observation], list[str]]:
    """The ``fit`` rows the model can compute, ending by ``cutoff`` and not ``exclude``-d.

    ``exclude`` holds figure labels (``industry yoy_month_pct 2022-07..2022-07``) or
    prefixes of them (``industry yoy_month_pct 2022-08``).
    """
    used: list[Observation] = []
    excluded: list[str] = []
    for ob in observations:
        if ob.role != "fit":
            continue
        reason = why_not_computable(ob, year, horizon)
        if reason or spec_of(ob) is None:
            excluded.append(f"{label_of(ob)}: {reason or 'not computable'}")
            continue
        if cutoff is not None and ob.period_end > cutoff:
            continue
        if any(label_of(ob).startswith(e.strip()) for e in exclude if e.strip()):
            excluded.append(f"{label_of(ob)}: excluded by request")
            continue
        used.append(ob)
    return used, excluded


def label_of(ob: Observation) -> str:
    s = f"{ob.indicator} {ob.measure} {ob.period_start}..{ob.period_end}"
    if ob.compare_start:
        s += f" vs {ob.compare_start}..{ob.compare_end}"
    return s


def sigma_of(ob: Observation, model_error_pp: float) -> float:
    scale = abs(ob.value) / 100.0 if ob.measure == "level_100m_yuan" else 1.0
    return float(np.hypot(ob.precision, model_error_pp * scale))


class Problem:
    """Residuals and Jacobian of the regularised least-squares problem."""

    def __init__(self, params: Params, free: list[FreeParam], figures: list[Observation], model_error_pp: float):
        self.params = params
        self.free = free
        self.figures = figures
        self.specs: list[Spec] = [s for s in (spec_of(o) for o in figures) if s is not None]
        self.y = np.array([o.value for o in figures], dtype=float)
        self.sigma = np.array([sigma_of(o, model_error_pp) for o in figures], dtype=float)
        self.z0 = np.array([prior_centre_z(f) for f in free])
        self.omega = np.array([f.spread for f in free])
        self.n_runs = 0
        self.n_draws_total = 0
        self._cache: tuple[bytes, FloatArray, FloatArray] | None = None

    def model_values(self, zs: FloatArray) -> FloatArray:
        """Model figures for each row of ``zs`` (one engine run, one draw per row)."""
        zs = np.atleast_2d(zs)
        n = zs.shape[0]
        values = {f.key: from_z(f, zs[:, j]) for j, f in enumerate(self.free)}
        self.n_runs += 1
        self.n_draws_total += n
        res = simulate(self.params, n, values)
        return Evaluator(res).values(self.specs)

    def residuals_from_model(self, m: FloatArray, z: FloatArray) -> FloatArray:
        return np.concatenate([(m - self.y) / self.sigma, (z - self.z0) / self.omega])

    def _eval(self, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        key = z.tobytes()
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1], self._cache[2]
        k = len(z)
        zs = np.tile(z, (k + 1, 1))
        for j in range(k):
            zs[j + 1, j] += FD_STEP
        m = self.model_values(zs)  # (k+1, n_fig)
        r0 = self.residuals_from_model(m[0], z)
        J = np.zeros((len(r0), k))
        for j in range(k):
            rj = self.residuals_from_model(m[j + 1], zs[j + 1])
            J[:, j] = (rj - r0) / FD_STEP
        self._cache = (key, r0, J)
        return r0, J

    def fun(self, z: FloatArray) -> FloatArray:
        return self._eval(np.asarray(z, dtype=float))[0]

    def jac(self, z: FloatArray) -> FloatArray:
        return self._eval(np.asarray(z, dtype=float))[1]


N_STARTS = 24  # prior draws evaluated (in one vectorised run) to choose starting points
N_LOCAL = 3  # best starts refined by least squares, besides the prior centre and current values


def _bounds(free: list[FreeParam]) -> tuple[FloatArray, FloatArray]:
    lo = np.array([float(to_z(f, f.lower)) if not (f.prior == "lognormal" and f.lower <= 0) else -np.inf for f in free])
    hi = np.array([float(to_z(f, f.upper)) for f in free])
    return lo, hi


def _starts(prob: Problem, params: Params, lo: FloatArray, hi: FloatArray, seed: int, n_starts: int) -> list[FloatArray]:
    """Prior centre, the file's current values and the best of ``n_starts`` prior draws."""
    free = prob.free
    cur = np.array([float(to_z(f, max(float(get_path(params, f.key)), 1e-12) if f.prior == "lognormal" else float(get_path(params, f.key)))) for f in free])
    cands = [prob.z0.copy(), cur]
    if n_starts > 0 and prob.figures:
        rng = np.random.default_rng([seed, 3])
        zs = prob.z0[None, :] + prob.omega[None, :] * rng.standard_normal((n_starts, len(free)))
        zs = np.clip(zs, lo + 1e-9, hi - 1e-9)
        m = prob.model_values(zs)
        obj = np.sum(((m - prob.y[None, :]) / prob.sigma[None, :]) ** 2, axis=1) + np.sum(((zs - prob.z0[None, :]) / prob.omega[None, :]) ** 2, axis=1)
        cands += [zs[i] for i in np.argsort(obj)[:N_LOCAL]]
    return [np.clip(c, lo + 1e-9, hi - 1e-9) for c in cands]


def calibrate(
    params: Params,
    observations: list[Observation],
    *,
    cutoff: str | None = None,
    exclude: tuple[str, ...] = (),
    model_error_pp: float | None = None,
    n_starts: int = N_STARTS,
    seed: int = 0,
) -> Calibration:
    """Fit the free parameters to the ``fit`` figures (ending by ``cutoff``, less ``exclude``).

    Several starts (the prior centre, the file's values and the best of ``n_starts`` prior
    draws, all evaluated in one vectorised run) are each refined by trust-region least squares;
    the best optimum is kept and every start's objective is reported, so a local accident shows.
    """
    free = list(params.calibration.free)
    year = params.episode.year
    err = params.calibration.model_error_pp if model_error_pp is None else model_error_pp
    figures, excluded = fit_observations(observations, year, cutoff, horizon=(params.first_year, params.last_year), exclude=exclude)
    warnings: list[str] = []
    if not free:
        warnings.append("no free parameters declared ([[calibration.free]]): nothing to fit")
    if len(figures) < len(free):
        names = ", ".join(f.key for f in free)
        warnings.append(f"under-identified: {len(figures)} fit figure(s) for {len(free)} free parameter(s) ({names}); the priors decide what the data cannot")
    prob = Problem(params, free, figures, err)
    starts: list[dict[str, float]] = []
    if free:
        lo, hi = _bounds(free)
        best = None
        for z_start in _starts(prob, params, lo, hi, seed, n_starts):
            sol = least_squares(prob.fun, z_start, jac=prob.jac, bounds=(lo, hi), method="trf", x_scale=prob.omega, xtol=1e-10, ftol=1e-10, gtol=1e-10, max_nfev=60)
            obj = float(np.sum(sol.fun**2))
            starts.append({"objective": obj, "converged": float(sol.status > 0)})
            if best is None or obj < best[0] - 1e-9:
                best = (obj, sol)
        assert best is not None
        sol = best[1]
        z = sol.x
        converged = bool(sol.status > 0)
        message = str(sol.message)
        r, J = prob._eval(z)
    else:
        z = np.zeros(0)
        converged, message = True, "nothing to fit"
        r = prob.residuals_from_model(prob.model_values(np.zeros((1, 0)))[0], z) if figures else np.zeros(0)
        J = np.zeros((len(r), 0))
    nf = len(figures)
    m = prob.y + r[:nf] * prob.sigma
    fig_fits = [FigureFit(label_of(o), o.indicator, o.measure, o.period_start, o.period_end, float(o.value), float(m[i]), float(prob.sigma[i])) for i, o in enumerate(figures)]
    k = len(free)
    Jd = J[:nf] * prob.omega[None, :] if k else np.zeros((nf, 0))
    if k:
        cov = np.linalg.pinv(J.T @ J)
        sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
        flat = flat_directions(Jd.T @ Jd, [f.key for f in free])
    else:
        cov, sd, flat = np.zeros((0, 0)), np.zeros(0), []
    pfits = [
        ParamFit(
            key=f.key, prior=f.prior, centre=f.centre, spread=f.spread, lower=f.lower, upper=f.upper, source=f.source,
            estimate=float(from_z(f, z[j])), low90=float(from_z(f, z[j] - Z90 * sd[j])), high90=float(from_z(f, z[j] + Z90 * sd[j])),
            shrinkage=float(1.0 - sd[j] / f.spread), moved_sd=float((z[j] - prob.z0[j]) / f.spread),
        )
        for j, f in enumerate(free)
    ]
    labels = [f.label for f in fig_fits]
    insensitive = zero_sensitivity(Jd, labels) if k else []
    prior_only = [p.key for p in pfits if p.determined_by == "prior"]
    if prior_only:
        warnings.append("left to their priors (the figures barely inform them): " + ", ".join(prior_only))
    if insensitive:
        warnings.append("inputs, not information (no free parameter moves them): " + ", ".join(insensitive))
    warnings += residual_warnings(labels, r[:nf])
    chi = chi2_warning(float(np.sum(r[:nf] ** 2)), nf)
    if chi:
        warnings.append(chi)
    if not converged:
        warnings.append(f"optimizer did not converge: {message}")
    return Calibration(
        figures=fig_fits, params=pfits, objective=float(np.sum(r**2)), converged=converged, message=message,
        n_runs=prob.n_runs, n_draws_total=prob.n_draws_total, warnings=warnings, flat_directions=flat,
        posterior_mean=[float(v) for v in z], posterior_cov=[[float(v) for v in row] for row in cov], excluded=excluded,
        jacobian_rank=jacobian_rank(Jd), insensitive=insensitive, starts=starts,
        data_sha256=rows_sha256(figures), fixed_sha256=fixed_sha256(params),
    )


def record(cal: Calibration, when: dt.date | None = None) -> dict[str, Any]:
    """The ``[calibration.record]`` table written into a calibrated parameter file."""
    return {
        "date": (when or dt.date.today()).isoformat(),
        "figures": [f.label for f in cal.figures],
        "objective": round(cal.objective, 6),
        "note": "; ".join(cal.warnings) if cal.warnings else "converged" if cal.converged else cal.message,
        "data_sha256": cal.data_sha256,
        "fixed_sha256": cal.fixed_sha256,
        "posterior": {
            "keys": [p.key for p in cal.params],
            "mean": [round(v, 10) for v in cal.posterior_mean],
            "cov": [[round(v, 12) for v in row] for row in cal.posterior_cov],
        },
    }
