"""The speed work (issue 17) keeps behaviour: results agree with the engine before it to 1e-9."""

from __future__ import annotations

import numpy as np
import pytest

from tests.speed_reference import REFERENCE, compute


@pytest.fixture(scope="module")
def now() -> dict[str, np.ndarray]:
    return compute()


def test_reference_agrees_to_1e9(now: dict[str, np.ndarray]) -> None:
    ref = np.load(REFERENCE)
    assert sorted(ref.files) == sorted(now)
    assert len(ref.files) > 20
    for k in ref.files:
        np.testing.assert_allclose(now[k], ref[k], rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=k)
