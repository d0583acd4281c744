"""The speed work (issue 17) keeps behaviour: results agree with the engine before it to 1e-9."""

from __future__ import annotations

import numpy as np
import pytest

from tests.speed_reference import REFERENCE, compute


@pytest.fixture(scope="module")
def now() -> dict[str, np.ndarray]:
    return compute()


def test_reference_agrees_to_1e9(now: dict[str, np.ndarray]) -> None:
    ref = np.load(REFERENCE)
    assert sorted(ref.files) == sorted(now)
    assert len(ref.files) > 20
    for k in ref.files:
        np.testing.assert_allclose(now[k], ref[k], rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=k)


def test_chunked_run_equals_one_run() -> None:
    """Simulating the draws 7 at a time gives the same table as one vectorised run."""
    from rebound.fit import pipeline
    from rebound.params.load import load
    from tests.speed_reference import PARAMS

    loaded = load(PARAMS)
    a = pipeline.run(loaded, n_draws=30, seed=3, chunk_draws=31).indicators
    b = pipeline.run(loaded, n_draws=30, seed=3, chunk_draws=7).indicators
    assert a.shape[0] > 150
    assert a.equals(b)


def test_too_large_an_ensemble_is_refused_up_front(monkeypatch: pytest.MonkeyPatch) -> None:
    from rebound.fit import pipeline
    from rebound.params.load import load
    from rebound.problems import InputError
    from tests.speed_reference import PARAMS

    loaded = load(PARAMS)
    need, per_draw, fixed = pipeline.run_bytes(loaded.params, 1_000_000, 200)
    assert need > 1.5 * 2**30  # a million draws cannot fit the default budget
    assert pipeline.run_bytes(loaded.params, 100_000, 200)[0] < 1.5 * 2**30
    monkeypatch.setenv("REBOUND_MEMORY_BUDGET", "600M")
    with pytest.raises(InputError) as err:
        pipeline.run(loaded, n_draws=200_000, seed=1)
    msg = err.value.problems[0].format()
    assert msg.startswith("--ensemble: an ensemble of 200,000 draws needs about")
    assert "\n" not in msg and "REBOUND_MEMORY_BUDGET" in msg


def test_memory_budget_parses_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    from rebound.problems import InputError
    from rebound.sim.memory import budget_bytes

    monkeypatch.setenv("REBOUND_MEMORY_BUDGET", "1.5G")
    assert budget_bytes() == 3 << 29
    monkeypatch.setenv("REBOUND_MEMORY_BUDGET", "800MiB")
    assert budget_bytes() == 800 << 20
    monkeypatch.setenv("REBOUND_MEMORY_BUDGET", "lots")
    with pytest.raises(InputError):
        budget_bytes()


def test_compare_in_chunks_equals_one_run_per_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunked compare (monthly totals only) gives the table of one whole run per scenario."""
    import importlib

    from rebound.params.load import load

    cmp_mod = importlib.import_module("rebound.scenarios.compare")
    from tests.speed_reference import ROOT

    base = load(ROOT / "params" / "changchun_2022.toml")
    scen = [load(ROOT / "scenarios" / "changchun_2022" / f) for f in ("no_vouchers.toml", "no_policy.toml")]
    monkeypatch.setattr(cmp_mod, "chunk_draws", lambda n_days, compiled=False: 9)
    monkeypatch.setattr(cmp_mod, "KEEP_DRAWS", 16)
    chunked = cmp_mod.compare_runs(base, scen, 40, 5)
    assert chunked.baseline.n_draws == cmp_mod.KEEP_DRAWS and chunked.totals["baseline"].n_draws == 41
    monkeypatch.setattr(cmp_mod, "KEEP_DRAWS", 41)
    whole = cmp_mod.compare_runs(base, scen, 40, 5)
    assert whole.baseline.n_draws == 41
    assert chunked.table.shape[0] > 300
    assert chunked.table.equals(whole.table)


def test_a_draw_with_a_zero_base_is_nan_not_a_failed_ensemble() -> None:
    """One draw shut for a whole base month: its y/y is NaN; the other draws keep their values."""
    from rebound.observe.indicators import Evaluator, Spec
    from rebound.sim.result import MonthlyTotals

    months = [f"{y}-{m:02d}" for y in (2021, 2022) for m in range(1, 13)]
    tot = np.full((3, 24), 10.0)
    tot[1, 3] = 0.0  # draw 1: nothing in 2021-04
    tot[:, 15] = 11.0
    spec = Spec("industry", "yoy_month_pct", "2022-04", "2022-04", "real")
    v = Evaluator(MonthlyTotals(3, months, {("industry", "real"): tot})).value(spec)
    np.testing.assert_allclose(v[[0, 2]], [10.0, 10.0], rtol=1e-12)
    assert np.isnan(v[1])
    with pytest.raises(ValueError, match="is zero"):
        Evaluator(MonthlyTotals(1, months, {("industry", "real"): tot[1:2]})).value(spec)
