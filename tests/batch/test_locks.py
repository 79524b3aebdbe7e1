"""Exclusive file locks: one holder at a time, the file gone once released, waiters told who holds it."""

from __future__ import annotations

import os
import threading
import time

from ecoscore.batch.locks import FileLock


def test_one_holder_at_a_time_and_no_file_left(tmp_path):
    path = tmp_path / "sub" / ".2022.lock"
    a, b = FileLock(path), FileLock(path)
    assert a.acquire(blocking=False)
    assert path.read_text().strip() == str(os.getpid())
    assert not b.acquire(blocking=False)
    a.release()
    assert not path.exists()
    assert b.acquire(blocking=False)
    b.release()
    b.release()  # idempotent
    assert not path.exists()


def test_a_waiter_is_told_once_and_gets_the_lock_when_the_holder_lets_go(tmp_path):
    path = tmp_path / ".2022.lock"
    holder, waiter = FileLock(path), FileLock(path)
    holder.acquire()
    told, order = [], []

    def wait():
        waiter.acquire(on_wait=told.append)
        order.append("waiter")
        order.append(FileLock(path).acquire(blocking=False))  # nobody else gets it meanwhile
        waiter.release()

    t = threading.Thread(target=wait)
    t.start()
    deadline = time.monotonic() + 10
    while not told and time.monotonic() < deadline:
        time.sleep(0.01)
    assert told == [os.getpid()]
    order.append("holder")
    holder.release()  # removes the file the waiter is blocked on: it must lock the new one
    t.join(10)
    assert order == ["holder", "waiter", False]
    assert not path.exists()


def test_a_lock_whose_file_was_replaced_is_not_held_twice(tmp_path):
    path = tmp_path / ".2022.lock"
    first = FileLock(path)
    first.acquire()
    os.unlink(path)  # someone removed the file: the next locker gets a new one
    second = FileLock(path)
    assert second.acquire(blocking=False)
    first.release()  # must not remove the file the second holds
    assert path.exists()
    assert not FileLock(path).acquire(blocking=False)
    second.release()
