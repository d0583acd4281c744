"""Dask distributed: results on a LocalCluster are identical to the local run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rebound import scenarios as sc
from rebound.params import load
from rebound.problems import InputError
from rebound.scenarios.distribute import DaskExecutor, LocalExecutor, draw_batches

distributed = pytest.importorskip("distributed", reason='optional extra: pip install "rebound[distributed]"')

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params" / "changchun_2022.toml"
SCEN = ROOT / "scenarios" / "changchun_2022"


def test_draw_batches_are_substantial_and_cover_everything() -> None:
    assert draw_batches(10, 4, 1) == [(0, 4), (4, 8), (8, 10)]
    # with workers, never smaller than the minimum per task
    b = draw_batches(10_000, 50_000, 4, min_per_task=2000)
    assert b == [(0, 2500), (2500, 5000), (5000, 7500), (7500, 10_000)]
    assert draw_batches(3000, 50_000, 8, min_per_task=2000) == [(0, 2000), (2000, 3000)]


@pytest.fixture(scope="module")
def cluster_address():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_local_cluster_matches_local_run(cluster_address: str) -> None:
    base = load(PARAMS)
    scens = [load(SCEN / "no_vouchers.toml"), load(SCEN / "lockdown_two_weeks_shorter.toml")]
    ex = DaskExecutor(cluster_address)
    try:
        assert ex.workers == 2
        local = sc.compare_runs(base, scens, n_draws=20, seed=5).table
        remote = sc.compare_runs(base, scens, n_draws=20, seed=5, executor=ex).table
        assert local.equals(remote)

        a_local = sc.attribute(base, "gdp", "2022-01", "2022-06", n_draws=10, seed=5, max_draws_per_run=100)
        a_remote = sc.attribute(base, "gdp", "2022-01", "2022-06", n_draws=10, seed=5, max_draws_per_run=100, executor=ex)
        np.testing.assert_array_equal(a_local.phi, a_remote.phi)

        s_local = sc.sweep(base, "lockdown.phases[1].end", "2022-04-30", "2022-05-20", 3)
        s_remote = sc.sweep(base, "lockdown.phases[1].end", "2022-04-30", "2022-05-20", 3, executor=ex)
        assert s_local.equals(s_remote)
    finally:
        ex.close()


def test_unreachable_scheduler_is_one_clear_line() -> None:
    with pytest.raises(InputError) as err:
        DaskExecutor("tcp://127.0.0.1:1", timeout_s=1.0)
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in err.value.problems[0].message


def test_local_executor_maps_in_order() -> None:
    assert LocalExecutor().map(lambda x: x * 2, [1, 2, 3]) == [2, 4, 6]


def test_tasks_send_back_monthly_totals_not_daily_paths() -> None:
    """A compare task returns a few kilobytes a draw: monthly totals of the figures' indicators."""
    import pickle

    from rebound.fit.pipeline import ensemble_values
    from rebound.observe.indicators import monthly_keys
    from rebound.scenarios.distribute import run_task, summary_task

    base = load(PARAMS)
    specs, _, _ = sc.figure_specs(base)
    keys = monthly_keys(specs)
    values = ensemble_values(base, 99, 5)
    tot = summary_task((base.params, values, 100, keys, None))
    assert tot.n_draws == 100 and set(tot.totals) == set(keys)
    assert all(v.shape == (100, len(tot.months)) for v in tot.totals.values())
    small, whole = len(pickle.dumps(tot)), len(pickle.dumps(run_task((base.params, values, 100))))
    assert small < 100 * 2500 < whole / 10
