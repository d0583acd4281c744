"""The Python API (docs/api.md): the documented example runs, and the CLI is a thin layer over it."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from guard_fixture import TEMPLATE, edit, write

import rebound
from rebound.checks import MODEL_CHECKS
from rebound.cli.main import main
from rebound.params import get_path
from rebound.problems import InputError

ROOT = Path(__file__).resolve().parents[1]
CC22 = ROOT / "params" / "changchun_2022.toml"
SCEN = ROOT / "scenarios" / "changchun_2022"


def doc_example() -> str:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1, "docs/api.md should hold exactly one python example"
    return blocks[0]


def test_the_example_in_docs_api_md_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    exec(compile(doc_example(), "docs/api.md", "exec"), namespace)  # our own documentation
    out = capsys.readouterr().out
    assert out.startswith("GDP H1 2022: reported -9.9, model ")
    assert "no_policy" in out and "determined_by" in out


def test_import_rebound_is_light_and_lazy() -> None:
    code = "import sys, rebound; print(sorted(m for m in ('pandas', 'numpy', 'pydantic', 'rebound.api') if m in sys.modules)); print(rebound.run.__module__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"  # nothing heavy until a function is used
    assert out[1] == "rebound.api"


def test_run_table_is_the_cli_table() -> None:
    api = rebound.run(CC22, ensemble=20, seed=3).indicators
    res = CliRunner().invoke(main, ["run", str(CC22), "--ensemble", "20", "--seed", "3", "--format", "csv"])
    assert res.exit_code == 0, res.output
    cli = pd.read_csv(io.StringIO(res.stdout), keep_default_na=False, na_values=[""])
    assert list(cli.columns) == list(api.columns)
    assert len(cli) == len(api) > 50
    assert list(cli.indicator) == list(api.indicator)
    for col in ("model", "point", "p05", "p95", "residual"):
        assert (cli[col].fillna(-1e300) - api[col].fillna(-1e300)).abs().max() < 1e-8 * max(1.0, api[col].abs().max())


def test_paths_str_and_loaded_give_the_same_run_and_seed_none_is_the_cli_default() -> None:
    a = rebound.run(str(CC22), ensemble=10)
    b = rebound.run(rebound.load(CC22), ensemble=10, seed=rebound.DEFAULT_SEED)
    pd.testing.assert_frame_equal(a.indicators, b.indicators)
    assert a.summary["seed"] == 20220311


def test_compare_takes_one_path_or_many() -> None:
    one = rebound.compare(SCEN / "no_vouchers.toml")
    many = rebound.compare([str(SCEN / "no_vouchers.toml")])
    pd.testing.assert_frame_equal(one.table, many.table)
    assert set(one.table.scenario) == {"no_vouchers"}
    assert one.base.path == Path("params/changchun_2022.toml") or one.base.path.resolve() == CC22


def test_load_applies_the_model_checks_and_bad_input_raises(tmp_path: Path) -> None:
    assert rebound.load(CC22).checks == MODEL_CHECKS
    text, _ = edit(TEMPLATE, "pull_forward_share", "pull_forward_share = 1.0")
    text, _ = edit(text, "pull_forward_days", "pull_forward_days = 1")
    with pytest.raises(InputError) as err:
        rebound.run(write(tmp_path, text))
    assert [p.key for p in err.value.problems] == ["levers.vouchers.rounds[0].amount_100m"]
    assert str(err.value).count("\n") == 0 and ": levers.vouchers.rounds[0].amount_100m: gives back 6.9 亿元" in str(err.value)


def test_calibrated_write_keeps_comments(tmp_path: Path) -> None:
    cal = rebound.calibrate(CC22)
    out = tmp_path / "cc22.toml"
    cal.write(out)
    text = out.read_text(encoding="utf-8")
    assert text.count("src:") == CC22.read_text(encoding="utf-8").count("src:")  # comments kept
    again = rebound.load(out)
    assert again.params.calibration.record is not None
    for key, value in cal.estimates.items():
        assert abs(get_path(again.params, key) - value) <= 1e-5 * max(1.0, abs(value))  # 6 significant digits
