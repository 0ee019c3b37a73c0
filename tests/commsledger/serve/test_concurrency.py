"""The writer gate and the reader pool: bounded waiting, then ``Busy``."""

from __future__ import annotations

import threading
import time

import pytest

from commsledger.serve.concurrency import ReaderPool, WriterGate
from contract.errors import Busy, InvalidInput


def test_the_gate_lets_one_in_queues_a_few_and_refuses_the_rest() -> None:
    gate = WriterGate(waiting=1, wait=2.0)
    inside, release, outcomes = threading.Event(), threading.Event(), []

    def hold() -> None:
        with gate.enter():
            inside.set()
            release.wait(5)

    def wait_then_enter() -> None:
        with gate.enter():
            outcomes.append("entered after waiting")

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(2)
    waiter = threading.Thread(target=wait_then_enter)
    waiter.start()
    time.sleep(0.1)
    assert gate.saturated
    with pytest.raises(Busy) as refused, gate.enter():
        pass
    assert refused.value.retry_after is not None
    assert refused.value.retry_after >= 1
    release.set()
    holder.join()
    waiter.join()
    assert outcomes == ["entered after waiting"]
    with gate.enter(), pytest.raises(Busy), gate.enter(timeout=0.05):  # a timed-out wait too
        pass


def test_the_pool_lends_each_object_to_one_caller_and_drops_broken_ones() -> None:
    made: list[int] = []
    closed: list[int] = []

    def make() -> int:
        made.append(len(made))
        return made[-1]

    pool: ReaderPool[int] = ReaderPool(make, 1, 0.1, closed.append)
    with pool.lend() as first, pytest.raises(Busy), pool.lend():
        pass
    with pool.lend() as again:
        assert again == first  # lent again, not made again
    with pytest.raises(InvalidInput), pool.lend():
        raise InvalidInput("bad request")  # an Error: the object is fine
    with pytest.raises(RuntimeError), pool.lend():
        raise RuntimeError("broken")  # anything else: dropped and closed
    assert closed == [0]
    with pool.lend() as fresh:
        assert fresh == 1
    pool.close()
    assert closed == [0, 1]
