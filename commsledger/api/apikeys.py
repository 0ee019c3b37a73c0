"""API keys, for the ``admin`` role: create (the key is shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from commsledger.access.auth import Caller
from commsledger.api.deps import ServiceDep, allowed
from commsledger.api.openapi import errors
from commsledger.api.schemas import KeyCreatedOut, KeyIn, KeysOut, RevokedOut
from policies.roles import Permission

router = APIRouter(prefix="/v1", tags=["keys"])

Lister = Annotated[Caller, allowed(Permission.KEYS_MANAGE, "keys.list")]
Creator = Annotated[Caller, allowed(Permission.KEYS_MANAGE, "keys.create")]
Revoker = Annotated[Caller, allowed(Permission.KEYS_MANAGE, "keys.revoke")]


@router.get("/keys", response_model=KeysOut, responses=errors(401, 403, 503))
def list_keys(service: ServiceDep, caller: Lister) -> dict[str, Any]:
    return {"keys": [k.to_json() for k in service.keys.list()]}


@router.post(
    "/keys", status_code=201, response_model=KeyCreatedOut, responses=errors(400, 401, 403, 409, 422, 503)
)
def create_key(key: KeyIn, service: ServiceDep, caller: Creator) -> dict[str, Any]:
    """A new key for a role; the answer is the only time the key is shown."""
    caller.asked({"name": key.name, "role": str(key.role)})
    secret = service.keys.create(key.name, key.role, key.expires)
    caller.status = 201
    return {"key": secret, "name": key.name, "role": key.role}


@router.delete("/keys/{name}", response_model=RevokedOut, responses=errors(401, 403, 404, 422, 503))
def revoke_key(
    name: Annotated[str, Path(max_length=64)], service: ServiceDep, caller: Revoker
) -> dict[str, Any]:
    """Revoke a key at once (it stays listed, as revoked)."""
    caller.asked({"name": name})
    return {"revoked": service.keys.revoke(name).name}
