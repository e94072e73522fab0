from __future__ import annotations

import yaml

from scaling_forecast.settings import DEFAULTS

from ..conftest import ROOT


def test_configs_default_yaml_mirrors_the_built_in_defaults() -> None:
    shipped = yaml.safe_load((ROOT / "configs" / "default.yaml").read_text())
    assert shipped == DEFAULTS
