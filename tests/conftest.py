"""Every test gets its own empty result cache, so no test sees another's (or the user's)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("qunce-cache")
    monkeypatch.setenv("QUNCE_CACHE_DIR", str(folder))
    monkeypatch.delenv("QUNCE_NO_CACHE", raising=False)
    return folder
