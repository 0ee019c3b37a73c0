"""The generator's state machine: paces fresh triggers over the weekly activity profile, merges
them through a heap with the queued later records of cases and batches, and offers the flows
their random draws."""

from __future__ import annotations

import heapq
import random
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import accumulate
from typing import Any, TypeVar

from commsledger.synthetic.clock import DAY, activity_time, day_info, real_time
from commsledger.synthetic.common import MASK, Record, mix
from commsledger.synthetic.firm import AGENTS
from commsledger.synthetic.people import Person, Population
from commsledger.synthetic.render import Renderer
from commsledger.synthetic.templates import TEMPLATES

_Item = TypeVar("_Item")
_Thunk = Callable[[], Record]
Step = tuple[int, _Thunk]
"""A queued record: when it is sent, and how to render it then."""
Plan = tuple[int, str, str, Person, dict[str, str], dict[str, Any]]
"""A planned record of a case: time, template id, channel, subject, fields, ``render`` options."""
Flow = Callable[["Engine", int], Record | None]
"""A trigger at time ``t``: returns a single communication, or schedules a case or a batch."""
FlowTable = Sequence[tuple[Flow, float, float | None]]
"""Each flow with its share of the records and its records per trigger (None: one batch)."""

_PRIMES = (1_000_003, 1_000_033, 1_000_037, 1_000_039)
# Open cases and batches are the generator's only growing state (about 800 at a million
# records over three years). Past this many, new triggers become single communications.
_MAX_OPEN = 5_000


def step(t: int, tpl_id: str, channel: str, p: Person, ctx: dict[str, str], **kwargs: Any) -> Plan:
    """One planned record of a case: when, what, to whom, and the arguments of ``render``."""
    return t, tpl_id, channel, p, ctx, kwargs


class Engine:
    """One deterministic stream of ``n`` records; see the package docstring. Flows (``singles``,
    ``cases``, ``batches``) draw through its public helpers and queue later records on it."""

    def __init__(self, n: int, seed: int, size: int, start: int, end: int, flows: FlowTable) -> None:
        self._n, self._size, self._start, self._end = n, size, start, end
        self._rng = random.Random(seed)
        self.r = self._rng.random
        self.population = Population(seed, size)
        self._salt = mix((seed & MASK) ^ 0x1D5)
        self.render = Renderer(self.r, self._salt).render
        self._a_now, self._a_end = activity_time(start), activity_time(end)
        per_day = n / max(1.0, (end - start) / DAY)
        self._batch = max(5.0, 2.0 * per_day)
        self._heap: list[tuple[int, int, _Thunk, Iterator[Step]]] = []
        self._seq = self._pending = 0
        self._cases: dict[str, int] = {}
        self._campaigns = 0
        self._plan(flows)

    # pacing ------------------------------------------------------------------------------

    def _plan(self, flows: FlowTable) -> None:
        """Choose flow probabilities so that each flow gets its share of *records*."""
        table = [(flow, share, self._batch if steps is None else steps) for flow, share, steps in flows]
        weights = [share / steps for _, share, steps in table]
        total = sum(weights)
        self._flows = [flow for flow, _, _ in table]
        self._singles = sum(steps == 1 for _, _, steps in table)  # they come first
        self._cum = [w / total for w in accumulate(weights)]
        self._per_fresh = sum(share for _, share, _ in table) / total

    def _next_fresh(self, emitted: int) -> int | None:
        """Time of the next fresh trigger, or None when the budget is all scheduled."""
        left = self._n - emitted - self._pending
        if left <= 0:
            return None
        room = self._a_end - self._a_now
        a = self._a_now + room / max(1.0, left / self._per_fresh) * self._rng.expovariate(1.0)
        if a >= self._a_end:
            a = self._a_now + room * 0.5 * self.r()
        self._a_now = a
        return max(self._start, min(real_time(a), self._end - 1))

    def __iter__(self) -> Iterator[Record]:
        heap, pop, push = self._heap, heapq.heappop, heapq.heappush
        flows, cum, r = self._flows, self._cum, self.r
        emitted = 0
        fresh = self._next_fresh(0)
        while emitted < self._n:
            if heap and (fresh is None or heap[0][0] <= fresh):
                _, _, thunk, steps = pop(heap)
                self._pending -= 1
                following = next(steps, None)
                if following is not None:
                    push(heap, (following[0], self._seq, following[1], steps))
                    self._seq += 1
                emitted += 1
                yield thunk()
                continue
            if fresh is None:  # only if a flow miscounted its steps; never expected
                self._pending = 0
                fresh = self._next_fresh(emitted)
                continue
            i = min(bisect_right(cum, r()), len(flows) - 1)
            if i >= self._singles and len(heap) >= _MAX_OPEN:
                i = int(r() * self._singles)  # keep memory bounded at extreme densities
            record = flows[i](self, fresh)
            if record is not None:
                emitted += 1
            fresh = self._next_fresh(emitted)
            if record is not None:
                yield record

    # queueing ----------------------------------------------------------------------------

    def schedule(self, plans: list[Plan]) -> None:
        """Queue the records of one case in the order given, each at least a minute after the
        one before (a weekend can move two steps onto one Monday); those after ``end`` are
        dropped."""
        steps: list[Step] = []
        last = 0
        for t, tpl_id, channel, p, ctx, kwargs in plans:
            t = max(t, last + 60)
            if t >= self._end:
                break
            steps.append((t, partial(self.render, t, TEMPLATES[tpl_id], channel, p, ctx, **kwargs)))
            last = t
        self._queue(len(steps), iter(steps))

    def _queue(self, count: int, steps: Iterator[Step]) -> None:
        first = next(steps, None) if count else None
        if first is None:
            return
        self._pending += count
        heapq.heappush(self._heap, (first[0], self._seq, first[1], steps))
        self._seq += 1

    # draws for the flows -------------------------------------------------------------------

    def pick(self, seq: Sequence[_Item]) -> _Item:
        """One item, uniformly."""
        return seq[int(self.r() * len(seq))]

    def choose(self, odds: tuple[tuple[str, float], ...]) -> str:
        """One of the options, each with its probability (the last takes what is left)."""
        x = self.r()
        for option, p in odds:
            x -= p
            if x < 0:
                return option
        return odds[-1][0]

    def _class(self, q: int, c: int) -> tuple[int, int, int]:
        """``(q, c, members)`` of the customers with ``k % q == c`` (wealth clients are
        ``k % 7 == 3``, mortgage holders ``k % 3 == 1``, insurance ``k % 4 == 2``); everyone
        when the population is too small to have such customers."""
        if c >= self._size:
            return 1, 0, self._size
        return q, c, (self._size - 1 - c) // q + 1

    def anyone(self, q: int = 1, c: int = 0) -> Person:
        """A subject from class ``k % q == c``: 80% of picks go to the most active fifth of
        customers (the lower indices, busiest first), the rest to anyone."""
        q, c, members = self._class(q, c)
        x = self.r()
        i = (members + 4) // 5 * (x * 1.25) ** 1.3 if x < 0.8 else members * (x - 0.8) * 5
        return self.population.person(c + q * int(i))

    def money(self, lo: float, hi: float) -> str:
        """An amount in pounds between ``lo`` and ``hi``, small amounts likelier."""
        return f"£{lo + (hi - lo) * self.r() ** 2:,.2f}"

    def rate(self, lo: float, hi: float) -> str:
        """A percentage between ``lo`` and ``hi``."""
        return f"{lo + (hi - lo) * self.r():.2f}%"

    def agent(self, dept: str) -> int:
        """The number of an agent of department ``dept``."""
        first, count = AGENTS[dept]
        return first + int(self.r() * count)

    def office_time(self, d: int, back: bool = False) -> int:
        """A time in office hours (09:00-17:30) on day ``d``, moved off the weekend."""
        weekday = day_info(d).weekday
        if weekday >= 5:
            d += (4 - weekday) if back else (7 - weekday)
        return d * DAY + 32_400 + int(self.r() * 30_600)

    def case_id(self, prefix: str) -> str:
        """The next case reference of a kind (``CMP-000123``), numbered from a seeded start."""
        count = self._cases.get(prefix)
        if count is None:
            count = 100 + mix(self._salt ^ zlib.crc32(prefix.encode())) % 900
        self._cases[prefix] = count + 1
        return f"{prefix}-{count:06d}"

    def campaign_number(self) -> int:
        """The number of the next marketing campaign: 1, 2, ..."""
        self._campaigns += 1
        return self._campaigns

    # batches -----------------------------------------------------------------------------

    def run_batch(
        self,
        t0: int,
        q: int,
        c: int,
        first_hour: int,
        hours: float,
        build: Callable[[int, Person], Record],
        size: float = 1.0,
    ) -> int:
        """Queue a batch to subjects of class ``k % q == c`` starting the next working day;
        returns its start day."""
        r = self.r
        q, c, members = self._class(q, c)
        k = max(1, min(members, int(self._batch * size * (0.4 + 1.2 * r()))))
        day = t0 // DAY + 1 + int(r() * 2)
        if day_info(day).weekday >= 5:
            day += 7 - day_info(day).weekday
        start = day * DAY + first_hour * 3600 + int(r() * 3600)
        span = 1800 + hours * 3600 * r()
        gap = span / k
        count = k
        while count and start + int((count - 1) * gap) >= self._end:
            count -= 1 if count < 64 else count // 2
        off, stride = int(r() * members), self.pick(_PRIMES)
        pop = self.population

        def steps() -> Iterator[Step]:
            for j in range(count):
                t = start + int(j * gap)
                person = pop.person(c + q * ((off + j * stride) % members), keep=False)
                yield t, partial(build, t, person)

        self._queue(count, steps())
        return day
