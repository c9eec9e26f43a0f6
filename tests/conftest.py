"""Shared fixtures: tiny inline projects (as MkDocs' @tempdir does) and a clean environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import CONFIG, MakeProject


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never let a developer's real credentials reach a test."""
    for key in list(os.environ):
        if key.startswith("CMPUB_") or key.endswith(("_TOKEN", "_PASSWORD", "_SECRET")):
            monkeypatch.delenv(key, raising=False)


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """Write ``files`` (path -> text or bytes) into a new project folder and return it."""

    def make(files: dict[str, str | bytes] | None = None, config: str | None = CONFIG) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        if config is not None:
            (root / "cmpub.yaml").write_text(config, encoding="utf-8")
        (root / "content").mkdir(exist_ok=True)
        for rel, data in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8")
        return root

    return make


@pytest.fixture
def runner() -> CliRunner:
    """Click's runner, with stderr kept apart from stdout."""
    return CliRunner()
