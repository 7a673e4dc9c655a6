"""Account safety in the store: the actions attempted per account, cool-downs, and the holds of
pending tasks (issue 14; the rules are runner/limits.py's, the store only records and counts).

Guarantees: an attempt is checked and recorded in one transaction (on a shared PostgreSQL store
under a transaction-level advisory lock per account, so several runners never let an account pass
its limit together); an attempt is named (task id, run, sequence number) and never stored twice.
Times are UTC epoch seconds.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from runner.models.task import TaskStatus
from runner.store.db import Database

_PENDING = f"{TaskStatus.PENDING:d}"


@dataclass(frozen=True)
class CoolDown:
    """An account's cool-down: until ``until``, since ``since`` (UTC epoch seconds), because of
    ``reason`` (what TikTok said)."""

    until: float
    reason: str
    since: float


def _account_lock(account: str) -> int:
    """The advisory lock key of ``account``'s actions (signed 64-bit, apart from other keys)."""
    return (1 << 40) + zlib.crc32(f"tikrunner-account:{account}".encode())


class ActionLog(Database):
    """The ``actions`` and ``cooldowns`` tables and ``tasks.wait_until``."""

    def attempt_action(
        self,
        account: str,
        kind: str,
        *,
        now: float,
        since: float,
        check: Callable[[Any, float], Any],
        task_id: int | None = None,
        run: float | None = None,
        seq: int | None = None,
        serial: str | None = None,
    ) -> Any:
        """Record one ``kind`` action of ``account`` at ``now`` unless ``check`` refuses it, in one
        transaction: ``check(history, now)`` gets a :class:`runner.limits.History` (the account's
        ``kind`` attempts since ``since``, its cool-down) and returns None (allowed: recorded) or
        a hold (refused: nothing recorded), which is returned. The same attempt (``task_id``,
        ``run``, ``seq``) is recorded once: a second call finds it and allows it again without
        counting."""
        from runner.limits import History

        with self._transaction():
            if self.shared:
                self._db.execute("SELECT pg_advisory_xact_lock(?)", (_account_lock(account),))
            if task_id is not None:
                seen = self._db.execute(
                    "SELECT 1 FROM actions WHERE task_id=? AND run=? AND seq=?",
                    (task_id, run, seq),
                ).fetchone()
                if seen is not None:
                    return None
            times = [
                r[0]
                for r in self._db.execute(
                    "SELECT at FROM actions WHERE account=? AND kind=? AND at>=? ORDER BY at",
                    (account, kind, since),
                ).fetchall()
            ]
            cool = self._db.execute(
                "SELECT until, reason FROM cooldowns WHERE account=?", (account,)
            ).fetchone()
            hold = check(History(tuple(times), None if cool is None else (cool[0], cool[1])), now)
            if hold is not None:
                return hold
            self._db.execute(
                "INSERT INTO actions(account, kind, at, task_id, run, seq, serial, runner)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (account, kind, now, task_id, run, seq, serial, self.runner),
            )
        return None

    def action_times(self, account: str, kind: str, since: float) -> list[float]:
        """When ``account`` attempted ``kind`` since ``since``, ascending."""
        with self._lock:
            rows = self._db.execute(
                "SELECT at FROM actions WHERE account=? AND kind=? AND at>=? ORDER BY at",
                (account, kind, since),
            ).fetchall()
        return [r[0] for r in rows]

    def action_counts(
        self, hour_since: float, day_since: float
    ) -> dict[tuple[str, str], tuple[int, int, float]]:
        """Per (account, kind) attempted since ``min(hour_since, day_since)``: (attempts after
        ``hour_since``, attempts at or after ``day_since``, the last attempt's time)."""
        since = min(hour_since, day_since)
        with self._lock:
            rows = self._db.execute(
                "SELECT account, kind, sum(CASE WHEN at>? THEN 1 ELSE 0 END),"
                " sum(CASE WHEN at>=? THEN 1 ELSE 0 END), max(at)"
                " FROM actions WHERE at>=? GROUP BY account, kind",
                (hour_since, day_since, since),
            ).fetchall()
        return {(a, k): (int(h), int(d), float(last)) for a, k, h, d, last in rows}

    def cool_down(self, account: str, until: float, reason: str, now: float | None = None) -> None:
        """``account`` cools down until ``until`` because of ``reason``: its tasks wait until then
        (runner/scheduler.py). A cool-down already running that ends later is kept (with its
        reason)."""
        now = self.now() if now is None else now
        with self._transaction():
            row = self._db.execute(
                "SELECT until FROM cooldowns WHERE account=?", (account,)
            ).fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO cooldowns(account, until, reason, since) VALUES (?,?,?,?)",
                    (account, until, reason, now),
                )
            elif row[0] < until:
                self._db.execute(
                    "UPDATE cooldowns SET until=?, reason=?, since=? WHERE account=?",
                    (until, reason, now, account),
                )

    def clear_cool_down(self, account: str) -> bool:
        """End ``account``'s cool-down now; False if it had none. Its held tasks are released."""
        with self._transaction():
            gone = self._db.execute(
                "DELETE FROM cooldowns WHERE account=? RETURNING account", (account,)
            ).fetchall()
            self._db.execute(
                f"UPDATE tasks SET wait_until=NULL WHERE status={_PENDING} AND wait_until IS NOT NULL"
            )
        return bool(gone)

    def cool_downs(self, now: float) -> dict[str, CoolDown]:
        """The cool-downs running at ``now``, by account key."""
        with self._lock:
            rows = self._db.execute(
                "SELECT account, until, reason, since FROM cooldowns WHERE until>?", (now,)
            ).fetchall()
        return {a: CoolDown(u, r, s) for a, u, r, s in rows}

    def hold_tasks(self, holds: Iterable[tuple[int, float, str]]) -> None:
        """Hold pending tasks back: each ``(task id, until, remark)``: not claimed before
        ``until`` (UTC epoch seconds), remark ``waiting: <remark>``. Tasks no longer pending are
        left alone; unchanged holds are not written again."""
        rows = [
            (until, f"waiting: {remark}", i, until, f"waiting: {remark}")
            for i, until, remark in holds
        ]
        if not rows:
            return
        with self._transaction():
            for row in rows:
                self._db.execute(
                    f"UPDATE tasks SET wait_until=?, remark=? WHERE id=? AND status={_PENDING}"
                    " AND (wait_until IS NULL OR wait_until<>? OR remark<>?)",
                    row,
                )

    def release_holds(self) -> int:
        """Every pending task's hold is dropped (on start, and when the rules or a cool-down
        changed): the scheduler looks at each again when it is due. Returns how many."""
        with self._transaction():
            cur = self._db.execute(
                f"UPDATE tasks SET wait_until=NULL WHERE status={_PENDING} AND wait_until IS NOT NULL"
            )
        return max(0, cur.rowcount)
