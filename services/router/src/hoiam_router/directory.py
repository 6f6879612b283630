"""The routing directory, re-exported: it lives with the pure rules in `domain.directory`."""

from hoiam_router.domain.directory import (
    Body,
    Category,
    CompetenceRule,
    Councillor,
    Directory,
    DirectoryConfig,
    Level,
    Province,
    build_directory,
    load_config,
    load_directory,
    parse_config,
)

__all__ = [
    "Body",
    "Category",
    "CompetenceRule",
    "Councillor",
    "Directory",
    "DirectoryConfig",
    "Level",
    "Province",
    "build_directory",
    "load_config",
    "load_directory",
    "parse_config",
]
