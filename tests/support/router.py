"""The router's bundled directory for tests, generated once per test session (about a second
each time otherwise: 5,114 bodies from the gazetteer and the YAML)."""

from functools import cache

from hoiam_router.directory_yaml import load_directory
from hoiam_router.domain.directory import Directory


@cache
def bundled_directory() -> Directory:
    return load_directory()
