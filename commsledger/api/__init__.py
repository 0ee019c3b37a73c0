"""The HTTP API (``/v1``, OpenAPI at ``/docs``): a thin shell over ``commsledger.service``.

- ``app``: ``create_app``, the factory (the service, routers, error handler, metrics).
- ``deps``: the ``Annotated`` dependencies: ``ServiceDep``, and ``allowed(permission,
  action)``, the guard that authenticates the key, checks its role and logs the access.
- ``schemas``: request/response models in families (``RecordIn``/``RecordOut``, ...).
- ``problems``: the one ``application/problem+json`` handler.
- one router per domain: ``communications``, ``ledger`` (checkpoints, verify), ``access``
  (the access log), ``keys`` (admin), ``health`` (``/healthz``, ``/metrics``).

Adding a route (e.g. ``GET /v1/search`` once search lands) takes a few lines::

    # commsledger/api/search.py
    router = APIRouter(prefix="/v1", tags=["search"])
    Searcher = Annotated[Caller, allowed(Permission.SEARCH_RUN, "search")]

    @router.get("/search", response_model=SearchOut, responses=errors(401, 403, 422, 503))
    def search(service: ServiceDep, caller: Searcher, text: str | None = None, subject: str | None = None,
               channel: str | None = None, limit: int = 20) -> dict[str, Any]:
        caller.asked({"channel": channel, "limit": limit}, personal={"text": text, "subject": subject})
        found = service.search(...)                    # a service function, never a query here
        caller.returned(r["id"] for r in found["results"])
        return found

then ``app.include_router(search.router)`` in ``app.routers``. The permission is named in
``policies/roles.py`` (``Permission``) and granted in ``policies/roles.yaml``; the guard
writes the access-log entry (key, role, time, action ``search``, status, the record ids
returned, the clear query and the sealed personal one) before the answer leaves. Holds and
retention runs are the same (``HOLDS_MANAGE``, ``RETENTION_RUN``/``RETENTION_PREVIEW``).
"""

from commsledger.api.app import create_app

__all__ = ["create_app"]
