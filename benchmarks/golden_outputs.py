"""Checksums of every verb's machine-readable output on the shipped files.

Used to show that a refactor (a move, not a rewrite) leaves every output unchanged, and to see
at a glance which outputs a model change moved.

    python benchmarks/golden_outputs.py            # compare with benchmarks/golden_outputs.json
    python benchmarks/golden_outputs.py --record   # record the current outputs as the reference

Each case runs the console script ``rebound`` in a subprocess with a fixed seed and hashes what
it prints (``--format csv|json``) and every file it writes with ``--out``. JSON is hashed after
dropping the keys that name the machine or the clock (``generated``, ``date``), nothing else.
Exit status 1 when any checksum differs, listing the cases.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).with_name("golden_outputs.json")
VOLATILE = {"generated", "date", "timestamp"}

CC22 = "params/changchun_2022.toml"
SC22 = "scenarios/changchun_2022"
CASES: dict[str, list[str]] = {
    "run_cc22_ens200": ["run", CC22, "--ensemble", "200", "--seed", "1", "--format", "csv", "--all", "--out", "{out}"],
    "run_cc20_ens200": ["run", "params/changchun_2020.toml", "--ensemble", "200", "--seed", "1", "--format", "csv", "--out", "{out}"],
    "run_jz22_ens200": ["run", "params/jinzhong_2022.toml", "--ensemble", "200", "--seed", "1", "--format", "csv", "--out", "{out}"],
    "calibrate_cc22": ["calibrate", CC22, "--format", "json"],
    "calibrate_cc20": ["calibrate", "params/changchun_2020.toml", "--format", "json"],
    "compare_cc22": ["compare", f"{SC22}/no_vouchers.toml", f"{SC22}/lockdown_two_weeks_shorter.toml", f"{SC22}/no_policy.toml", "--ensemble", "50", "--seed", "1", "--format", "csv"],
    "attribute_cc22_gdp_h1": ["attribute", CC22, "--indicator", "gdp", "--period", "2022-01..2022-06", "--ensemble", "20", "--seed", "1", "--format", "csv"],
    "sweep_cc22_vouchers": ["sweep", CC22, "--set", "levers.vouchers.scale=0:3:4", "--format", "csv"],
    "backtest_cc22_2022-06": ["backtest", CC22, "--cutoff", "2022-06", "--ensemble", "50", "--seed", "1", "--format", "json"],
    "data_show_cc22": ["data", "show", "changchun_2022", "--format", "csv"],
    "data_show_cc20": ["data", "show", "changchun_2020", "--format", "json"],
}


def _strip(obj: object) -> object:
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def digest(name: str, data: bytes) -> str:
    if name.endswith(".json"):
        try:
            data = json.dumps(_strip(json.loads(data)), sort_keys=True).encode()
        except ValueError:
            pass
    return hashlib.sha256(data).hexdigest()[:16]


def run_case(args: list[str]) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        argv = [a.replace("{out}", str(out)) for a in args]
        proc = subprocess.run(["rebound", *argv], cwd=ROOT, capture_output=True, check=False)
        fmt = argv[argv.index("--format") + 1] if "--format" in argv else "txt"
        got = {f"stdout.{fmt}": digest(f"stdout.{fmt}", proc.stdout), "exit": str(proc.returncode)}
        if out.is_dir():
            for f in sorted(out.iterdir()):
                if f.suffix in (".csv", ".json"):
                    got[f.name] = digest(f.name, f.read_bytes())
        return got


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--record", action="store_true", help="record current outputs as the reference")
    ap.add_argument("cases", nargs="*", help="only these cases")
    ns = ap.parse_args()
    names = ns.cases or list(CASES)
    current = {n: run_case(CASES[n]) for n in names}
    if ns.record:
        old = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
        old.update(current)
        GOLDEN.write_text(json.dumps(old, indent=1, sort_keys=True) + "\n")
        print(f"recorded {len(current)} cases in {GOLDEN.relative_to(ROOT)}")
        return 0
    golden = json.loads(GOLDEN.read_text())
    bad = 0
    for n in names:
        want, got = golden.get(n), current[n]
        same = want == got
        bad += not same
        print(f"{'same   ' if same else 'CHANGED'} {n}: {len(got)} outputs")
        if not same and want is not None:
            for k in sorted(set(want) | set(got)):
                if want.get(k) != got.get(k):
                    print(f"    {k}: {want.get(k)} -> {got.get(k)}")
    print(f"{len(names) - bad} of {len(names)} cases unchanged")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
