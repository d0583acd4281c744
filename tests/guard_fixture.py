"""A small, self-contained parameter file for robustness tests (independent of the shipped
episode files, which calibration rewrites). Every value sits on its own line so a test can
replace one line and know the line number the loader must report."""

from __future__ import annotations

from pathlib import Path

TEMPLATE = """\
[episode]
name = "robust"
year = 2022

[gdp]
primary_100m = 500.0
secondary_100m = 3000.0
tertiary_100m = 3600.0
trend_growth_pct = 5.0
inflation_pct = 2.0
secondary_industry_weight = 0.8
tertiary_consumption_elasticity = 0.6

[sectors.industry]
prior_year_level_100m = 2300.0
trend_growth_pct = 5.0
seasonal = [0.85, 0.8, 1.0, 1.0, 1.0, 1.0, 0.95, 0.95, 1.02, 1.05, 1.1, 1.15]
prior_year_anomaly = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
time_constant_days = 10.0
headroom = 0.15
backlog_share = 0.5
backlog_time_constant_days = 90.0
scarring_per_day = 0.0003

[sectors.consumption]
prior_year_level_100m = 1800.0
trend_growth_pct = 4.0
inflation_pct = 2.0
seasonal = [1.05, 0.95, 0.95, 0.95, 1.0, 1.0, 0.95, 0.95, 1.0, 1.05, 1.05, 1.15]
time_constant_days = 20.0
headroom = 0.35
backlog_share = 0.4
backlog_time_constant_days = 30.0
scarring_per_day = 0.0005
above_quota_share = 0.45

[sectors.investment]
prior_year_level_100m = 3000.0
trend_growth_pct = 4.0
inflation_pct = 3.0
seasonal = [0.3, 0.3, 0.65, 0.9, 1.15, 1.35, 1.35, 1.35, 1.3, 1.2, 0.9, 0.45]
time_constant_days = 20.0
headroom = 0.3
backlog_share = 0.6
backlog_time_constant_days = 60.0
scarring_per_day = 0.0002

[[lockdown.phases]]
name = "static management"
start = 2022-03-11
end = 2022-04-15
closed_loop_share = 0.1
[lockdown.phases.stringency]
industry = 0.9
consumption = 0.6
investment = 0.9

[liquidity]
scar_reduction = 20.0
recovery_speedup = 10.0

[levers.vouchers]
type = "consumption_voucher"
incremental_spending_per_yuan = 3.0
pull_forward_share = 0.2
pull_forward_days = 120
[[levers.vouchers.rounds]]
date = 2022-05-20
amount_100m = 2.3
redemption_days = 40

[levers.relief]
type = "tax_relief"
investment_share = 0.1
[[levers.relief.tranches]]
kind = "vat_credit_refund"
start = 2022-04-01
end = 2022-05-31
amount_100m = 78.7

[levers.projects]
type = "project_starts"
count = 1222
incremental_share = 0.1
mean_size_100m = 1.5
start = 2022-04-16
end = 2022-06-30
construction_days = 365

[levers.bonds]
type = "special_bond"
capex_share = 0.9
incremental_share = 0.67
lag_days = 60
spend_days = 365
[[levers.bonds.issues]]
start = 2022-01-01
end = 2022-07-31
amount_100m = 263.0

[[calibration.free]]
key = "sectors.industry.headroom"
prior = "lognormal"
centre = 0.15
spread = 0.5
lower = 0.01
upper = 0.6
source = "assumption"
"""


def edit(text: str, old: str, new: str) -> tuple[str, int]:
    """Replace the first line that starts with ``old`` by ``new``; return text and its line."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(old):
            lines[i] = new
            return "\n".join(lines) + "\n", i + 1
    raise AssertionError(f"no line starts with {old!r}")


def write(tmp: Path, text: str, name: str = "robust.toml") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path
