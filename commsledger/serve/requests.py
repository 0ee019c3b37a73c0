"""Subject requests in the service (``Service.requests``): the operations behind
``/v1/subject-requests``, long work (a bundle, an erasure) as background jobs with progress,
and the gauges ``/metrics`` shows for requests past or near their due date.

Steps go through the one writer behind the gate. A bundle is built from a read-only register
of its own (reading many records must not hold the writer), to
``<data>/exports/subject-requests/<id>.zip``, which the download serves and an erasure of
the subject wipes; the step that completes the request goes through the writer. An erasure
holds the writer while it runs, as a disposition run does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

from commsledger.access.shredding import query_shredder
from commsledger.config import Settings
from commsledger.core import access_bundle, erasure
from commsledger.core.erasure_entries import CACHE
from commsledger.core.erasure_plan import plan
from commsledger.core.register import Register
from commsledger.core.requests import Given, RequestBook, today
from commsledger.serve.background import BackgroundJob, BackgroundJobs
from commsledger.serve.concurrency import WriterGate
from commsledger.serve.decisions import decision_list
from commsledger.serve.metrics import Metrics
from contract.errors import Conflict, Error
from privacy.requests import (
    ExtensionGround,
    PauseGround,
    RefusalGround,
    RequestType,
    Status,
    SubjectRequest,
    VerifyMethod,
)
from retention.subjects import records_of

T = TypeVar("T")
LONG = 3600.0  # seconds long work waits for the writer


class Reading(Protocol):
    @property
    def register(self) -> Register: ...


class Host(Protocol):
    """What this needs of the service (``commsledger.serve.service.Service`` is one)."""

    settings: Settings
    writer: Register
    gate: WriterGate
    metrics: Metrics
    data: Path

    def reader(self, wait: float | None = None) -> AbstractContextManager[Reading]: ...


class SubjectRequests:
    """The service's subject request operations."""

    def __init__(self, service: Host) -> None:
        self.service = service
        self.shredder = query_shredder(service.settings, service.writer.master, service.writer.signer)
        self._jobs: dict[str, BackgroundJobs] = {}
        self._counted: tuple[float, dict[str, int]] = (-1e9, {})
        self._lock = threading.Lock()
        self._gauges()

    # -- the writer and readers ------------------------------------------------------------
    def _write(self, work: Callable[[RequestBook], T], timeout: float | None = None) -> T:
        with self.service.gate.enter(timeout=timeout):
            return work(RequestBook(self.service.writer))

    def _read(self, work: Callable[[RequestBook], T]) -> T:
        with self.service.reader() as reader:
            return work(RequestBook(reader.register))

    def doc(self, request: SubjectRequest, book: RequestBook | None = None) -> dict[str, Any]:
        """A request's JSON, with its identifiers (when ``book`` is given) and its job."""
        found = request.to_json(today())
        if book is not None:
            found["identifier_list"] = book.identifiers(request)
        jobs = self._jobs.get(request.id)
        latest = jobs.latest() if jobs is not None else None
        found["job"] = latest.to_json() if latest is not None else None
        return found

    # -- requests and steps ----------------------------------------------------------------
    def create(
        self, kind: RequestType, given: list[Given], received: date | None, ref: str | None
    ) -> tuple[dict[str, Any], list[str]]:
        """Record a request; returns it and the pseudonyms its identifiers name now (the
        access that created it names one, so an erasure shreds its sealed identifiers)."""

        def work(book: RequestBook) -> tuple[SubjectRequest, list[str]]:
            request = book.create(kind, given, received=received, ref=ref)
            names = [i["identifier"] for i in book.identifiers(request)]
            return request, sorted({p for n in names for p in book.register.subjects.lookup(n)})

        request, subjects = self._write(work)
        return self.doc(request), subjects

    def listing(self, *, overdue: bool, status: str | None) -> dict[str, Any]:
        found = self._read(lambda book: book.listing(overdue=overdue, status=status))
        docs = [self.doc(r) for r in found]
        for doc in docs:
            doc.pop("steps")
        return {"requests": docs, "overdue": sum(d["overdue"] for d in docs),
                "due_soon": sum(d["due_soon"] for d in docs)}  # fmt: skip

    def get(self, request_id: str) -> tuple[dict[str, Any], list[str]]:
        """The request with its identifiers, and its subjects (the access names them)."""

        def read(book: RequestBook) -> tuple[dict[str, Any], list[str]]:
            request = book.get(request_id)
            return self.doc(request, book), request.subjects

        return self._read(read)

    def step(self, request_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """One step action (``verify``, ``pause``, ``resume``, ``extend``, ``refuse``,
        ``withdraw``); raises ``InvalidInput``, ``NotFound``, ``Conflict``."""
        return self.doc(self._write(lambda book: _STEPS[action](book, request_id, body)))

    def matches(self, request_id: str, *, record: bool) -> tuple[dict[str, Any], list[str]]:
        """What the request's verified identifiers find (for an erasure, what would be erased
        and withheld); ``record``: as the ``matched`` step (the request then awaits approval)."""
        if record:
            request, found = self._write(lambda book: book.match(request_id))
        else:
            request, found = self._read(lambda book: (r := book.get(request_id), book.matches(r)))
        doc = {"request": request_id, "status": str(request.status), **found.to_json()}
        if request.type is RequestType.ERASURE:
            doc["erasure"] = self._read(lambda book: _preview(book.register, found.subjects))
        return doc, found.subjects

    def decisions(self, request_id: str, limit: int) -> tuple[dict[str, Any], list[str]]:
        """An erasure request's decision on each record (``serve.decisions``), and its subjects."""
        return self._read(lambda book: decision_list(book, request_id, limit))

    # -- long work -------------------------------------------------------------------------
    def job(self, request_id: str) -> BackgroundJob | None:
        """The request's latest long work (a bundle, an erasure) in this service, if any."""
        jobs = self._jobs.get(request_id)
        return jobs.latest() if jobs is not None else None

    def start_bundle(self, request_id: str) -> BackgroundJob:
        """Build the access bundle in the background; raises ``Conflict`` (as export does)
        before anything starts when the request cannot be answered now."""
        request = self._read(lambda book: book.get(request_id))
        access_bundle.check_exportable(request)
        return self._start(request_id, lambda job: self._bundle(job, request_id))

    def _bundle(self, job: BackgroundJob, request_id: str) -> dict[str, Any]:
        out = self.bundle_path(request_id)
        with Register(self.service.settings, writer=False) as reader:
            built = access_bundle.build_bundle(reader, request_id, out, progress=job.advance)
        self._write(lambda book: book.complete(request_id, built.outcome(), built.subjects), timeout=LONG)
        return {"ok": True, **built.exported.to_json()}

    def bundle_path(self, request_id: str) -> Path:
        return self.service.data / CACHE / f"{access_bundle.safe_id(request_id)}.zip"

    def bundle(self, request_id: str) -> tuple[Path, list[str], list[str]]:
        """The built bundle's path, the records it holds and the request's subjects; raises
        ``NotFound``, or ``Conflict`` while it is not built yet (or being built)."""
        request = self._read(lambda book: book.get(request_id))
        path = self.bundle_path(request_id)
        if not path.exists():
            jobs = self._jobs.get(request_id)
            latest = jobs.latest() if jobs is not None else None
            why = "is being built" if latest is not None and latest.state == "running" else "is not built"
            raise Conflict(f"the bundle of request {request_id} {why} (POST to build it)")
        state = self._read(
            lambda book: [r for r, _ in records_of(book.register.retention(), request.subjects)]
        )
        return path, state, request.subjects

    def start_erasure(self, request_id: str) -> BackgroundJob:
        request = self._read(lambda book: book.get(request_id))
        if request.type is not RequestType.ERASURE or request.status is not Status.AWAITING_APPROVAL:
            erasure.check_erasable(request, resuming=False)
        return self._start(request_id, lambda job: self._erase(job, request_id))

    def _erase(self, job: BackgroundJob, request_id: str) -> dict[str, Any]:
        with self.service.gate.enter(timeout=LONG):
            done = erasure.erase_request(
                self.service.writer, request_id, shredder=self.shredder, progress=job.advance
            )
        doc = done.to_json()
        return {"ok": True, **doc, "erased": doc["erased"][:1000], "withheld": doc["withheld"][:1000]}

    def _start(self, request_id: str, work: Callable[[BackgroundJob], dict[str, Any]]) -> BackgroundJob:
        with self._lock:
            jobs = self._jobs.setdefault(request_id, BackgroundJobs(None, lambda ok: None, prefix="q-"))
        job, _started = jobs.start(work)
        return job

    def run_steps(self) -> list[Callable[[str, date], tuple[str, Any]]]:
        """The disposition run's step that erases records withheld until their duty ended."""
        return [erasure.deferred_step(self.service.writer, self.shredder)]

    # -- metrics ---------------------------------------------------------------------------
    def _gauges(self) -> None:
        metrics = self.service.metrics
        metrics.gauge(
            "commsledger_subject_requests_open", "Subject requests not closed", lambda: self._count("open")
        )
        metrics.gauge(
            "commsledger_subject_requests_overdue",
            "Open subject requests past their due date",
            lambda: self._count("overdue"),
        )
        metrics.gauge(
            "commsledger_subject_requests_due_soon",
            "Open subject requests due within 7 days",
            lambda: self._count("due_soon"),
        )

    def _count(self, which: str) -> float:
        """One of the gauges; the requests are read once per scrape (for the three gauges)."""
        now = time.monotonic()
        if now - self._counted[0] > 1.0:
            try:
                found = self._read(lambda book: list(book.all().values()))
            except Error:
                return float("nan")
            day = today()
            counts = {
                "open": sum(r.open for r in found),
                "overdue": sum(r.overdue(day) for r in found),
                "due_soon": sum(r.due_soon(day) for r in found),
            }
            self._counted = (now, counts)
        return float(self._counted[1][which])


def _preview(register: Register, subjects: Sequence[str]) -> dict[str, Any]:
    ids = [rid for rid, _ in records_of(register.retention(), subjects)]
    decided = plan(register, ids, today())
    return {
        "erasable": len(decided.erasable),
        "withheld": len(decided.withheld),
        "already_erased": len(decided.gone),
    }


def _positions(body: dict[str, Any]) -> list[int] | None:
    value = body.get("identifiers")
    return None if value is None else [int(v) for v in value]


_STEPS: dict[str, Callable[[RequestBook, str, dict[str, Any]], SubjectRequest]] = {
    "verify": lambda b, r, x: b.verify(r, _positions(x), VerifyMethod(x["method"])),
    "pause": lambda b, r, x: b.pause(r, PauseGround(x["ground"]), x.get("reason")),
    "resume": lambda b, r, x: b.resume(r),
    "extend": lambda b, r, x: b.extend(r, int(x["months"]), ExtensionGround(x["ground"]), str(x["reason"])),
    "refuse": lambda b, r, x: b.refuse(r, RefusalGround(x["ground"]), str(x["reason"])),
    "withdraw": lambda b, r, x: b.withdraw(r, x.get("reason")),
}
