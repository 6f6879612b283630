"""The directory YAML read by libyaml's loader is the document the pure-Python loader reads."""

from collections.abc import Callable
from importlib import resources

import pytest
import yaml

from hoiam_router.directory_yaml import BUNDLED, parse


def test_the_fast_loader_reads_the_bundled_directory_as_safe_load_does() -> None:
    text = resources.files("hoiam_router").joinpath(BUNDLED).read_text("utf-8")

    assert parse(text) == yaml.safe_load(text)


@pytest.mark.parametrize("load", [parse, yaml.safe_load], ids=["parse", "safe_load"])
def test_the_fast_loader_refuses_python_objects_as_safe_load_does(
    load: Callable[[str], object],
) -> None:
    with pytest.raises(yaml.constructor.ConstructorError, match="python/object"):
        load("!!python/object/apply:os.system ['true']")
