"""The names of subject requests: their types, statuses, the ledger entry kinds of their
steps, and the grounds and methods a step records in clear (codes, never free text)."""

from __future__ import annotations

from enum import StrEnum

PREFIX = "subject_request."


class RequestType(StrEnum):
    ACCESS = "access"  # Art. 15
    ERASURE = "erasure"  # Art. 17


class Status(StrEnum):
    RECEIVED = "received"
    IDENTITY_PENDING = "identity_pending"
    IN_PROGRESS = "in_progress"
    AWAITING_APPROVAL = "awaiting_approval"
    COMPLETED = "completed"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


OPEN = frozenset({Status.RECEIVED, Status.IDENTITY_PENDING, Status.IN_PROGRESS, Status.AWAITING_APPROVAL})


class Step(StrEnum):
    """The ledger entry kinds of a request's steps."""

    RECEIVED = PREFIX + "received"  # {request, type, received, identifiers, verified, ref?, sealed}
    VERIFIED = PREFIX + "verified"  # {request, verified: [positions], method}
    PAUSED = PREFIX + "paused"  # {request, ground, on, sealed?}
    RESUMED = PREFIX + "resumed"  # {request, on}
    EXTENDED = PREFIX + "extended"  # {request, months, ground, sealed?}
    MATCHED = PREFIX + "matched"  # {request, subjects, records, counts}
    COMPLETED = PREFIX + "completed"  # {request, outcome}
    REFUSED = PREFIX + "refused"  # {request, ground, sealed?}
    WITHDRAWN = PREFIX + "withdrawn"  # {request, sealed?}


class PauseGround(StrEnum):
    IDENTITY = "identity"  # waiting for proof of identity (the clock starts on receipt of it)
    SCOPE = "scope"  # clarifying what is asked for (large amounts of data only)
    AUTHORITY = "authority"  # waiting for a third party's authority to act


class ExtensionGround(StrEnum):
    COMPLEX = "complex"
    SEVERAL_REQUESTS = "several_requests"


class RefusalGround(StrEnum):
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"  # Art. 12(5)
    EXCESSIVE = "excessive"  # Art. 12(5)
    IDENTITY_NOT_VERIFIED = "identity_not_verified"  # Art. 12(6)
    EXEMPTION = "exemption"  # DPA 2018 Sch. 2-4


class VerifyMethod(StrEnum):
    ACCOUNT_LOGIN = "account_login"
    KNOWN_CONTACT = "known_contact"  # answered from a contact detail already on file
    DOCUMENT = "document"  # an identity document seen (and not kept)
    OTHER = "other"
