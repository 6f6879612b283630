"""The router's unit fixtures: one directory for the whole session."""

import pytest

from hoiam_router.domain.directory import Directory
from support.router import bundled_directory


@pytest.fixture(scope="session")
def directory() -> Directory:
    return bundled_directory()
