"""``rebound data extract``: candidate observed-data rows from a Chinese statistical article."""

from __future__ import annotations

import csv
import io
import os
import re
import sys
import tempfile
from pathlib import Path

import click

from rebound.cli.common import fail, fail_one, handle_input_errors
from rebound.problems import Problem


def _read_stdin() -> bytes:
    """All of standard input; a closed or unreadable one exits 2 with one line."""
    stream = sys.stdin
    if stream is None:
        fail_one("-", "standard input is closed: pipe the text in (... | rebound data extract -) or give a file")
    try:
        raw = stream.buffer.read()
    except (OSError, ValueError, AttributeError) as err:
        fail_one("-", f"cannot read standard input ({getattr(err, 'strerror', None) or err})")
    assert isinstance(raw, bytes)
    return raw


def _read_input(source: str) -> tuple[str, str]:
    """Return (text, source name); bad input exits 2 with one plain line."""
    if source == "-":
        raw = _read_stdin()
        name = "-"
    else:
        path = Path(source)
        if not path.exists():
            fail_one(source, "file not found")
        if path.is_dir():
            fail_one(source, "is a directory, expected a text file")
        try:
            raw = path.read_bytes()
        except OSError as err:
            fail_one(source, f"cannot read ({err.strerror})")
        name = path.name
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        fail_one(source, f"not valid UTF-8 text (byte {raw[err.start]:#04x}: {err.reason}); save it as UTF-8", line=line)
    if not text.strip():
        fail_one(source, "empty input: no text to extract from")
    return text, name


_SHOWN = 400  # characters of a quote the table shows (the CSV keeps every quote whole)


def _esc(s: str) -> str:
    return s.replace("\r", "").replace("\n", "⏎")


def _shown(quote: str) -> str:
    """A quote for the table: whole unless it is a paste of more than 400 characters."""
    if len(quote) <= _SHOWN:
        return _esc(quote)
    return f"{_esc(quote[:300])} … ({len(quote)} characters) … {_esc(quote[-80:])}"


def _render_table(ex: object, source: str) -> str:
    from rebound.cli.fmt import table
    from rebound.extract.core import Extraction

    assert isinstance(ex, Extraction)
    out: list[str] = []
    rows = []
    for i, c in enumerate(ex.indicators, 1):
        r = c.as_row()
        cmp = f"{r['compare_start']}..{r['compare_end']}" if r["compare_start"] else ""
        rows.append([str(i), r["indicator"], r["measure"], f"{r['period_start']}..{r['period_end']}",
                     cmp, r["value"], r["unit"], r["basis"], r["reference_value"], r["role"]])
    out.append(f"indicator rows ({len(ex.indicators)})")
    if rows:
        out.append(table(rows, ["#", "indicator", "measure", "period", "compare", "value", "unit",
                                "basis", "ref", "role"]))
        for i, c in enumerate(ex.indicators, 1):
            out.append(f"  [{i}] {_shown(c.quote)}")
            if c.reason:
                out.append(f"       reason: {c.reason}")
    out.append("")
    out.append(f"lever candidates ({len(ex.levers)})")
    if ex.levers:
        lrows = []
        for lev in ex.levers:
            r = lev.as_row()
            period = f"{r['period_start']}..{r['period_end']}" if r["period_end"] else ""
            lrows.append([r["kind"], r["amount"], r["unit"], r["induced_amount"], period, r["date"],
                          r["note"], _esc(r["quote"])[:60]])
        out.append(table(lrows, ["kind", "amount", "unit", "induced", "period", "date", "note",
                                 "quote"]))
    out.append("")
    out.append(f"unresolved ({len(ex.unresolved)})")
    for u in ex.unresolved:
        figures = " ".join(u.figures[:50]) + (f" … and {len(u.figures) - 50} more" if len(u.figures) > 50 else "")
        out.append(f"  {figures}: {u.reason}")
        out.append(f"      {_shown(u.quote)}")
    out.append("")
    out.append(f"{source}: year {ex.year if ex.year is not None else 'unknown'} ({ex.year_source}); "
               f"{len(ex.indicators)} indicator rows, {len(ex.levers)} levers, "
               f"{len(ex.unresolved)} unresolved, {ex.duplicates} duplicates dropped")
    return "\n".join(out)


def _csv_text(rows: list[dict[str, str]], columns: tuple[str, ...], header: bool,
              lineterminator: str = "\n") -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator=lineterminator)
    if header:
        w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def _check_writable(target: Path, shown: str) -> None:
    """Exit 2 before anything is written if the target or its folder cannot take the rows."""
    if target.is_dir():
        fail_one(shown, "is a directory, expected an observed-data CSV")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        fail_one(shown, f"directory {directory} does not exist")
    if target.exists() and not target.stat().st_mode & 0o222:
        fail_one(shown, "file is read-only: nothing appended (make it writable first)")
    if not directory.stat().st_mode & 0o222 or not os.access(directory, os.W_OK):
        fail_one(shown, f"directory {directory} is read-only: nothing appended")


def _existing(target: Path, shown: str) -> tuple[bytes, str]:
    """The target's bytes and text ('' for a new file); unreadable or not UTF-8 exits 2."""
    if not target.exists():
        return b"", ""
    try:
        original = target.read_bytes()
    except OSError as err:
        fail_one(shown, f"cannot read ({err.strerror})")
    try:
        return original, original.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = original[: err.start].count(b"\n") + 1
        fail_one(shown, f"not valid UTF-8 text (byte {original[err.start]:#04x}: {err.reason})", line=line)
    raise AssertionError("unreachable")


def _split_new(rows: list[dict[str, str]], text: str, shown: str) -> tuple[list[dict[str, str]], list[str]]:
    """Rows not yet in the file, and descriptions of the ones already there."""
    from rebound.extract.core import COLUMNS

    keys: set[tuple[str, ...]] = set()
    if text.strip():
        reader = csv.DictReader(io.StringIO(text))
        if tuple(reader.fieldnames or ()) != COLUMNS:
            fail_one(shown, "header is not the observed-data header: " + ",".join(COLUMNS), line=1)
        keys = {tuple((r.get(k) or "") for k in COLUMNS[:6]) for r in reader}
    new: list[dict[str, str]] = []
    skipped: list[str] = []
    for r in rows:
        k = tuple(r[c] for c in COLUMNS[:6])
        if k in keys:
            cmp = f" vs {r['compare_start']}..{r['compare_end']}" if r["compare_start"] else ""
            skipped.append(f"{r['indicator']} {r['measure']} {r['period_start']}..{r['period_end']}{cmp}")
            continue
        keys.add(k)
        new.append(r)
    return new, skipped


def _write_checked(target: Path, shown: str, data: bytes) -> None:
    """Write ``data`` beside the target, check it as observed data, then rename it over."""
    from rebound.data.observed import check_observed

    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        fail_one(shown, f"cannot write in {directory} ({err.strerror})")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        problems = check_observed(tmp)
        if problems:
            fail([Problem(shown, p.line, p.key, p.message) for p in problems])
        os.replace(tmp, target)
    except OSError as err:
        fail_one(shown, f"cannot write ({err.strerror})")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def append_rows(target: Path, rows: list[dict[str, str]]) -> tuple[int, list[str]]:
    """Append rows not already present to an observed-data CSV, validated and atomic.

    Returns (number added, descriptions of skipped rows). On any problem exits 2 and leaves
    the file byte-identical (the new content is written to a temporary file in the same
    directory, checked with ``rebound.data.observed.check_observed`` and only then renamed over
    it). A read-only file or folder is refused before anything is written.
    """
    from rebound.extract.core import COLUMNS

    shown = str(target)
    _check_writable(target, shown)
    original, text = _existing(target, shown)
    new, skipped = _split_new(rows, text, shown)
    if not new:
        return 0, skipped
    if text.strip():
        newline = "\r\n" if b"\r\n" in original else "\n"
        prefix = original if original.endswith((b"\n", b"\r")) else original + newline.encode()
        data = prefix + _csv_text(new, COLUMNS, header=False, lineterminator=newline).encode("utf-8")
    else:
        data = _csv_text(new, COLUMNS, header=True).encode("utf-8")
    _write_checked(target, shown, data)
    return len(new), skipped


@click.command("extract")
@click.argument("source", metavar="FILE_OR_-")
@click.option("--episode", default=None, help="Episode name (e.g. changchun_2022): gives the year, and figures of other years become context rows.")
@click.option("--year", type=click.IntRange(1990, 2100), default=None, help="Year for 今年 and for periods printed without a year (overrides the episode and the dateline).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True, help="table: three tables on stdout; csv: the indicator rows as observed-data CSV on stdout (levers and unresolved on stderr).")
@click.option("--append", "append_to", type=click.Path(path_type=Path), default=None, help="Add the indicator rows to this observed-data CSV (validated, atomic; rows already present are skipped).")
@click.option("--source", "source_text", default=None, metavar="TEXT", help="Text for the source column (a URL or a title); default: the file name, or - for standard input.")
@handle_input_errors
def extract(source: str, episode: str | None, year: int | None, fmt: str, append_to: Path | None,
            source_text: str | None) -> None:
    """Candidate observed-data rows from a Chinese statistical article.

    Reads simplified or traditional Chinese, full- or half-width, or English wire copy, from
    FILE or standard input (-). Prints indicator rows in the observed-data format with the exact sentence quoted,
    lever amounts (vouchers, VAT refunds, special bonds, ...) in their own table, and every
    figure it could not place, with the reason. Nothing is guessed silently.

    \b
    Examples:
      rebound data extract ../shared/seeds/001_b66a70e138ba882a.txt --episode changchun_2022
      rebound data extract article.txt --year 2022 --format csv > rows.csv
      echo "1至5月，全市社零总额同比下降12.3%。" | rebound data extract - --year 2022
      rebound data extract article.txt --episode jinzhong_2022 --append data/observed/jinzhong_2022.csv
      rebound data extract page.txt --year 2022 --source "https://tjj.example.gov.cn/2022-07.html"
    """
    from rebound.extract.core import COLUMNS, LEVER_COLUMNS
    from rebound.extract.core import extract as run_extract

    if episode is not None and not re.fullmatch(r"[a-z][a-z0-9_]*", episode):
        fail_one(episode, "episode names are lower-case words joined by _ (e.g. changchun_2022)", key="--episode")
    text, name = _read_input(source)
    if source_text is not None:
        if not source_text.strip() or any(c in source_text for c in "\r\n"):
            fail_one(source, f"the source text must be one non-empty line (got {source_text!r})", key="--source")
        name = source_text.strip()
    ex = run_extract(text, source=name, year=year, episode=episode)
    appended: tuple[int, list[str]] | None = None
    if append_to is not None:  # written (or refused) before anything is printed
        appended = append_rows(append_to, [c.as_row() for c in ex.indicators])
    if fmt == "csv":
        click.echo(_csv_text([c.as_row() for c in ex.indicators], COLUMNS, header=True), nl=False)
        if ex.levers:
            click.echo("# lever candidates", err=True)
            click.echo(_csv_text([lev.as_row() for lev in ex.levers], LEVER_COLUMNS, header=True),
                       err=True, nl=False)
        for u in ex.unresolved:
            click.echo(f"# unresolved: {' '.join(u.figures)}: {u.reason}: {_esc(u.quote)}", err=True)
    else:
        click.echo(_render_table(ex, name))
    if ex.year is None and ex.unresolved:
        click.echo("note: no year known; give --year or --episode to place the figures", err=True)
    if appended is not None:
        added, skipped = appended
        for item in skipped:
            click.echo(f"skipped (already present): {item}", err=True)
        click.echo(f"{append_to}: added {added} rows, skipped {len(skipped)}", err=True)
