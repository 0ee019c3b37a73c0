"""The HTTP API (``/v1``, OpenAPI at ``/docs``): a thin shell over ``commsledger.serve.service``.

- ``app``: ``create_app``, the factory (the service, routers, error handler, metrics).
- ``deps``: the ``Annotated`` dependencies: ``ServiceDep``, and ``allowed(permission,
  action)``, the guard that authenticates the key, checks its role and logs the access.
- ``schemas``: request/response models in families (``RecordIn``/``RecordOut``, ...).
- ``problems``: the one ``application/problem+json`` handler.
- one router per domain: ``communications``, ``ledger`` (checkpoints, verify), ``access``
  (the access log), ``search``, ``retention`` (holds, disposition runs), ``apikeys``
  (admin), ``health`` (``/healthz``, ``/metrics``).

Adding a route takes a few lines; ``GET /v1/search`` reads::

    # commsledger/api/search.py
    router = APIRouter(prefix="/v1", tags=["search"])
    Searcher = Annotated[Caller, allowed(Permission.SEARCH_RUN, "search")]

    @router.get("/search", response_model=SearchOut, responses=errors(401, 403, 422, 503))
    def search(service: ServiceDep, caller: Searcher, text: str | None = None,
               subject: str | None = None, channel: str | None = None, limit: int = 20) -> dict[str, Any]:
        caller.asked({"channel": channel, "limit": limit}, personal={"text": text, "subject": subject})
        found = service.search(...)            # a service function; no query logic in the route
        caller.subject = found.get("pseudonym")  # the person searched for, so erasure finds it
        caller.returned(r["id"] for r in found["results"])
        return found

then add ``search.router`` to ``routers`` in ``commsledger/api/app.py``, and the route to the
table of ``tests/commsledger/api/test_role_table.py`` (which fails until every route is in
it). The permission is named in ``policies/roles.py`` (``Permission``) and granted in
``policies/roles.yaml``; the guard writes the access-log entry (key, role, time, action
``search``, status, the record ids returned, the clear query and the sealed personal one)
before the answer leaves. Holds are the same (``HOLDS_MANAGE``). An operation open to
several permissions names them all: a retention run is guarded by
``allowed((Permission.RETENTION_PREVIEW, Permission.RETENTION_RUN), "retention.run")`` and
raises ``Forbidden`` unless ``dry_run or caller.may(Permission.RETENTION_RUN)``. A route
that is not a read (a write the ledger records itself) passes ``audit=False``: only its
refusals are logged.
"""

from commsledger.api.app import create_app

__all__ = ["create_app"]
