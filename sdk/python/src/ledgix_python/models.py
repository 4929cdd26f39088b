"""Request and response bodies of the vault API (wire protocol §3, §5, §6), snake_case as on the wire."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, computed_field, field_validator

ConfidenceBucket = Literal["extra_high", "high", "medium", "low", "none"]
DecisionStatus = Literal["approved", "denied", "approved_pending_review"]
ClearanceStatus = Literal["processing", "pending_review", "approved", "denied"]
PENDING_STATUSES = frozenset({"processing", "pending_review"})


class ClearanceRequest(BaseModel):
    """A tool call to clear. `agent_id` / `session_id` left unset come from the active
    `VaultContext`, else the client's configuration."""

    tool_name: str
    tool_args: dict[str, Any] = Field(default_factory=dict)
    agent_id: str | None = None
    session_id: str | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    human_principal: str | None = None
    parent_jti: str | None = None
    destination_uri: str | None = None
    destination_provider: str | None = None
    destination_account_ref: str | None = None
    data_categories: list[str] | None = None
    purpose: str | None = None
    processing_register_ref: str | None = None
    dataset_ref: str | None = None


class ClearanceResponse(BaseModel):
    """The vault's answer; also what `GET /clearance-status/{request_id}` returns."""

    status: str = "denied"
    decision_status: DecisionStatus = "denied"
    requires_manual_review: bool = False
    token: str | None = None
    reason: str = ""
    request_id: str = ""
    confidence_bucket: ConfidenceBucket = "none"
    minimum_confidence_bucket: ConfidenceBucket = "high"
    policy_version_id: str | None = None
    policy_content_hash: str | None = None
    reason_code: str | None = None
    tool_args: dict[str, Any] | None = None
    """The arguments the approval covers (status answers): a reviewer's edit, else the ones the
    agent asked with; None when the vault did not say."""
    args_edited: bool = False
    """True when a reviewer edited the arguments before approving: the token binds `tool_args`."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def approved(self) -> bool:
        """True when the agent may run the tool now."""
        return self.status == "approved" and self.decision_status == "approved"

    @property
    def is_approved(self) -> bool:
        """True when the policy permits the action (`approved` or `approved_pending_review`)."""
        return self.decision_status in ("approved", "approved_pending_review")

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES


class PolicyRegistration(BaseModel):
    """A plain-English policy for `POST /register-policy`."""

    policy_id: str
    description: str = ""
    rules: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)


class PolicyRegistrationResponse(BaseModel):
    policy_id: str
    status: str = "registered"
    message: str = ""


def _empty_if_null(value: Any, empty: Any) -> Any:
    return empty if value is None else value


class LedgerEntry(BaseModel):
    """One decision in the tenant's ledger (§6.2)."""

    model_config = ConfigDict(populate_by_name=True)

    seq: int
    event_uuid: str
    request_id: str
    agent_id: str = ""
    policy_id: str = ""
    intent_hash: str = ""
    tool_name: str
    tool_args: dict[str, Any] = Field(default_factory=dict)
    reason: str = ""
    citations: list[Any] = Field(default_factory=list)
    evidence_chunks: list[Any] = Field(default_factory=list)
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    approved: bool = False
    confidence_bucket: ConfidenceBucket | None = None
    decision_status: DecisionStatus | None = None
    rule_set_hash: str | None = None
    matched_rule_ids: list[str] | None = None
    eval_inputs_hash: str | None = None
    eval_trace_hash: str | None = None
    classifier_label: str | None = None
    classifier_confidence_bucket: str | None = None
    approved_args_hash: str = ""
    """Set only on an approval whose arguments a reviewer edited: hex SHA-256 of the JCS form of
    the approved arguments (`tool_args` and `intent_hash` stay the request's)."""
    policy_version_id: str = ""
    policy_content_hash: str = ""
    accepted_at: str = Field(validation_alias=AliasChoices("accepted_at", "decided_at"))
    canonical_version: int = 1
    event_hash: str
    leaf_hash: str
    leaf_index: int | None = None
    checkpoint_id: int | None = None
    receipt_algorithm: str = Field(
        default="", validation_alias=AliasChoices("receipt_algorithm", "signature_algorithm")
    )
    receipt_key_id: str = Field(default="", validation_alias=AliasChoices("receipt_key_id", "signer_key_id"))
    receipt_signature: str = Field(default="", validation_alias=AliasChoices("receipt_signature", "row_signature"))
    receipt_payload: str = ""

    @field_validator("tool_args", mode="before")
    @classmethod
    def _null_args(cls, value: Any) -> Any:
        return _empty_if_null(value, {})

    @field_validator("citations", "evidence_chunks", mode="before")
    @classmethod
    def _null_lists(cls, value: Any) -> Any:
        return _empty_if_null(value, [])

    @field_validator("policy_version_id", "policy_content_hash", "approved_args_hash", mode="before")
    @classmethod
    def _null_strings(cls, value: Any) -> Any:
        return _empty_if_null(value, "")


class LedgerCheckpoint(BaseModel):
    """A signed checkpoint over the tenant's Merkle tree (§6.3)."""

    model_config = ConfigDict(populate_by_name=True)

    checkpoint_id: int
    microblock_id: int = 0
    tree_size: int
    root_hash: str = Field(validation_alias=AliasChoices("root_hash", "head_row_hash"))
    checkpoint_hash: str = Field(validation_alias=AliasChoices("checkpoint_hash", "manifest_hash"))
    prev_checkpoint_hash: str = Field(
        default="", validation_alias=AliasChoices("prev_checkpoint_hash", "prev_manifest_hash")
    )
    signature_algorithm: str = ""
    signer_key_id: str = ""
    checkpoint_signature: str = Field(
        default="", validation_alias=AliasChoices("checkpoint_signature", "manifest_signature")
    )
    checkpoint_payload: str = Field(default="", validation_alias=AliasChoices("checkpoint_payload", "manifest_payload"))
    signed_at: str = Field(validation_alias=AliasChoices("signed_at", "generated_at", "period_start"))
    mmd_seconds: int = 30
    export_target: str = ""
    export_uri: str = ""
    export_status: str = ""
    exported_at: str | None = None


LedgerManifest = LedgerCheckpoint


class LedgerKeyVersion(BaseModel):
    """A ledger signing key embedded in a proof bundle (§6.4)."""

    key_id: str
    algorithm: str
    public_jwk: str = ""
    active_from: str
    retired_at: str | None = None
    attestation_payload: str = ""
    attestation_signature: str = ""
    attestation_key_id: str = ""
    attestation_status: str = ""


class InclusionProof(BaseModel):
    event_uuid: str
    request_id: str
    event_hash: str
    leaf_hash: str
    leaf_index: int
    tree_size: int
    path: list[str] = Field(default_factory=list)
    checkpoint: LedgerCheckpoint


class ConsistencyProof(BaseModel):
    from_checkpoint: LedgerCheckpoint
    to_checkpoint: LedgerCheckpoint
    path: list[str] = Field(default_factory=list)


class LedgerProofBundle(BaseModel):
    """Everything needed to check one decision offline."""

    event: LedgerEntry
    inclusion: InclusionProof
    consistency: ConsistencyProof | None = None
    keys: list[LedgerKeyVersion] = Field(default_factory=list)
    # The newest checkpoint as a C2SP signed note, with the witness cosignatures it has.
    checkpoint_note: str | None = None


class LedgerVerificationResult(BaseModel):
    """Outcome of a ledger verification; `failed_check` names the first check that failed
    (`event_hash`, `leaf_hash`, `receipt_payload`, `inclusion_proof`, ...)."""

    intact: bool
    verified_entries: int = 0
    verified_checkpoints: int = 0
    verified_manifests: int = 0
    latest_leaf_hash: str | None = None
    latest_checkpoint_hash: str | None = None
    latest_manifest_hash: str | None = None
    coverage_note: str | None = None
    error: str | None = None
    failed_check: str | None = None
