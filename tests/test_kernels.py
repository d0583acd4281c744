"""The compiled kernels (issue 17) compute what the numpy engine computes.

Every test compares the compiled path with the pure-numpy reference on the same draws: the
fused ensemble kernel (monthly totals of every indicator), the compiled whole-engine path, the
lazily computed prices and restriction windows, and the pipeline that picks between them.
They skip, with the reason, where numba is not installed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rebound.fit.pipeline import ensemble_values
from rebound.params.load import Loaded, load
from rebound.sim import kernels
from rebound.sim.engine import simulate, simulate_totals
from rebound.sim.result import TOTAL_KEYS, MonthlyTotals

ROOT = Path(__file__).resolve().parents[1]
numba_only = pytest.mark.skipif(not kernels.numba_available(), reason="numba is not installed: the numpy engine runs everything")
RTOL = 1e-9  # the contract; measured agreement is about 1e-14


def _draws(path: Path, n: int, seed: int = 5) -> tuple[Loaded, dict[str, np.ndarray]]:
    loaded = load(path)
    return loaded, ensemble_values(loaded, n - 1, seed)


@numba_only
@pytest.mark.parametrize(
    "episode",
    ["params/changchun_2022.toml", "params/jinzhong_2022.toml", "params/changchun_2020.toml", "scenarios/changchun_2022/lockdown_two_weeks_longer.toml"],
)
def test_fused_totals_equal_the_numpy_engine(episode: str) -> None:
    loaded, values = _draws(ROOT / episode, 120)
    ref = MonthlyTotals.of(simulate(loaded.params, 120, values), list(TOTAL_KEYS))
    got = simulate_totals(loaded.params, 120, values, compiled=True)
    assert got.n_draws == 120 and got.months == ref.months
    for key in TOTAL_KEYS:
        assert np.all(np.isfinite(ref.totals[key])), key
        np.testing.assert_allclose(got.totals[key], ref.totals[key], rtol=RTOL, atol=0.0, err_msg=str(key))
    # the draws differ from each other (the test would pass vacuously on identical draws)
    assert np.std(ref.totals[("industry", "real")][:, -1]) > 0.0


@numba_only
def test_a_draw_gets_the_same_totals_whatever_chunk_or_thread_runs_it() -> None:
    """Each draw's arithmetic is independent of the others: bit-identical across chunkings."""
    loaded, values = _draws(ROOT / "params" / "changchun_2022.toml", 60)
    whole = simulate_totals(loaded.params, 60, values, compiled=True)
    parts = [simulate_totals(loaded.params, hi - lo, {k: v[lo:hi] for k, v in values.items()}, compiled=True) for lo, hi in ((0, 7), (7, 33), (33, 60))]
    joined = MonthlyTotals.concat(parts)
    for key in TOTAL_KEYS:
        assert np.array_equal(joined.totals[key], whole.totals[key]), key


@numba_only
def test_negative_output_falls_back_to_the_engine_give_back_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Draws the kernel flags (lever give-back above spending) are rerun by the full engine."""
    from rebound.sim import engine, fused

    loaded, values = _draws(ROOT / "params" / "changchun_2022.toml", 20)
    real = fused.run_kernel
    calls: list[int] = []

    def flag_all(args: tuple[object, ...], parallel: bool = True) -> tuple[dict[tuple[str, str], np.ndarray], np.ndarray]:
        sums, bad = real(args, parallel)
        calls.append(1)
        return sums, np.ones_like(bad)

    monkeypatch.setattr(fused, "run_kernel", flag_all)
    got = engine.simulate_totals(loaded.params, 20, values, compiled=True)
    ref = MonthlyTotals.of(simulate(loaded.params, 20, values), list(TOTAL_KEYS))
    assert calls == [1]
    for key in TOTAL_KEYS:
        np.testing.assert_allclose(got.totals[key], ref.totals[key], rtol=RTOL, err_msg=str(key))


@numba_only
def test_lazy_prices_and_restriction_windows_equal_the_full_arrays() -> None:
    from rebound.sim.engine import Engine

    loaded, values = _draws(ROOT / "params" / "changchun_2022.toml", 9)
    full = Engine(loaded.params, 9, values, compiled=True)
    full._prepare()
    lazy = Engine(loaded.params, 9, values, compiled=True)
    lazy._prepare(monthly=True)
    n = full.cal.n_days
    from rebound.sim.compiled import LazyPrice

    for s in ("industry", "consumption", "investment"):
        inflation = np.asarray(getattr(lazy.params.sectors, s).inflation_pct, dtype=float).reshape(-1, 1)
        whole = LazyPrice(inflation, lazy.cal)[:, 0:n]  # a fresh index asked for every day at once
        for a, b in ((1500, n), (1170, 1200), (1181, 1181), (59, 61), (0, n)):
            got = lazy.prc[s][:, a:b]  # asked in this order: later requests reach further back
            assert np.array_equal(got, whole[:, a:b]), (s, a, b)  # the same bits whatever was asked first
            np.testing.assert_allclose(got, full.prc[s][:, a:b], rtol=1e-13, atol=0.0, err_msg=f"{s} {a}:{b}")  # numpy's power
    for j in range(3):
        for a, b in ((0, n), (1160, 1230), (1200, 1210), (1700, n)):
            assert np.array_equal(lazy.cap_max[j][:, a:b], np.broadcast_to(full.cap_max[j][:, a:b], lazy.cap_max[j][:, a:b].shape)), (j, a, b)
    assert lazy.restricted == full.restricted
    assert full.restricted[0] < full.restricted[1] < n


def test_the_choice_of_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REBOUND_KERNEL", "numpy")
    assert not kernels.use_compiled(10**6)
    monkeypatch.setenv("REBOUND_KERNEL", "auto")
    assert not kernels.use_compiled(kernels.COMPILED_FROM - 1)
    assert kernels.use_compiled(kernels.COMPILED_FROM) == kernels.numba_available()
    monkeypatch.setenv("REBOUND_KERNEL", "numba")
    assert kernels.use_compiled(1) == kernels.numba_available()


@numba_only
def test_a_large_run_table_matches_the_numpy_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline with the kernels (forced on for a small ensemble) gives the numpy table."""
    from rebound.fit import pipeline

    loaded = load(ROOT / "params" / "changchun_2022.toml")
    monkeypatch.setenv("REBOUND_KERNEL", "numpy")
    a = pipeline.run(loaded, n_draws=50, seed=4).indicators
    monkeypatch.setenv("REBOUND_KERNEL", "numba")
    b = pipeline.run(loaded, n_draws=50, seed=4).indicators
    cols = ["model", "point", "p05", "p25", "p75", "p95"]
    assert a.shape == b.shape and a.shape[0] > 150
    np.testing.assert_allclose(b[cols].to_numpy(float), a[cols].to_numpy(float), rtol=1e-9, atol=1e-9)


def test_help_does_not_load_numba() -> None:
    code = "import sys, rebound.cli.main; print('numba' in sys.modules, 'rebound.sim.compiled' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "False"]


def test_a_broken_numba_falls_back_to_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """If numba is installed but will not load, large runs take the numpy engine (no traceback)."""
    from rebound.sim.engine import Engine

    monkeypatch.setattr(kernels, "_LOADED", [False])  # as after an import that raised
    monkeypatch.setenv("REBOUND_KERNEL", "auto")
    assert not kernels.use_compiled(10**5)
    loaded = load(ROOT / "params" / "changchun_2022.toml")
    assert not Engine(loaded.params, 600).compiled
    assert not Engine(loaded.params, 600, compiled=True).compiled
    tot = simulate_totals(loaded.params, 3, ensemble_values(loaded, 2, 1), compiled=True)
    assert tot.totals[("gdp", "real")].shape == (3, len(tot.months))


@numba_only
def test_a_horizon_where_nothing_happens_keeps_its_last_month() -> None:
    """No phase and no lever: every month is a closed form, the last one included (a review
    found it overwritten with zeros by the daily loop's final write)."""
    from rebound.fit.evaluate import naive_params

    loaded = load(ROOT / "params" / "jinzhong_2022.toml")
    quiet = naive_params(loaded.params)  # the naive forecast's file: no lockdown, no levers
    values = {k: v for k, v in ensemble_values(loaded, 4, 2).items() if not k.startswith(("lockdown.", "levers."))}
    ref = MonthlyTotals.of(simulate(quiet, 5, values), list(TOTAL_KEYS))
    got = simulate_totals(quiet, 5, values, compiled=True)
    for key in TOTAL_KEYS:
        assert np.all(got.totals[key][:, -1] > 0.0), key
        np.testing.assert_allclose(got.totals[key], ref.totals[key], rtol=RTOL, atol=0.0, err_msg=str(key))
