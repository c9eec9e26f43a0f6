"""Fixtures of the deploy tests: a webhook receiver, a project in git with a remote."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.deploy import Receiver, make_repo


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running webhook receiver (no lookup support)."""
    with Receiver() as r:
        yield r


@pytest.fixture
def project(tmp_path: Path, receiver: Receiver) -> Path:
    """The test project, committed, with ``remote.git`` as its origin."""
    return make_repo(tmp_path, receiver.url)


class Sleeps(list[float]):
    """An injected sleep that only remembers how long it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()
