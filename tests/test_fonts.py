"""CJK font discovery: a system family, the optional extra's files, or English labels."""

from __future__ import annotations

import pytest

from rebound.cli import fonts


def test_disabled_by_environment_gives_english(monkeypatch: pytest.MonkeyPatch) -> None:
    fonts.cjk_font.cache_clear()
    monkeypatch.setenv(fonts.DISABLE_ENV, "1")
    try:
        assert fonts.cjk_font() is None
        assert fonts.where().startswith("no CJK font found")
    finally:
        monkeypatch.delenv(fonts.DISABLE_ENV)
        fonts.cjk_font.cache_clear()


def test_found_font_draws_chinese() -> None:
    fam = fonts.cjk_font()
    if fam is None:
        pytest.skip('no CJK font: pip install "rebound[cjk]" or apt-get install fonts-noto-cjk')
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=fam), fallback_to_default=False)
    face = FT2Font(path)
    assert all(face.get_char_index(ord(c)) != 0 for c in "规模以上工业增加值上半年亿元"), (
        fam,
        path,
    )


def test_packaged_files_listed_when_the_extra_is_installed() -> None:
    files = fonts.packaged_font_files()
    pytest.importorskip("mplfonts")
    assert (
        files
        and files[0].name == "NotoSansCJKsc-Regular.otf"
        and files[0].stat().st_size > 1_000_000
    )
