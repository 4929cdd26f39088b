"""Witness cosignatures (c2sp.org/tlog-cosignature, Ed25519 cosignature/v1) on a bundle's
checkpoint note, made by a reference cosigner written from the spec."""

from __future__ import annotations

import base64
import copy
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledgix_python import LedgerProofBundle
from ledgix_python.ledger.verify import verify_bundle
from ledgix_python.ledger.witnesses import parse_witness_key

from ..conftest import protocol_file

BUNDLE = protocol_file("test-vectors.json")["bundle"]
NEWEST = BUNDLE["consistency"]["to_checkpoint"]


class Witness:
    def __init__(self, name: str) -> None:
        self.name = name
        self.key = Ed25519PrivateKey.generate()
        typed = b"\x04" + self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = hashlib.sha256(f"{name}\n".encode() + typed).digest()[:4]
        self.vkey = f"{name}+{self.key_id.hex()}+{base64.b64encode(typed).decode()}"

    def cosign(self, body: str, time: int = 1_765_000_000) -> str:
        signature = self.key.sign(f"cosignature/v1\ntime {time}\n{body}".encode())
        raw = self.key_id + time.to_bytes(8, "big") + signature
        return f"\u2014 {self.name} {base64.b64encode(raw).decode()}\n"


def body_of(tree_size: int, root_hash: str) -> str:
    return f"ledgix.local/ten_test\n{tree_size}\n{base64.b64encode(bytes.fromhex(root_hash)).decode()}\n"


BODY = body_of(NEWEST["tree_size"], NEWEST["root_hash"])
# The log's own signature line: not checked here (the checkpoint itself is), only parsed.
LOG_LINE = f"\u2014 ledgix.local/ten_test {base64.b64encode(bytes(68)).decode()}\n"
W1, W2 = Witness("witness.example/w1"), Witness("witness.example/w2")


def with_note(note: str) -> LedgerProofBundle:
    return LedgerProofBundle.model_validate({**copy.deepcopy(BUNDLE), "checkpoint_note": note})


def flipped(line: str) -> str:
    prefix, encoded = line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 1
    return f"{prefix} {base64.b64encode(bytes(raw)).decode()}\n"


def test_a_witness_key_is_parsed_and_its_key_id_checked() -> None:
    assert parse_witness_key(W1.vkey).name == "witness.example/w1"
    name, _, key = W1.vkey.split("+", 2)
    with pytest.raises(ValueError, match="is not the hash of its key"):
        parse_witness_key(f"{name}+00000000+{key}")


@pytest.mark.parametrize(
    ("desc", "note", "witnesses", "minimum", "failed_check"),
    [
        ("one of one", f"{BODY}\n{LOG_LINE}{W1.cosign(BODY)}", [W1.vkey], 1, None),
        (
            "default minimum: all given",
            f"{BODY}\n{LOG_LINE}{W1.cosign(BODY)}{W2.cosign(BODY)}",
            [W1.vkey, W2.vkey],
            None,
            None,
        ),
        ("another witness's cosignature", f"{BODY}\n{LOG_LINE}{W2.cosign(BODY)}", [W1.vkey], 1, "witness_cosignatures"),
        ("too few", f"{BODY}\n{LOG_LINE}{W1.cosign(BODY)}", [W1.vkey, W2.vkey], None, "witness_cosignatures"),
        ("a flipped bit", f"{BODY}\n{LOG_LINE}{flipped(W1.cosign(BODY))}", [W1.vkey], 1, "witness_cosignatures"),
        ("a minimum without witnesses", f"{BODY}\n{LOG_LINE}", [], 1, "witness_cosignatures"),
        ("a note of another tree", f"{body_of(1, NEWEST['root_hash'])}\n{LOG_LINE}", [W1.vkey], 1, "checkpoint_note"),
        ("no note", "", [W1.vkey], 1, "checkpoint_note"),
    ],
)
def test_bundles_need_the_cosignatures_asked_for(
    desc: str, note: str, witnesses: list[str], minimum: int | None, failed_check: str | None
) -> None:
    result = verify_bundle(with_note(note), {}, witnesses, minimum)
    assert result.failed_check == failed_check, f"{desc}: {result.error}"
    assert result.intact is (failed_check is None)


def test_without_witnesses_the_note_is_not_required() -> None:
    assert verify_bundle(with_note(""), {}).intact


def test_a_pinned_origin_must_be_the_notes() -> None:
    note = with_note(f"{BODY}\n{LOG_LINE}{W1.cosign(BODY)}")
    assert verify_bundle(note, {}, [W1.vkey], 1, "ledgix.local/ten_test").intact
    other = verify_bundle(note, {}, [W1.vkey], 1, "ledgix.local/ten_other")
    assert other.failed_check == "checkpoint_note", other.error
