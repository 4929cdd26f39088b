"""Witness cosignatures on a checkpoint note (c2sp.org/tlog-cosignature, Ed25519 cosignature/v1).

A witness cosigns a log's checkpoint only if it extends every checkpoint of that log it saw
before, so cosignatures by witnesses you trust show that the vault serves one history to
everyone. The same rules as the TypeScript SDK's `cosignatures.ts`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

COSIGNATURE_V1 = 0x04
SIGNATURE_PREFIX = "\u2014 "


@dataclass(frozen=True)
class WitnessKey:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey


@dataclass(frozen=True)
class CheckpointNote:
    body: str
    origin: str
    tree_size: int
    root_hash: str
    signatures: list[tuple[str, bytes]]


def _strict_base64(text: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"not standard base64: {text[:20]!r}") from error
    if base64.b64encode(raw).decode() != text:
        raise ValueError(f"not standard base64: {text[:20]!r}")
    return raw


def parse_witness_key(vkey: str) -> WitnessKey:
    """`<name>+<hex key id>+base64(0x04 || Ed25519 key)`, with its key id checked."""
    name, _, rest = vkey.strip().partition("+")
    key_id, _, typed = rest.partition("+")
    if not name or any(c.isspace() for c in name) or len(key_id) != 8 or not typed:
        raise ValueError(f"not a witness verifier key <name>+<key id>+<key>: {vkey!r}")
    key = _strict_base64(typed)
    if len(key) != 33 or key[0] != COSIGNATURE_V1:
        raise ValueError(f"witness key {name} is not an Ed25519 cosignature/v1 key (type 0x04, 32 bytes)")
    computed = hashlib.sha256(f"{name}\n".encode() + key).digest()[:4]
    if computed.hex() != key_id:
        raise ValueError(f"witness key {name}: key id {key_id} is not the hash of its key ({computed.hex()})")
    return WitnessKey(name, computed, Ed25519PublicKey.from_public_bytes(key[1:]))


def parse_note(note: str) -> CheckpointNote:
    """A signed note (c2sp.org/signed-note) with a c2sp.org/tlog-checkpoint body."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise ValueError("not a signed note")
    body = note[: split + 1]
    signatures: list[tuple[str, bytes]] = []
    for line in note[split + 2 : -1].split("\n"):
        fields = line[len(SIGNATURE_PREFIX) :].split(" ") if line.startswith(SIGNATURE_PREFIX) else []
        if len(fields) != 2 or not fields[0]:
            raise ValueError(f"malformed signature line {line!r}")
        signatures.append((fields[0], _strict_base64(fields[1])))
    lines = body.split("\n")
    if len(lines) < 4 or not lines[0] or not lines[1].isdigit() or (lines[1] != "0" and lines[1].startswith("0")):
        raise ValueError("a checkpoint has an origin, a decimal tree size and a root hash line")
    root = _strict_base64(lines[2])
    if len(root) != 32:
        raise ValueError("the root hash is not 32 bytes")
    return CheckpointNote(body, lines[0], int(lines[1]), root.hex(), signatures)


def cosigners(note: CheckpointNote, witnesses: Sequence[WitnessKey]) -> list[str]:
    """The witnesses with a valid cosignature on the note. One that names a witness and its
    key id but does not verify is an error; signatures by other keys are ignored."""
    found: list[str] = []
    for witness in witnesses:
        for name, raw in note.signatures:
            if name != witness.name or raw[:4] != witness.key_id:
                continue
            if len(raw) != 76:
                raise ValueError(f"the cosignature by {name} is not 76 bytes")
            timestamp = int.from_bytes(raw[4:12], "big")
            message = f"cosignature/v1\ntime {timestamp}\n{note.body}".encode()
            try:
                witness.public_key.verify(raw[12:], message)
            except InvalidSignature as error:
                raise ValueError(f"the cosignature by {name} does not verify") from error
            found.append(name)
            break
    return found
