"""Enforcement manifests (docs/manifest.md, shared with the TypeScript SDK): ordered
`enforce: [{tool: <glob>, policy_id: ..., context: {...}}]` rules; the first rule whose glob
matches a function name applies."""

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
        loaded = yaml.safe_load(text)
        return {} if loaded is None else loaded
    if path.suffix == ".json":
        return json.loads(text)
    raise ValueError(f"Unsupported manifest format {path.suffix!r}: use .yaml, .yml or .json")


_RULE_FIELDS = ("tool", "policy_id", "context")


def _parse(data: Any, source: str) -> Manifest:
    """Checks a manifest field by field; the error names the source and the field, as the
    TypeScript SDK's does (docs/manifest.md)."""

    def fail(at: str, problem: str) -> ValueError:
        return ValueError(f"Invalid manifest {source} at {at}: {problem}")

    if not isinstance(data, Mapping):
        raise fail("(top level)", "a manifest is a mapping with an `enforce` list")
    for key in data:
        if key != "enforce":
            raise fail(str(key), "unknown field (the only one is `enforce`)")
    entries = data.get("enforce", [])
    if not isinstance(entries, list):
        raise fail("enforce", "must be a list of rules")
    rules = []
    for index, entry in enumerate(entries):
        at = f"enforce[{index}]"
        if not isinstance(entry, Mapping):
            raise fail(at, "a rule is a mapping with a `tool` glob")
        for key in entry:
            if key not in _RULE_FIELDS:
                raise fail(f"{at}.{key}", "unknown field (tool, policy_id, context)")
        tool = entry.get("tool")
        if not isinstance(tool, str) or not tool:
            raise fail(f"{at}.tool", "must be a non-empty string (a glob on the function name)")
        policy_id = entry.get("policy_id")
        if "policy_id" in entry and (not isinstance(policy_id, str) or not policy_id):
            raise fail(f"{at}.policy_id", "must be a non-empty string")
        context = entry.get("context", {})
        if not isinstance(context, Mapping):
            raise fail(f"{at}.context", "must be a mapping")
        rules.append(ManifestRule(tool=tool, policy_id=policy_id, context=dict(context)))
    return Manifest(rules=rules, source=source)
