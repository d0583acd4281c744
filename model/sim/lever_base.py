"""Lever building blocks: the run context, an action's effect, the lever base class.

An effect's flows cover only the days the action acts on (``Effect.span``): a voucher round
that runs for a month is a month of numbers per draw, not the whole horizon.

Lever classes (:mod:`rebound.sim.levers`, :mod:`rebound.sim.construction`) build on these.
All money is in 亿元 at current prices; flows are real (divided by the sector's price index).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rebound.sim.calendar import Calendar
from rebound.sim.dynamics import col

FloatArray = NDArray[np.float64]
SECTOR_INDEX = {"industry": 0, "consumption": 1, "investment": 2}


@dataclass
class Context:
    """What levers need to know about the run (no mutable state)."""

    cal: Calendar
    n_draws: int
    cap_max: Any  # (3, n|1, n_days) allowed activity share per sector (or a RestrictionWindow)
    price: list[Any]  # per sector: (n|1, n_days) price index (or a LazyPrice)
    gdp_prior_100m: FloatArray  # (n|1, 1) prior-year nominal GDP
    compiled: bool = False  # use the compiled kernels (rebound.sim.compiled)


@dataclass
class Effect:
    """What one lever action does."""

    flows: dict[str, FloatArray] = field(default_factory=dict)  # sector -> real flow on the span's days (n|1, b - a)
    above_quota: FloatArray | None = None  # part of the consumption flow that is above quota (span's days)
    liquidity: FloatArray | None = None  # relief paid per day (亿元, nominal) (n|1, n_days)
    ledger: dict[str, FloatArray] = field(default_factory=dict)  # name -> (n|1,) 亿元
    span: tuple[int, int] = (0, 0)  # days [a, b) that flows and above_quota cover (zero outside)


@dataclass(frozen=True)
class Action:
    date: dt.date
    kind: str
    index: int


def _window(ctx: Context, start: dt.date, days: int) -> tuple[int, int, int]:
    """(first day, last day + 1 clipped to horizon, days beyond horizon)."""
    d0 = ctx.cal.day(start)
    d1 = d0 + days
    n = ctx.cal.n_days
    return d0, min(d1, n), max(0, d1 - n)


def _add(ledger: dict[str, FloatArray], key: str, value: Any) -> None:
    ledger[key] = np.asarray(value, dtype=float).reshape(-1)


class LeverModel:
    """Base class: a named lever with a money multiplier ``scale * enabled``."""

    spec: Any

    def __init__(self, name: str, spec: Any):
        self.name = name
        self.spec = spec

    @property
    def multiplier(self) -> FloatArray:
        on = 1.0 if self.spec.enabled else 0.0
        return col(self.spec.scale) * on

    def actions(self) -> list[Action]:
        raise NotImplementedError

    def apply(self, ctx: Context, action: Action) -> Effect:
        raise NotImplementedError

    def sectors(self) -> tuple[str, ...]:
        raise NotImplementedError
