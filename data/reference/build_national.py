"""Regenerate ``data/reference/national.csv`` from the shared national series.

    python data/reference/build_national.py            # writes data/reference/national.csv
    python data/reference/build_national.py --check    # exit 1 if the file would change

Reads ``../shared/data/reference/china_national_2018_2023.csv`` (columns ``region, indicator,
period_start, period_end, measure, value, source, quote_or_column``) and writes the project's
observed-data layout, one output row per input row, in the same order (output line N is input
line N). What it does to each row, and nothing else:

- indicator: 规模以上工业增加值 → ``industry`` (real), 社会消费品零售总额 → ``retail``
  (nominal), 固定资产投资(不含农户) → ``fai`` (nominal), 国内生产总值(不变价) → ``gdp``
  (real), 汽车产量 and 汽车产量(万辆) → ``auto_output`` (volume, basis ``na``);
- measure and unit: growth rates keep their measure in ``pct``, written with one decimal as NBS
  prints them (the shared file drops a trailing ``.0``); ``level_100m_yuan`` in ``100m_yuan``
  (basis ``nominal``); ``level_10k_units`` becomes measure ``level`` in ``10k_units``;
- ``source`` is copied; ``quote_or_column`` goes to ``quote``; a source that says DERIVED
  makes the row ``derived=yes`` with the arithmetic in ``reason``;
- role: a figure given once is ``reference``. A figure given by several rows (two vintages or
  two sources) keeps every row; exactly one is ``reference``: for GDP the latest revision
  (latest vintage > vintage 2021-01 > vintage 2020-04 > first release), otherwise the row from
  the complete monthly series (the GitHub copies of the NBS tables), otherwise the first row.
  The others are ``context`` with a reason naming the reference line.

Standard library only, so it runs without the package installed.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SRC = ROOT.parent / "shared" / "data" / "reference" / "china_national_2018_2023.csv"
OUT = HERE / "national.csv"

COLUMNS = ("indicator", "measure", "period_start", "period_end", "compare_start", "compare_end", "value", "unit", "basis", "reference_value", "role", "reason", "derived", "source", "quote")
INDICATOR = {
    "规模以上工业增加值": ("industry", "real"),
    "社会消费品零售总额": ("retail", "nominal"),
    "固定资产投资(不含农户)": ("fai", "nominal"),
    "国内生产总值(不变价)": ("gdp", "real"),
    "汽车产量": ("auto_output", "na"),
    "汽车产量(万辆)": ("auto_output", "na"),
}
GROWTH = ("yoy_month_pct", "yoy_cum_pct", "yoy_quarter_pct")
VINTAGES = (("latest vintage", "the latest revision (NBS database export)"), ("vintage 2021-01", "the January 2021 vintage (after the 2019 final verification)"), ("vintage 2020-04", "the April 2020 vintage"), ("first-release", "the first release"))
SERIES_MARK = "github:"


def convert(row: dict[str, str]) -> dict[str, str]:
    """One shared row in the project's layout (role decided later)."""
    indicator, basis = INDICATOR[row["indicator"]]
    measure, value = row["measure"], row["value"]
    if measure in GROWTH:
        unit = "pct"
        if "." not in value:
            value += ".0"
    elif measure == "level_100m_yuan":
        unit, basis = "100m_yuan", "nominal" if basis != "na" else "na"
    elif measure == "level_10k_units":
        measure, unit = "level", "10k_units"
    else:
        raise ValueError(f"unknown measure {measure!r}")
    derived = "DERIVED" in row["source"]
    reason = ""
    if derived:
        arithmetic = row["source"].split("DERIVED", 1)[1].strip(" :)")
        reason = f"derived by the collector: {arithmetic} (see source)"
    return {
        "indicator": indicator,
        "measure": measure,
        "period_start": row["period_start"],
        "period_end": row["period_end"],
        "compare_start": "",
        "compare_end": "",
        "value": value,
        "unit": unit,
        "basis": basis,
        "reference_value": "",
        "role": "reference",
        "reason": reason,
        "derived": "yes" if derived else "no",
        "source": row["source"],
        "quote": row["quote_or_column"],
    }


def _vintage(source: str) -> tuple[int, str]:
    for rank, (mark, words) in enumerate(VINTAGES):
        if mark in source:
            return len(VINTAGES) - rank, words
    return 0, "an undated vintage"


def choose(rows: list[dict[str, str]], lines: list[int]) -> None:
    """Mark one row of a group of the same figure ``reference``, the others ``context``."""
    if len(rows) == 1:
        return
    if rows[0]["indicator"] == "gdp":
        ranks = [_vintage(r["source"]) for r in rows]
        best = max(range(len(rows)), key=lambda i: ranks[i][0])
        why = f"preferred as the latest revision available ({ranks[best][1]})"
        other = [f"{ranks[i][1]} {rows[i]['value']}" for i in range(len(rows)) if i != best]
        mine = why + "; other vintage(s): " + ", ".join(other)
        theirs = [f"an earlier vintage ({ranks[i][1]}); line {lines[best]} ({rows[best]['value']}, {ranks[best][1]}) is the reference" for i in range(len(rows))]
    else:
        series = [i for i, r in enumerate(rows) if r["source"].startswith(SERIES_MARK)]
        best = series[0] if series else 0
        mine = "from the complete monthly series (consistent with the neighbouring months)" if series else "first of the rows giving this figure"
        mine += f"; also given by line(s) {', '.join(str(lines[i]) for i in range(len(rows)) if i != best)}"
        theirs = [f"same figure from another source; line {lines[best]} ({rows[best]['value']}) is the reference" for _ in rows]
        theirs = [t if rows[i]["value"] == rows[best]["value"] else t.replace("same figure", "same figure, rounded differently,") for i, t in enumerate(theirs)]
    for i, r in enumerate(rows):
        if i == best:
            r["reason"] = "; ".join(x for x in (r["reason"], mine) if x)
        else:
            r["role"] = "context"
            r["reason"] = "; ".join(x for x in (r["reason"], theirs[i]) if x)


def build(src: Path) -> str:
    """The text of ``national.csv`` built from the shared file ``src``."""
    with src.open(encoding="utf-8", newline="") as f:
        shared = list(csv.DictReader(f))
    rows = [convert(r) for r in shared]
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault((r["indicator"], r["measure"], r["period_start"], r["period_end"]), []).append(i)
    for idx in groups.values():
        choose([rows[i] for i in idx], [i + 2 for i in idx])
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=SRC, help="the shared national CSV")
    ap.add_argument("--out", type=Path, default=OUT, help="where to write (default: data/reference/national.csv)")
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if the output would differ")
    args = ap.parse_args()
    text = build(args.src)
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'would change'}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
