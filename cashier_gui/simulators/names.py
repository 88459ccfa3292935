"""The Viopay simulator's public training values and fault names, without its server: the
command line builds its options from them without importing aiohttp on every start."""

from __future__ import annotations

TRAINING_HMAC_SECRET = "training-hmac-secret-not-for-real-money"  # noqa: S105
TRAINING_MSK_HEX = "545241494E494E472D4D534B2D4E4F542D464F522D5245414C2D4D4F4E455921"
TRAINING_KEY_ID = "hmac-key-training"
TRAINING_TERMINAL_ID = "TRAIN-001"

#: Planned faults, one per refund request, in the order they are pushed.
FAULT_KINDS = (
    "error500",  # answer 500 without committing
    "error500_after_commit",  # commit, then answer 500
    "drop_after_commit",  # commit, then close the connection without an answer
    "drop_before_commit",  # close the connection without committing
    "timeout",  # commit, then wait longer than any client (Faults.hang_seconds)
    "decline",  # the issuer declines this refund
    "pending",  # the refund stays pending until it settles
)
