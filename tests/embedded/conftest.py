"""One `confer dev` on its own embedded PostgreSQL and Valkey, shared by the tests of its behaviour."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from tests.embedded.confer_dev import ConferDev


@pytest.fixture(scope="module")
def confer_dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConferDev]:
    dev = ConferDev.start(tmp_path_factory.mktemp("confer-dev") / "data")
    yield dev
    dev.stop(signal.SIGINT)
