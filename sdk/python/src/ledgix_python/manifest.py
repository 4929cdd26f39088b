"""Enforcement manifests: ordered `enforce: [{tool: <glob>, policy_id: ..., context: {...}}]`
rules; the first rule whose glob matches a function name applies."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_FILENAMES = ("ledgix.yaml", "ledgix.yml", "ledgix.json")


@dataclass(frozen=True)
class ManifestRule:
    tool: str
    policy_id: str | None = None
    context: dict[str, Any] = field(default_factory=dict)

    def matches(self, name: str) -> bool:
        return fnmatch.fnmatchcase(name, self.tool)


@dataclass
class Manifest:
    rules: list[ManifestRule]
    source: str = "<inline>"

    def match(self, name: str) -> ManifestRule | None:
        """The first rule whose glob matches `name`."""
        return next((rule for rule in self.rules if rule.matches(name)), None)


def load_manifest(source: str | Path | Mapping[str, Any] | Manifest | None = None) -> Manifest:
    """A manifest from a file, a dict, or (None) the first of ledgix.yaml, ledgix.yml,
    ledgix.json in the working directory. YAML needs `ledgix-python[yaml]`."""
    if isinstance(source, Manifest):
        return source
    if isinstance(source, Mapping):
        return _parse(source, "<inline>")
    path = _discover() if source is None else Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"Ledgix manifest not found: {path}")
    return _parse(_read(path), str(path))


def _discover() -> Path:
    for name in MANIFEST_FILENAMES:
        candidate = Path.cwd() / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"No Ledgix manifest in {Path.cwd()}: create one of {', '.join(MANIFEST_FILENAMES)}")


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError as error:
            raise ImportError("YAML manifests need PyYAML: pip install 'ledgix-python[yaml]'") from error
        return yaml.safe_load(text) or {}
    if path.suffix == ".json":
        return json.loads(text)
    raise ValueError(f"Unsupported manifest format {path.suffix!r}: use .yaml, .yml or .json")


def _parse(data: Any, source: str) -> Manifest:
    if not isinstance(data, Mapping) or not isinstance(data.get("enforce", []), list):
        raise ValueError(f"{source}: a manifest is a mapping with an `enforce` list")
    rules = []
    for index, entry in enumerate(data.get("enforce", [])):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("tool"), str):
            raise ValueError(f"{source}: enforce[{index}] needs a `tool` glob")
        context = entry.get("context") or {}
        if not isinstance(context, Mapping):
            raise ValueError(f"{source}: enforce[{index}].context must be a mapping")
        rules.append(ManifestRule(tool=entry["tool"], policy_id=entry.get("policy_id"), context=dict(context)))
    return Manifest(rules=rules, source=source)
