"""Ledgix Python SDK: ask the Ledgix vault before an AI agent runs a sensitive tool.

import ledgix_python as ledgix

ledgix.configure(agent_id="support-agent")
ledgix.auto_instrument(tools)          # wraps the functions ledgix.yaml names
"""

from ._version import __version__
from .client import LedgixClient
from .config import VaultConfig
from .exceptions import (
    ClearanceDeniedError,
    EditedArgsError,
    LedgixError,
    ManualReviewTimeoutError,
    PolicyRegistrationError,
    QueueSaturatedError,
    ReplayDetectedError,
    ReviewPendingError,
    TokenVerificationError,
    VaultConnectionError,
    VaultStatusError,
    WebhookVerificationError,
)
from .instrument import (
    VaultContext,
    auto_instrument,
    configure,
    current_clearance,
    current_token,
    enforce,
    get_client,
    tool,
    vault_enforce,
)
from .manifest import Manifest, ManifestRule, load_manifest
from .models import (
    ClearanceRequest,
    ClearanceResponse,
    ConsistencyProof,
    InclusionProof,
    LedgerCheckpoint,
    LedgerEntry,
    LedgerKeyVersion,
    LedgerManifest,
    LedgerProofBundle,
    LedgerVerificationResult,
    PolicyRegistration,
    PolicyRegistrationResponse,
)
from .pending import PendingApproval
from .standard_webhook import WebhookReplayStore, WebhookVerifier
from .tokens import tool_args_hash
from .webhook import verify_webhook

__all__ = [
    "ClearanceDeniedError",
    "ClearanceRequest",
    "ClearanceResponse",
    "ConsistencyProof",
    "EditedArgsError",
    "InclusionProof",
    "LedgerCheckpoint",
    "LedgerEntry",
    "LedgerKeyVersion",
    "LedgerManifest",
    "LedgerProofBundle",
    "LedgerVerificationResult",
    "LedgixClient",
    "LedgixError",
    "Manifest",
    "ManifestRule",
    "ManualReviewTimeoutError",
    "PendingApproval",
    "PolicyRegistration",
    "PolicyRegistrationError",
    "PolicyRegistrationResponse",
    "QueueSaturatedError",
    "ReplayDetectedError",
    "ReviewPendingError",
    "TokenVerificationError",
    "VaultConfig",
    "VaultConnectionError",
    "VaultContext",
    "VaultStatusError",
    "WebhookReplayStore",
    "WebhookVerificationError",
    "WebhookVerifier",
    "__version__",
    "auto_instrument",
    "configure",
    "current_clearance",
    "current_token",
    "enforce",
    "get_client",
    "load_manifest",
    "tool",
    "tool_args_hash",
    "vault_enforce",
    "verify_webhook",
]
