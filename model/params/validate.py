"""Validate raw file values into :class:`~rebound.params.schema.Params`, collecting every problem.

Order: NaN/inf anywhere, the schema (pydantic), then the cross-field rules
(:mod:`rebound.params.rules`), the guard rails (:mod:`rebound.params.guards`), the checks a
later layer passed in, and the free-parameter ranges.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import Any

from pydantic import ValidationError

from rebound.params.guards import Check, free_ranges, value_guards
from rebound.params.messages import Where, nan_problems, pydantic_problems
from rebound.params.rules import rule_problems
from rebound.params.schema import Params
from rebound.problems import InputError, Problem


def cross_field_problems(
    p: Params,
    where: Where,
    *,
    overridden: Set[str] = frozenset(),
    checks: Sequence[Check] = (),
) -> list[Problem]:
    """Every problem of a schema-valid parameter set beyond single fields.

    Parameters
    ----------
    p : Params
        A parameter set that passed the schema.
    where : callable
        Key path -> (file, line) for the message.
    overridden : set of str
        Keys a scenario changed: a broken pair of dates is blamed on the changed side.
    checks : sequence of Check
        Rules of later layers (e.g. :data:`rebound.checks.MODEL_CHECKS`), run after the guards.
    """
    out: list[Problem] = []

    def bad(key: str, msg: str) -> None:
        f, ln = where(key)
        out.append(Problem(f, ln, key, msg))

    rule_problems(p, bad, overridden)
    value_guards(p, bad)
    for check in checks:
        check(p, bad)
    free_ranges(p, bad, checks)
    return out


def validate_raw(
    raw: dict[str, Any],
    where: Where,
    overridden: Set[str] | None = None,
    checks: Sequence[Check] = (),
) -> Params:
    """Validated parameters from raw values; raises InputError with every problem found."""
    problems = nan_problems(raw, where)
    try:
        params = Params.model_validate(raw)
    except ValidationError as err:
        problems += pydantic_problems(err, raw, where)
        # de-duplicate (NaN caught twice)
        uniq = {(p.file, p.line, p.key): p for p in problems}
        raise InputError(list(uniq.values())) from None
    problems += cross_field_problems(params, where, overridden=overridden or set(), checks=checks)
    if problems:
        raise InputError(problems)
    return params
