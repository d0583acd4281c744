"""Shared test helpers. The one route to the shared collection next to the project.

Some tests compare the project's data with the shared collection (``../shared/``: seed
articles, the regional and national figures it was copied from). The suite must pass without
it, those tests skipped with a reason. Every such test reaches the collection through
:func:`shared_path` / :func:`needs_shared` / :func:`shared_file` here (tests/test_layout.py
fails on any other ``"shared"`` path in the tests).

``REBOUND_SHARED=/some/dir`` points the tests at another copy; ``REBOUND_SHARED=/nonexistent``
runs the suite as on a machine without it (docs/architecture.md, "Tests").
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_REASON = "needs the shared collection ({path}); absent here (set REBOUND_SHARED to its folder)"


def shared_root() -> Path:
    """The shared collection: ``$REBOUND_SHARED`` if set, else ``../shared`` next to the project."""
    env = os.environ.get("REBOUND_SHARED")
    return Path(env) if env else ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path inside the shared collection (it may not exist; see :func:`needs_shared`)."""
    return shared_root().joinpath(*parts)


def needs_shared(*parts: str) -> pytest.MarkDecorator:
    """Mark a test that reads ``shared_path(*parts)``: skipped, with the reason, when it is absent."""
    path = shared_path(*parts)
    return pytest.mark.skipif(not path.exists(), reason=SKIP_REASON.format(path=path))


def shared_file(*parts: str) -> Path:
    """``shared_path(*parts)`` inside a running test: skips the test when the file is absent."""
    path = shared_path(*parts)
    if not path.exists():
        pytest.skip(SKIP_REASON.format(path=path))
    return path


@pytest.fixture()
def shared() -> Path:
    """The shared collection's folder (the test is skipped when it is absent)."""
    return shared_file()
