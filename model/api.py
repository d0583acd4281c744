"""The Python API: one call per verb, tables as pandas DataFrames (docs/api.md).

Every function takes a path (``str`` or :class:`~pathlib.Path`) or an already loaded
parameter set, loads it with every rule (:func:`rebound.checks.load`), and returns a small
object whose tables are DataFrames. The CLI verbs call these same functions and only format
and write what they return. Nothing here prints or writes files (except
:meth:`Calibrated.write`, which you call explicitly).

Heavy modules (numpy, pandas, the engine) are imported inside the functions, so that
``import rebound`` and ``rebound --help`` stay fast; none of these imports hides a cycle
(tests/test_layout.py checks the whole import graph).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from rebound.fit.calibrate import Calibration
    from rebound.fit.pipeline import RunOutput
    from rebound.params import Loaded
    from rebound.params.newepisode import Created
    from rebound.scenarios import Attribution, Comparison
    from rebound.scenarios.distribute import Executor
    from rebound.scenarios.shared import Progress

DEFAULT_SEED = 20220311  # the day Changchun's static management began; any fixed seed would do

PathLike = str | os.PathLike[str]


def load(path: PathLike) -> Loaded:
    """A parameter or scenario file, resolved and validated with every rule.

    Raises
    ------
    rebound.problems.InputError
        With every problem found; ``str(err)`` is one ``file:line: key: message`` per line.
    """
    from rebound.checks import load as load_checked

    return load_checked(Path(path))


def _loaded(src: PathLike | Loaded) -> Loaded:
    from rebound.params import Loaded

    return src if isinstance(src, Loaded) else load(src)


def _seed(seed: int | None) -> int:
    return DEFAULT_SEED if seed is None else int(seed)


# --- new ------------------------------------------------------------------------------------


def new_episode(name: str, year: int, region: str, **options: Any) -> Created:
    """Write ``out_dir/name.toml`` for a new episode; see :func:`new` (this also returns the notes)."""
    from rebound.checks import MODEL_CHECKS
    from rebound.params.newepisode import create

    return create(name, year, region, checks=MODEL_CHECKS, **options)


def new(name: str, year: int, region: str, **options: Any) -> Path:
    """Write a parameter file for a new episode that validates and runs at once; return its path.

    Parameters
    ----------
    name, year, region : str, int, str
        Episode name (file name ``name.toml``), episode year, region as bulletins name it.
    **options
        ``observed`` (CSV, copied next to the file as ``name.csv``), ``lockdowns`` (list of
        ``"YYYY-MM-DD..YYYY-MM-DD"``), ``reference`` (default ``"national"``), ``like`` (an
        episode whose behavioural numbers are copied, never its calibration), ``out_dir``
        (default ``"params"``), ``force`` (overwrite).

    Raises
    ------
    rebound.problems.InputError
        One problem per bad argument; nothing is written.
    """
    return new_episode(name, year, region, **options).path


# --- run ------------------------------------------------------------------------------------


@dataclass
class Run:
    """What :func:`run` returns.

    Attributes
    ----------
    indicators : DataFrame
        Every standard figure and every observed one: ``indicator, measure, period_start,
        period_end, compare_start, compare_end, reported, model, point`` (+ ``p05, p25, p75, p95``
        with an ensemble: ``model`` is then the predictive median, ``point`` the posterior-mode run), ``residual, role, basis, source, note``.
    paths : DataFrame
        Daily ``date, sector, potential, capacity, output`` (draw 0).
    summary : dict
        Version, input hashes, seed, lever ledger, event log, fit summary (as in summary.json).
    loaded : Loaded
        The parameter set that ran.
    output : RunOutput
        Everything the pipeline computed (engine result, draws, observations).
    """

    indicators: pd.DataFrame
    paths: pd.DataFrame
    summary: dict[str, Any]
    loaded: Loaded
    output: RunOutput


def run(path: PathLike | Loaded, ensemble: int = 0, seed: int | None = None) -> Run:
    """Run an episode (parameter file) or a scenario: reported vs model figures.

    Parameters
    ----------
    path : str, Path or Loaded
        Parameter or scenario file.
    ensemble : int
        Parameter draws from the calibrated posterior for 5-95% bands; 0 = point estimate.
    seed : int, optional
        Seed of the draws (default :data:`DEFAULT_SEED`, as the CLI).
    """
    from rebound.fit import pipeline

    loaded = _loaded(path)
    out = pipeline.run(loaded, n_draws=ensemble, seed=_seed(seed))
    return Run(out.indicators, out.paths, out.summary, loaded, out)


# --- calibrate ------------------------------------------------------------------------------


@dataclass
class Calibrated:
    """What :func:`calibrate` returns.

    Attributes
    ----------
    figures : DataFrame
        Per fitted figure: ``label, indicator, measure, period_start, period_end, reported,
        model, sigma, residual, standardised``.
    params : DataFrame
        Per free parameter: ``key, prior, centre, spread, lower, upper, source, estimate,
        low90, high90, shrinkage, moved_sd, determined_by``.
    result : Calibration
        The full record (objective, convergence, flat directions, warnings, posterior).
    loaded : Loaded
        The parameter set that was fitted.
    """

    figures: pd.DataFrame
    params: pd.DataFrame
    result: Calibration
    loaded: Loaded

    @property
    def estimates(self) -> dict[str, float]:
        """``{key: estimate}`` of every free parameter."""
        return self.result.estimates()

    def write(self, path: PathLike) -> None:
        """Write the calibrated parameter file (comments kept, calibration recorded), atomically."""
        from rebound.fit.calfile import write_calibrated

        write_calibrated(self.loaded, self.result, Path(path))


def calibrate(path: PathLike | Loaded, *, cutoff: str | None = None, exclude: tuple[str, ...] = ()) -> Calibrated:
    """Fit the free parameters of a parameter file to its reported figures.

    ``cutoff`` (``YYYY-MM``) fits only figures whose period ends by then; ``exclude`` drops
    figures by label or label prefix (``industry yoy_month_pct 2022-08``). Neither needs a new file.
    """
    import pandas as pd

    from rebound.fit import pipeline
    from rebound.fit.calibrate import calibrate as fit

    loaded = _loaded(path)
    observations = pipeline.load_observations(loaded)
    result = fit(loaded.params, observations, cutoff=cutoff, exclude=tuple(exclude))
    figures = pd.DataFrame(
        [{**asdict(f), "residual": f.residual, "standardised": f.standardised} for f in result.figures],
        columns=["label", "indicator", "measure", "period_start", "period_end", "reported", "model", "sigma", "residual", "standardised"],
    )
    params = pd.DataFrame(
        [{**asdict(p), "determined_by": p.determined_by} for p in result.params],
        columns=["key", "prior", "centre", "spread", "lower", "upper", "source", "estimate", "low90", "high90", "shrinkage", "moved_sd", "determined_by"],
    )
    return Calibrated(figures, params, result, loaded)


# --- compare, attribute, sweep --------------------------------------------------------------


@dataclass
class Compared:
    """What :func:`compare` returns.

    Attributes
    ----------
    table : DataFrame
        One row per scenario and figure: ``scenario, indicator, measure, period_start,
        period_end, reported, baseline, value, delta, delta_p05, delta_p95, ...``.
    base : Loaded
        The parameter file every scenario is laid over (the baseline).
    scenarios : list of Loaded
        The scenarios, in the order given.
    comparison : Comparison
        The runs behind the table (for charts).
    """

    table: pd.DataFrame
    base: Loaded
    scenarios: list[Loaded]
    comparison: Comparison


def load_scenarios(paths: Iterable[PathLike | Loaded]) -> tuple[Loaded, list[Loaded]]:
    """(baseline, scenarios): the baseline is the first file of the first scenario's chain."""
    scenarios = [_loaded(p) for p in paths]
    first = scenarios[0].files[0].path.resolve()
    try:
        first = Path(os.path.relpath(first)) if first.is_relative_to(Path.cwd().resolve()) else first
    except ValueError:
        pass
    return load(first), scenarios


def compare(
    paths: PathLike | Iterable[PathLike | Loaded],
    ensemble: int = 0,
    seed: int | None = None,
    *,
    paired: bool = True,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> Compared:
    """Compare scenarios with their calibrated baseline, on paired draws.

    Parameters
    ----------
    paths : path or list of paths
        Scenario files (a parameter file is a scenario with no changes), all laid over one
        parameter file.
    ensemble, seed
        As in :func:`run`; the same draws go into the baseline and every scenario.
    paired, progress, executor
        Diagnostics switch, a ``progress(done, total)`` callback, a Dask executor.
    """
    from rebound.scenarios import compare_runs

    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    base, scenarios = load_scenarios(items)
    cmp = compare_runs(base, scenarios, ensemble, _seed(seed), paired=paired, progress=progress, executor=executor)
    return Compared(cmp.table, base, scenarios, cmp)


def attribute(
    path: PathLike | Loaded,
    indicator: str,
    period_start: str,
    period_end: str,
    measure: str = "yoy_cum_pct",
    ensemble: int = 0,
    seed: int | None = None,
    **options: Any,
) -> Attribution:
    """Shapley split of (baseline - no policy) on one figure among the levers; ``.table`` is a DataFrame.

    ``options``: ``compare_start``, ``compare_end`` (for ``pp_change``), ``max_draws_per_run``,
    ``progress``, ``executor`` (see :func:`rebound.scenarios.attribute`).
    """
    from rebound.scenarios import attribute as shapley_split

    return shapley_split(_loaded(path), indicator, period_start, period_end, measure, ensemble, _seed(seed), **options)


def sweep(path: PathLike | Loaded, key: str, start: Any, stop: Any, n: int, **options: Any) -> pd.DataFrame:
    """Response of figures to one parameter, ``n`` values from ``start`` to ``stop`` (point estimate).

    ``options``: ``specs``, ``progress``, ``executor`` (see :func:`rebound.scenarios.sweep`).
    """
    from rebound.scenarios import sweep as response

    return response(_loaded(path), key, start, stop, n, **options)
