"""runner.wakeup: a thread wakes the writer's trio task; a set outside the loop is harmless."""

from __future__ import annotations

import threading

import trio

from runner.wakeup import Wakeup


def test_a_set_from_another_thread_wakes_the_waiting_task():
    wakeup = Wakeup()
    rounds: list[int] = []

    async def main():
        with wakeup.attached():
            wakeup.arm()
            threading.Thread(target=wakeup.set).start()
            with trio.fail_after(10):
                await wakeup.wait()
            rounds.append(1)

    trio.run(main)
    assert rounds == [1]


def test_a_set_between_arm_and_wait_is_not_lost():
    wakeup = Wakeup()

    async def main():
        with wakeup.attached():
            wakeup.arm()
            done = threading.Event()

            def mark():
                wakeup.set()
                done.set()

            threading.Thread(target=mark).start()
            await trio.to_thread.run_sync(done.wait)  # the set landed before the wait
            with trio.fail_after(10):
                await wakeup.wait()

    trio.run(main)


def test_a_set_before_or_after_the_loop_does_nothing_and_never_raises():
    wakeup = Wakeup()
    wakeup.set()  # not attached yet

    async def main():
        with wakeup.attached():
            pass

    trio.run(main)
    wakeup.set()  # the run has finished


def test_until_returns_at_once_when_there_is_work_and_waits_when_there_is_none():
    wakeup = Wakeup()
    work: list[str] = ["a"]

    async def main():
        with wakeup.attached():
            with trio.fail_after(10):
                await wakeup.until(lambda: bool(work))  # work: no wait
            work.clear()
            threading.Thread(target=lambda: (work.append("b"), wakeup.set())).start()
            with trio.fail_after(10):
                await wakeup.until(lambda: bool(work))  # woken by the set, or sees "b"
            assert work == ["b"]

    trio.run(main)
