"""Input rules that need the simulation's pieces, and the loader that applies them.

:mod:`rebound.params` validates a file on its own terms (schema, dates, guard rails) and never
imports :mod:`rebound.sim`. A rule that needs the model (here: the potential path, to know
what a day's retail sales are) is a :data:`rebound.params.Check` defined in this layer, just
above sim, and handed to the loader: ``rebound.params.load(path, checks=MODEL_CHECKS)``.
:func:`load` does exactly that; every CLI verb and the Python API load through it. The checks
travel with the :class:`~rebound.params.Loaded` set, so ``revalidate`` (sweeps, ``params
set``) applies them again.
"""

from __future__ import annotations

from pathlib import Path

from rebound.params import Check, Loaded
from rebound.params import load as load_params
from rebound.params.rules import Bad
from rebound.params.schema import Params
from rebound.sim.calendar import Calendar
from rebound.sim.levers import pull_forward_per_day
from rebound.sim.paths import sector_path
from rebound.sim.references import reference_name


def give_back(p: Params, bad: Bad) -> None:
    """Voucher pull-forward cannot give back more than all retail spending of a day."""
    rounds = [(n, lv) for n, lv in p.levers.items() if lv.type == "consumption_voucher"]
    if not rounds:
        return
    cal = Calendar.of(p)
    pot, price = sector_path(p, cal, "consumption")
    nominal = (pot * price)[0]
    for name, lv in rounds:
        if not lv.enabled:
            continue
        for j, r in enumerate(lv.rounds):
            back = float(pull_forward_per_day(lv, lv.incremental_spending_per_yuan * r.amount_100m * lv.scale).reshape(-1)[0])
            g0 = max(cal.day(r.date) + r.redemption_days, 0)
            g1 = min(g0 + lv.pull_forward_days, cal.n_days)
            if back <= 0.0 or g0 >= g1:
                continue
            low = int(g0 + int(nominal[g0:g1].argmin()))
            if back >= nominal[low]:
                bad(
                    f"levers.{name}.rounds[{j}].amount_100m",
                    f"gives back {back:.4g} 亿元 a day after the window (pull_forward_share x incremental_spending_per_yuan "
                    f"x amount x scale / pull_forward_days), at least all retail sales of {cal.date(low)} "
                    f"({nominal[low]:.4g} 亿元, the no-lockdown path on the {reference_name(p, 'consumption')} reference); lengthen pull_forward_days or lower pull_forward_share",
                )


MODEL_CHECKS: tuple[Check, ...] = (give_back,)
"""Every model-dependent rule, in the order they report."""


def load(path: str | Path) -> Loaded:
    """Load and validate a parameter or scenario file with every rule, model checks included.

    Raises
    ------
    InputError
        With every problem found (file, line, key, message).
    """
    return load_params(path, checks=MODEL_CHECKS)
