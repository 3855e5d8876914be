"""deploy/z2jh/config.yaml against the Zero to JupyterHub chart's own schema, without a cluster.

helm merges a user's values over the chart's values.yaml (maps key by key, anything else
replaced, null deletes) and validates the result against values.schema.yaml (JSON Schema
draft-07). Both files are kept in deploy/z2jh/chart-<version>/ since no package ships them.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "z2jh" / "chart-4.4.0"
CONFIG = ROOT / "deploy" / "z2jh" / "config.yaml"


def helm_merge(base, override):
    """values.yaml with the user's values merged over it, as helm does."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return copy.deepcopy(override)
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@pytest.fixture(scope="module")
def chart():
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text(encoding="utf-8"))
    assert schema.get("$schema") == "http://json-schema.org/draft-07/schema#"
    return values, jsonschema.Draft7Validator(schema)


@pytest.fixture
def config():
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


def problems(chart, config) -> list[str]:
    values, validator = chart
    merged = helm_merge(values, config)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(merged)]


def test_the_class_config_is_valid_for_the_chart(chart, config):
    assert problems(chart, config) == []


def test_the_class_config_sets_what_a_class_needs(config):
    singleuser = config["singleuser"]
    assert singleuser["defaultUrl"] == "/lab"
    assert singleuser["image"]["name"] and singleuser["image"]["tag"]
    assert singleuser["memory"]["guarantee"] and singleuser["memory"]["limit"]
    assert config["cull"]["enabled"] is True and config["cull"]["timeout"] > 0
    assert config["hub"]["config"]["JupyterHub"]["authenticator_class"]
    # the image is built by repo2docker from binder/, on the class branch the README links
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    branch = re.search(r"https://YOUR-HUB/\S*?branch=([^&\s]+)", readme).group(1)
    assert f"--ref {branch}" in CONFIG.read_text(encoding="utf-8")


@pytest.mark.parametrize("change, where", [
    ({"singleuser": {"defaultURL": "/lab"}}, "singleuser"),           # a misspelt key
    ({"cull": {"timeout": "an hour"}}, "cull.timeout"),               # a string for a number
    ({"singleuser": {"image": {"name": "x", "tag": 1}}}, "singleuser.image.tag"),
    ({"hub": {"config": {"jupyterhub": {"admin_access": True}}}}, "hub.config"),  # lower case
])
def test_a_bad_key_or_type_is_rejected(chart, config, change, where):
    found = problems(chart, helm_merge(config, change))
    assert found, f"{change} passed the schema"
    assert any(p.split(":")[0] == where for p in found), found


def test_helm_merge_replaces_lists_and_deletes_with_null():
    base = {"a": {"b": [1, 2], "c": 1, "d": 2}}
    assert helm_merge(base, {"a": {"b": [3], "d": None}}) == {"a": {"b": [3], "c": 1}}
