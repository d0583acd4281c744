"""CJK font discovery for the charts (matplotlib only; nothing is downloaded).

Order: an installed system family matplotlib already knows (Noto Sans CJK, Source Han,
WenQuanYi, SimHei, Microsoft YaHei, PingFang), then ``fc-list :lang=zh``, then the fonts the
optional extra ``pip install "rebound[cjk]"`` brings (the ``mplfonts`` package ships Noto Sans
CJK SC). With none, :func:`cjk_font` returns None and every chart label is English only, so
no glyph is ever drawn as an empty box.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from functools import lru_cache
from pathlib import Path

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
)
# files of the mplfonts package, preferred first (sans before serif)
PACKAGED_FILES = ("NotoSansCJKsc-Regular.otf", "SimHei.ttf", "SourceHanSerifSC-Regular.otf")
DISABLE_ENV = "REBOUND_NO_CJK"  # set to 1 to force English labels (tests of the fallback)


def _system_family() -> str | None:
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    for fam in CJK_FAMILIES:
        if fam in have:
            return fam
    return None


def _fc_list_family() -> str | None:
    from matplotlib import font_manager

    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in sorted(out.splitlines(), key=lambda s: ("Sans" not in s, s)):
        path = line.split(":")[0].strip()
        if not path.lower().endswith(
            (".ttf", ".otf")
        ):  # .ttc collections: matplotlib reads only the first face
            continue
        try:
            font_manager.fontManager.addfont(path)
            return str(font_manager.FontProperties(fname=path).get_name())
        except (OSError, RuntimeError, ValueError):
            continue
    return None


def packaged_font_files() -> list[Path]:
    """CJK font files of the optional ``mplfonts`` package (empty when it is not installed)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    return [folder / f for f in PACKAGED_FILES if (folder / f).is_file()]


def _packaged_family() -> str | None:
    from matplotlib import font_manager

    for path in packaged_font_files():
        try:
            font_manager.fontManager.addfont(str(path))
            return str(font_manager.FontProperties(fname=str(path)).get_name())
        except (OSError, RuntimeError, ValueError):
            continue
    return None


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Family name of a CJK font matplotlib can draw with, or None (English labels)."""
    if os.environ.get(DISABLE_ENV, "") not in ("", "0"):
        return None
    return _system_family() or _packaged_family() or _fc_list_family()


def where() -> str:
    """One line saying which CJK font the charts use, or how to get one."""
    fam = cjk_font()
    if fam:
        return f"Chinese chart labels in {fam}"
    return 'no CJK font found: chart labels are English only (pip install "rebound[cjk]" or apt-get install fonts-noto-cjk)'
