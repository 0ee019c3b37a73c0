"""The ``Annotated`` dependencies of the routes.

``ServiceDep`` is the ``Service``. ``allowed(permission, action)`` is the guard of an
operation: it authenticates the bearer key, checks the role has ``permission`` (401/403
otherwise, both logged) and, around the handler, writes the access-log entry of the
operation: when the handler succeeds, before the answer leaves (it waits until the entry is
durable; if it cannot be written the client gets a 503 instead of the data), and when the
handler fails, with the status it failed with. ``audit=False`` is for operations that are not
reads (ingest: the ledger itself records it) or that only poll.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from commsledger.access.auth import Caller
from commsledger.serve.service import Service
from commsledger.serve.statuses import status_for
from policies.roles import Permission

bearer = HTTPBearer(auto_error=False, description="An API key (`commsledger keys create`): `Bearer cl_...`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def get_service(request: Request) -> Service:
    """The service (a coroutine, so FastAPI calls it on the event loop: a plain function
    dependency costs a worker-thread hop per request)."""
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def allowed(permission: Permission | tuple[Permission, ...], action: str, *, audit: bool = True) -> Any:
    """The guard of an operation named ``action`` that needs ``permission`` (or any one of a
    tuple of them: the handler then checks ``caller.may`` for what it does)."""
    permissions = permission if isinstance(permission, tuple) else (permission,)

    async def guard(service: ServiceDep, credentials: Credentials) -> AsyncIterator[Caller]:
        # On the event loop: a key lookup is one indexed SQLite read, and the wait for the
        # access-log commit is awaited, so a request costs one worker-thread hop, not three.
        token = credentials.credentials if credentials is not None else None
        caller = service.auth.authorize(token, permissions, action)
        if not audit:
            yield caller
            return
        try:
            yield caller
        except Exception as exc:
            service.record_access(caller.access(status_for(exc)), wait=False)
            raise
        await service.record_access_async(caller.access(caller.status))

    guard.__name__ = f"allowed_{action.replace('.', '_')}"
    return Depends(guard, scope="function")
