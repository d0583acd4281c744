"""Named unit factors: never a bare magic number in the arithmetic."""

from __future__ import annotations

YUAN_PER_100M: float = 1e8  # 1 亿元 = 100 million yuan
YUAN_PER_10K: float = 1e4  # 1 万元
HUNDRED_M_PER_10K: float = YUAN_PER_10K / YUAN_PER_100M  # 万元 -> 亿元
DAYS_PER_YEAR: float = 365.0
MONTHS_PER_YEAR: int = 12
PCT: float = 100.0  # fraction -> per cent
