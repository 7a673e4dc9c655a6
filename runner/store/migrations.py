"""The store's schema as numbered migrations, applied in order when a store is opened.

The same steps, numbered the same, on both engines: each step is a function of the connection
and the engine (:class:`~runner.store.sqlite.SqliteEngine` or
:class:`~runner.store.postgres.PostgresEngine`), the DDL written in SQLite's words and turned
into PostgreSQL's by :func:`ddl` (BIGINT identity keys, DOUBLE PRECISION times). The schema
version is ``PRAGMA user_version`` on SQLite, the row of ``tikrunner_schema`` on PostgreSQL: the
number of the last step applied (0: a new store, or a SQLite store made before migrations were
numbered). Each step runs in its own transaction together with the bump of the version, so a
crash mid-upgrade leaves the store at the previous step, and the next open goes on from there;
on PostgreSQL a transaction-level advisory lock makes runners that start together take turns.
Add a step by appending a function to :data:`MIGRATIONS`; never edit a step that has shipped.

Tables (step 1):
- ``manifests``: one row per accepted manifest (name, content sha256, source, labels, file name).
- ``tasks``: the API's task object plus scheduling columns.
- ``intake_log``: one row per spool file taken in (accepted, duplicate), written in the same
  transaction as its tasks, so a crash between commit and the final rename is finished on restart
  instead of taken twice.
- ``workflows`` and ``firings``: the workflows folder's generations and the slots fired.

Later steps: 2, ``intake_log.error`` (refusals logged); 3, the tasks' ``progress_*`` columns;
4, an index for the manifest listing; 5, runners, phone leases and who took in and runs a task;
6, account safety: the actions attempted per account, cool-downs, and a pending task's hold;
7, the task's ``result`` (what a script read, as JSON: scrape_user's profile).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_TABLES = (
    """CREATE TABLE IF NOT EXISTS manifests (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    source      TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'Task',
    labels      TEXT NOT NULL DEFAULT '{}',
    filename    TEXT,
    created_at  REAL NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS tasks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    manifest_id   INTEGER REFERENCES manifests(id) ON DELETE SET NULL,
    manifest      TEXT,
    source        TEXT NOT NULL,
    serial        TEXT,
    username      TEXT,
    script_name   TEXT NOT NULL,
    script_config TEXT NOT NULL,
    status        INTEGER NOT NULL DEFAULT 0,
    job_count     INTEGER NOT NULL DEFAULT 0,
    start_at      REAL NOT NULL,
    started_at    REAL,
    ended_at      REAL,
    created_at    REAL NOT NULL,
    retry_count   INTEGER NOT NULL DEFAULT 0,
    remark        TEXT NOT NULL DEFAULT '',
    step          INTEGER,
    step_name     TEXT,
    unit          TEXT,
    firing        TEXT,
    on_failure    TEXT
)""",
    """CREATE TABLE IF NOT EXISTS intake_log (
    id          INTEGER PRIMARY KEY,
    claim_name  TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    manifest_id INTEGER,
    manifest    TEXT NOT NULL,
    final_name  TEXT NOT NULL,
    created_at  REAL NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS workflows (
    name        TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    document    TEXT NOT NULL,
    applied_at  REAL NOT NULL,
    deleted_at  REAL,
    error       TEXT
)""",
    """CREATE TABLE IF NOT EXISTS firings (
    workflow    TEXT NOT NULL,
    slot        TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    due         REAL,
    at          REAL NOT NULL,
    task_count  INTEGER NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (workflow, slot)
)""",
)

_INDEXES = (
    "CREATE INDEX IF NOT EXISTS manifests_name ON manifests(name, sha256)",
    "CREATE INDEX IF NOT EXISTS tasks_due ON tasks(serial, status, start_at, id)",
    "CREATE INDEX IF NOT EXISTS tasks_manifest ON tasks(manifest)",
    "CREATE INDEX IF NOT EXISTS tasks_status ON tasks(status, id)",
    "CREATE INDEX IF NOT EXISTS tasks_status_start ON tasks(status, start_at)",
    "CREATE INDEX IF NOT EXISTS intake_log_claim ON intake_log(claim_name, sha256)",
    # the API's task listing (GET /api/v1/task): each filter, in id order
    "CREATE INDEX IF NOT EXISTS tasks_serial_id ON tasks(serial, id)",
    "CREATE INDEX IF NOT EXISTS tasks_script_id ON tasks(script_name, id)",
    "CREATE INDEX IF NOT EXISTS tasks_source_id ON tasks(source, id)",
    "CREATE INDEX IF NOT EXISTS tasks_firing ON tasks(firing, unit, step)",
)

# columns the first releases' ``tasks`` table lacked (added when workflows came)
_STEP_COLUMNS = (
    ("step", "INTEGER"),
    ("step_name", "TEXT"),
    ("unit", "TEXT"),
    ("firing", "TEXT"),
    ("on_failure", "TEXT"),
)


def ddl(statement: str, engine: Any) -> str:
    """A ``CREATE TABLE`` statement in SQLite's words, in ``engine``'s: on PostgreSQL integer
    keys become BIGINT identities (never handing an id out twice, like AUTOINCREMENT), INTEGER
    BIGINT and REAL DOUBLE PRECISION (UTC epoch seconds keep their microseconds)."""
    if engine.name == "sqlite":
        return statement
    statement = re.sub(
        r"INTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?",
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        statement,
    )
    statement = re.sub(r"\bINTEGER\b", "BIGINT", statement)
    return re.sub(r"\bREAL\b", "DOUBLE PRECISION", statement)


def _add_columns(db: Any, engine: Any, table: str, columns: tuple[tuple[str, str], ...]) -> None:
    """Add the ``(name, SQLite type)`` columns ``table`` lacks (NULL in existing rows)."""
    have = engine.columns(db, table)
    for column, kind in columns:
        if column not in have:
            db.execute(ddl(f"ALTER TABLE {table} ADD COLUMN {column} {kind}", engine))


def _m1_layout(db: Any, engine: Any) -> None:
    """Step 1: the layout of the first numbered release. A new file gets every table; a store of
    an earlier, unnumbered release is brought to it in place, keeping its rows: ``tasks`` rebuilt
    with AUTOINCREMENT if it lacks it (a deleted task's id is never handed out again: clients and
    ``api-<id>`` status files rely on ids being unique for ever), the workflow step columns added."""
    for statement in _TABLES:
        db.execute(ddl(statement, engine))
    if engine.name != "sqlite":  # PostgreSQL stores start at numbered releases
        for statement in _INDEXES:
            db.execute(statement)
        return
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name='tasks'").fetchone()
    if "AUTOINCREMENT" not in sql[0].upper():
        db.execute("ALTER TABLE tasks RENAME TO tasks_old")
        db.execute(
            re.sub(
                r"INTEGER\s+PRIMARY\s+KEY\s*,",
                "INTEGER PRIMARY KEY AUTOINCREMENT,",
                sql[0],
                count=1,
            )
        )
        columns = ", ".join(r[1] for r in db.execute("PRAGMA table_info(tasks_old)"))
        db.execute(f"INSERT INTO tasks ({columns}) SELECT {columns} FROM tasks_old")
        db.execute("DROP TABLE tasks_old")  # its indexes go with it; made again below
    _add_columns(db, engine, "tasks", _STEP_COLUMNS)
    for statement in _INDEXES:
        db.execute(statement)


def _m2_refusals(db: Any, engine: Any) -> None:
    """Step 2: spool files refused at intake are logged too (``intake_log.outcome`` ``rejected``,
    the reason as JSON ``{code, message}`` in the new ``error`` column), so a manifest's status file
    shows a refused re-drop beside its tasks, and a file name is known to own its manifest name."""
    _add_columns(db, engine, "intake_log", (("error", "TEXT"),))
    db.execute(
        "CREATE INDEX IF NOT EXISTS intake_log_manifest ON intake_log(manifest, outcome, id)"
    )


def _m3_progress(db: Any, engine: Any) -> None:
    """Step 3: a running task's progress (the task object's ``progress``, docs/spec/local-api.md):
    ``progress_text`` (one line), ``progress_fraction`` (0..1 or NULL) and ``progress_at`` (UTC
    epoch seconds of the report), all NULL until the script reports; existing tasks get NULL."""
    _add_columns(db, engine, "tasks", _PROGRESS_COLUMNS)


_PROGRESS_COLUMNS = (
    ("progress_text", "TEXT"),
    ("progress_fraction", "REAL"),
    ("progress_at", "REAL"),
)


def _m4_manifest_counts(db: Any, engine: Any) -> None:
    """Step 4: an index of each manifest's tasks by status, so ``GET /api/v1/manifests`` counts a
    page of manifests from the index alone (bench/dashboard.py: 100,000 tasks)."""
    db.execute("CREATE INDEX IF NOT EXISTS tasks_manifest_status ON tasks(manifest, status)")


_FARM_TABLES = (
    """CREATE TABLE IF NOT EXISTS runners (
    name         TEXT PRIMARY KEY,
    instance     TEXT NOT NULL,
    host         TEXT NOT NULL DEFAULT '',
    pid          INTEGER,
    api          TEXT,
    adb          TEXT NOT NULL DEFAULT '[]',
    started_at   REAL NOT NULL,
    heartbeat_at REAL NOT NULL,
    state        TEXT NOT NULL DEFAULT 'up',
    devices      TEXT NOT NULL DEFAULT '[]',
    accounts     TEXT NOT NULL DEFAULT '[]'
)""",
    """CREATE TABLE IF NOT EXISTS phones (
    serial       TEXT PRIMARY KEY,
    runner       TEXT NOT NULL,
    lease_until  REAL NOT NULL,
    since        REAL NOT NULL
)""",
)


def _m5_farm(db: Any, engine: Any) -> None:
    """Step 5: several runners on one store (issue 12). ``runners``: one row per runner name,
    its process (``instance``, a random id per start), ``heartbeat_at`` (the store's clock, UTC
    epoch seconds), ``state`` (``up``, ``stopped``, ``lost``) and what it shows the farm
    (``devices``, ``accounts``: JSON). ``phones``: the lease of each serial (who drives it,
    until when). ``tasks.runner``: who claimed the task (runs or ran it); ``tasks.owner`` and
    ``intake_log.runner``: who took it in (writes its status file). Existing rows get NULL:
    the one runner of a SQLite store."""
    for statement in _FARM_TABLES:
        db.execute(ddl(statement, engine))
    _add_columns(db, engine, "tasks", (("runner", "TEXT"), ("owner", "TEXT")))
    _add_columns(db, engine, "intake_log", (("runner", "TEXT"),))
    db.execute("CREATE INDEX IF NOT EXISTS tasks_runner_status ON tasks(runner, status)")
    db.execute("CREATE INDEX IF NOT EXISTS phones_runner ON phones(runner)")


_SAFETY_TABLES = (
    """CREATE TABLE IF NOT EXISTS actions (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    account  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    at       REAL NOT NULL,
    task_id  INTEGER,
    run      REAL,
    seq      INTEGER,
    serial   TEXT,
    runner   TEXT
)""",
    """CREATE TABLE IF NOT EXISTS cooldowns (
    account  TEXT PRIMARY KEY,
    until    REAL NOT NULL,
    reason   TEXT NOT NULL,
    since    REAL NOT NULL
)""",
)


def _m6_account_safety(db: Any, engine: Any) -> None:
    """Step 6: account safety (issue 14, runner/limits.py). ``actions``: one row per action a
    script attempted (counted before the tap): the account key, the kind (follow, like, ...),
    when (UTC epoch seconds), and the attempt's name (task id, run = the task's started_at,
    seq), unique so the same attempt is never counted twice. ``cooldowns``: an account's
    cool-down after TikTok pushed back, until when and why. ``tasks.wait_until``: a pending
    task held back by a limit, working hours or a cool-down is not claimed before it (NULL: not
    held)."""
    for statement in _SAFETY_TABLES:
        db.execute(ddl(statement, engine))
    db.execute("CREATE INDEX IF NOT EXISTS actions_account ON actions(account, kind, at)")
    db.execute("CREATE INDEX IF NOT EXISTS actions_at ON actions(at)")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS actions_attempt ON actions(task_id, run, seq)")
    _add_columns(db, engine, "tasks", (("wait_until", "REAL"),))


def _m7_task_result(db: Any, engine: Any) -> None:
    """Step 7: ``tasks.result``, what a script read and hands back (the task object's
    ``result``, docs/spec/local-api.md: scrape_user's profile), a JSON object as text; NULL
    until a run stores one (and again when a run starts). Existing tasks get NULL."""
    _add_columns(db, engine, "tasks", (("result", "TEXT"),))


MIGRATIONS: tuple[Callable[[Any, Any], None], ...] = (
    _m1_layout,
    _m2_refusals,
    _m3_progress,
    _m4_manifest_counts,
    _m5_farm,
    _m6_account_safety,
    _m7_task_result,
)
"""The steps, in order: ``MIGRATIONS[n - 1]`` takes a store from user_version ``n - 1`` to ``n``."""


def migrate(db: Any, engine: Any) -> int:
    """Apply the migrations ``db`` (an autocommit connection of ``engine``, outside a
    transaction) has not had yet, each in its own transaction with its version bump; returns the
    version reached (``len(MIGRATIONS)``).

    Raises the engine's error from a step (that step is rolled back; earlier steps stay) and
    ``ValueError`` when the store is newer than this program (its version above ours)."""
    current = engine.schema_version(db)
    if current > len(MIGRATIONS):
        raise ValueError(
            f"schema version {current}, newer than this tikrunner knows ({len(MIGRATIONS)})"
        )
    for number in range(current + 1, len(MIGRATIONS) + 1):
        db.execute(engine.begin_sql)
        try:
            engine.lock_schema(db)
            if engine.schema_version(db) >= number:  # another connection did it meanwhile
                db.execute("ROLLBACK")
                continue
            MIGRATIONS[number - 1](db, engine)
            engine.set_schema_version(db, number)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)
