"""Shared fixtures: tiny inline projects (as MkDocs' @tempdir does) and a clean environment.

With ``CMPUB_REQUIRE_TOOLS=1`` (set by ``tests/run.sh``, the README's test command) a test that
skips fails instead, unless its reason is one of :data:`ACCEPTED_SKIPS`: a run that is green
has run every test its machine can run, and nothing was skipped for want of a tool.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.support.project import CONFIG, MakeProject

#: Read at import: the autouse ``clean_environ`` fixture removes CMPUB_* variables per test.
REQUIRE_TOOLS = os.environ.get("CMPUB_REQUIRE_TOOLS") == "1"
#: Skips that no setup can lift, word for word, and why a user accepts them.
ACCEPTED_SKIPS = {
    "as root, file permissions never stop a write "
    "(test_unwritable_output_folder_even_as_root covers root)": "a fact of the machine's user",
}


def _require(report: Any) -> None:
    """Under CMPUB_REQUIRE_TOOLS=1, turn a skip whose reason is not accepted into a failure."""
    if not (REQUIRE_TOOLS and report.skipped) or hasattr(report, "wasxfail"):
        return
    longrepr = report.longrepr
    reason = str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)
    reason = reason.removeprefix("Skipped: ")
    if reason in ACCEPTED_SKIPS:
        return
    report.outcome = "failed"
    report.longrepr = (
        f"CMPUB_REQUIRE_TOOLS=1 (bash tests/run.sh) but this skipped: {reason}\n"
        "Install what it needs (tests/run.sh sets up Chromium, the fonts and the Bluesky PDS), "
        "or, if no machine can lift it, add its reason to ACCEPTED_SKIPS in tests/conftest.py."
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A skipped test (or fixture) under CMPUB_REQUIRE_TOOLS=1."""
    outcome: Any = yield
    _require(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    """A module that skips itself at import under CMPUB_REQUIRE_TOOLS=1."""
    outcome: Any = yield
    _require(outcome.get_result())


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
