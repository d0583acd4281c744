"""Counterfactuals: paired scenario comparison, Shapley attribution, one-parameter sweeps.

Pure: takes loaded parameter sets, returns data frames and arrays; the CLI prints and writes.
Modules: ``shared`` (pairing of draws, percentiles, chunked evaluation, figure specs),
``compare``, ``attribute``, ``sweep``, ``distribute`` (local or Dask batches).
"""

from rebound.scenarios.attribute import Attribution, attribute, lever_players, shapley
from rebound.scenarios.compare import COMPARE_COLUMNS, Comparison, compare, compare_runs
from rebound.scenarios.shared import (
    base_of,
    chunk_size,
    evaluate_chunked,
    figure_specs,
    make_spec,
    paired_values,
)
from rebound.scenarios.sweep import default_sweep_specs, sweep, sweep_points

__all__ = [
    "COMPARE_COLUMNS",
    "Attribution",
    "Comparison",
    "attribute",
    "base_of",
    "chunk_size",
    "compare",
    "compare_runs",
    "default_sweep_specs",
    "evaluate_chunked",
    "figure_specs",
    "lever_players",
    "make_spec",
    "paired_values",
    "shapley",
    "sweep",
    "sweep_points",
]
