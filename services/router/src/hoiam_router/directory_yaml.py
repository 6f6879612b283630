"""The routing directory read from its YAML configuration: the bundled one, or a deployment's."""

from importlib import resources
from pathlib import Path

import yaml

from hoiam_router.domain.directory import Directory, DirectoryConfig, build_directory

BUNDLED = "data/directory.yaml"
"""The 34-province configuration shipped inside the package."""


def load_config(path: Path | None = None) -> DirectoryConfig:
    """The configuration at `path`, or the bundled one; refused (ValidationError) if malformed."""
    if path is None:
        text = resources.files("hoiam_router").joinpath(BUNDLED).read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    return DirectoryConfig.model_validate(parse(text))


def parse(text: str) -> object:
    """The YAML document, by libyaml's safe loader when PyYAML was built with it (the wheels
    are): the same objects as `yaml.safe_load`, parsed several times faster, at every start."""
    if yaml.__with_libyaml__:
        return yaml.load(text, Loader=yaml.CSafeLoader)
    return yaml.safe_load(text)


def load_directory(path: Path | None = None) -> Directory:
    """The directory generated from the configuration at `path`, or from the bundled one."""
    return build_directory(load_config(path))
