"""The shared manifest vectors (sdk/manifest-vectors.json), run by the TypeScript SDK's tests
too, and the shared ledgix.yaml (sdk/fixtures/shared-manifest) that both SDKs must read alike."""

from __future__ import annotations

import json
import re
import types
from pathlib import Path
from typing import Any

import pytest

import ledgix_python as ledgix
from ledgix_python import Manifest

SDK_DIR = Path(__file__).resolve().parents[3]
VECTORS = json.loads((SDK_DIR / "manifest-vectors.json").read_text(encoding="utf-8"))
SHARED = SDK_DIR / "fixtures" / "shared-manifest"


def load(vector: dict[str, Any], tmp_path: Path) -> Manifest:
    """A YAML vector is read from a file, as an agent's ledgix.yaml is; a JSON value as an inline manifest."""
    if "yaml" not in vector:
        return ledgix.load_manifest(vector["manifest"])
    file = tmp_path / "ledgix.yaml"
    file.write_text(vector["yaml"], encoding="utf-8")
    return ledgix.load_manifest(file)


@pytest.mark.parametrize("vector", VECTORS["globs"], ids=lambda v: f"{v['glob']}~{v['name']}")
def test_glob_vectors(vector: dict[str, Any]) -> None:
    rule = ledgix.ManifestRule(tool=vector["glob"])
    assert rule.matches(vector["name"]) is vector["want"], vector["desc"]


@pytest.mark.parametrize("vector", VECTORS["manifests"], ids=lambda v: v["desc"])
def test_manifest_vectors(vector: dict[str, Any], tmp_path: Path) -> None:
    manifest = load(vector, tmp_path)
    matched = {name: manifest.match(name) for name in vector["want"]}
    want = {name: None if index is None else manifest.rules[index] for name, index in vector["want"].items()}
    assert matched == want


@pytest.mark.parametrize("vector", VECTORS["invalid"], ids=lambda v: v["desc"])
def test_invalid_manifest_vectors(vector: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=re.escape(f" at {vector['want_err']}: ")):
        load(vector, tmp_path)


def test_the_shared_manifest_instruments_what_typescript_instruments(monkeypatch: pytest.MonkeyPatch) -> None:
    functions: dict[str, str | None] = json.loads((SHARED / "expected.json").read_text())["functions"]
    toolbox = types.ModuleType("shared_toolbox")
    exec("\n".join(f"def {name}(): return {name!r}" for name in functions), toolbox.__dict__)
    monkeypatch.chdir(SHARED)  # discovery, as an agent started beside its ledgix.yaml
    wrapped = ledgix.auto_instrument(toolbox)
    manifest = ledgix.load_manifest()
    got = {}
    for name in functions:
        rule = manifest.match(name)
        got[name] = rule.policy_id if f"shared_toolbox.{name}" in wrapped and rule is not None else None
    assert got == functions
