r"""``attribute``: the policy effect on one figure split among the levers (Shapley values).

With levers :math:`1..n` (the enabled ones) and :math:`v(S)` the indicator when only the
levers in coalition :math:`S` act (the others at scale 0), the Shapley value of lever
:math:`i` is

.. math::

    \varphi_i = \sum_{S \subseteq N\setminus\{i\}}
        \frac{|S|!\,(n-|S|-1)!}{n!}\,\big[v(S\cup\{i\}) - v(S)\big],

computed per draw. :math:`\sum_i \varphi_i = v(N) - v(\varnothing)`, the gap between the
baseline and "no policy". All :math:`2^n` coalitions and all draws run in one vectorised
:func:`rebound.sim.engine.simulate` call (lever scales are per-draw values), chunked when the
run would need more than about 1 GiB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rebound.fit.pipeline import ensemble_values
from rebound.observe.indicators import Spec
from rebound.params import Loaded
from rebound.params.schema import Params
from rebound.problems import InputError, Problem
from rebound.scenarios.distribute import Executor
from rebound.scenarios.shared import (
    FloatArray,
    Progress,
    check_spec,
    evaluate_chunked,
    make_spec,
    paired_values,
    percentiles,
)

MAX_LEVERS = 12


@dataclass
class Attribution:
    """Shapley split of baseline − no policy among the levers, per draw."""

    spec: Spec
    levers: list[str]
    phi: FloatArray  # (n_levers, n_draws)
    v_all: FloatArray  # (n_draws,) baseline (all levers)
    v_none: FloatArray  # (n_draws,) no policy
    coalition_values: FloatArray  # (2**n_levers, n_draws); bit i of the row = lever i in
    n_draws: int
    seed: int

    @property
    def gap(self) -> FloatArray:
        return np.asarray(self.v_all - self.v_none, dtype=float)

    @property
    def table(self) -> pd.DataFrame:
        """Rows: no_policy, one per lever, baseline, total; point (draw 0) and 5–95%.

        ``share_p05``/``share_p95``: the 90% interval of each lever's share of the gap over the
        draws (each draw's Shapley value over that draw's own gap)."""
        rows: list[dict[str, Any]] = []

        def row(name: str, kind: str, a: FloatArray) -> None:
            p = percentiles(a)
            gap0 = float(self.gap[0])
            # each draw's share of its own gap (draws with no gap carry no share)
            sp = (math.nan, math.nan)
            if kind == "lever" and a.shape[0] > 1:
                with np.errstate(divide="ignore", invalid="ignore"):
                    share = np.where(self.gap[1:] != 0, a[1:] / self.gap[1:], np.nan)
                if np.isfinite(share).any():
                    q = np.nanpercentile(share, [5.0, 95.0])
                    sp = (float(q[0]), float(q[1]))
            rows.append(
                {
                    "item": name,
                    "kind": kind,
                    "value": float(a[0]),
                    "p05": p[0],
                    "p95": p[1],
                    "share_of_gap": float(a[0]) / gap0 if kind == "lever" and gap0 != 0 else math.nan,
                    "share_p05": sp[0],
                    "share_p95": sp[1],
                }
            )

        row("no_policy", "level", self.v_none)
        for i, name in enumerate(self.levers):
            row(name, "lever", self.phi[i])
        row("baseline", "level", self.v_all)
        row("total", "gap", self.gap)
        df = pd.DataFrame(rows)
        s = self.spec
        df.insert(0, "indicator", s.indicator)
        df.insert(1, "measure", s.measure)
        df.insert(2, "period_start", s.period_start)
        df.insert(3, "period_end", s.period_end)
        return df


def shapley(v: FloatArray, n: int) -> FloatArray:
    """Shapley values ``(n, ...)`` from coalition values ``v`` of shape ``(2**n, ...)``.

    Row ``m`` of ``v`` is the coalition whose members are the set bits of ``m``.
    """
    if v.shape[0] != 1 << n:
        raise ValueError(f"expected {1 << n} coalition rows, got {v.shape[0]}")
    phi = np.zeros((n, *v.shape[1:]))
    fact = [math.factorial(k) for k in range(n + 1)]
    for i in range(n):
        bit = 1 << i
        for m in range(1 << n):
            if m & bit:
                continue
            s = bin(m).count("1")
            w = fact[s] * fact[n - s - 1] / fact[n]
            phi[i] += w * (v[m | bit] - v[m])
    return phi


def lever_players(params: Params) -> list[str]:
    """Levers that take part in the attribution: the enabled ones, in file order."""
    return [name for name, lv in params.levers.items() if lv.enabled]


def attribute(
    loaded: Loaded,
    indicator: str,
    period_start: str,
    period_end: str,
    measure: str = "yoy_cum_pct",
    n_draws: int = 0,
    seed: int = 0,
    *,
    compare_start: str = "",
    compare_end: str = "",
    max_draws_per_run: int | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> Attribution:
    """Shapley split of (baseline − no policy) among the enabled levers, per draw.

    Every coalition is a set of per-draw lever scales (original scale for members, 0 for the
    others), so the :math:`2^n` coalitions × draws run as one vectorised simulation (in
    chunks of at most ``max_draws_per_run`` draws; default: what fits in about 1 GiB).
    """
    spec = make_spec(indicator, measure, period_start, period_end, compare_start=compare_start, compare_end=compare_end, file=str(loaded.path))
    check_spec(loaded.params, spec, str(loaded.path))
    levers = lever_players(loaded.params)
    n_lev = len(levers)
    if n_lev == 0:
        raise InputError([Problem(str(loaded.path), None, "levers", "no enabled lever to attribute")])
    if n_lev > MAX_LEVERS:
        raise InputError([Problem(str(loaded.path), None, "levers", f"{n_lev} enabled levers: 2^{n_lev} coalitions is too many (at most {MAX_LEVERS})")])
    # a scenario's calibration block is its base's, so these are the base's draws
    base_vals = paired_values(ensemble_values(loaded, n_draws, seed), loaded)
    n = n_draws + 1 if base_vals else 1
    n_coal = 1 << n_lev
    values: dict[str, FloatArray] = {k: np.tile(v, n_coal) for k, v in base_vals.items()}
    members = np.array([[(m >> i) & 1 for i in range(n_lev)] for m in range(n_coal)], dtype=float)  # (coal, lever)
    for i, name in enumerate(levers):
        key = f"levers.{name}.scale"
        scale = np.broadcast_to(np.asarray(base_vals.get(key, loaded.params.levers[name].scale), dtype=float), (n,))
        values[key] = (members[:, i][:, None] * scale[None, :]).reshape(-1)
    v = evaluate_chunked(loaded.params, values, n_coal * n, [spec], max_draws=max_draws_per_run, progress=progress, executor=executor)[:, 0]
    v = v.reshape(n_coal, n)
    phi = shapley(v, n_lev)
    return Attribution(spec, levers, phi, v[n_coal - 1], v[0], v, n_draws if base_vals else 0, seed)
