-- The layout of state.db at migration 2 (tikrunner up to 5430314, user_version 2), as
-- runner/store/migrations.py made it; tests/test_store.py upgrades a store of it in place.
CREATE TABLE manifests (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    source      TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'Task',
    labels      TEXT NOT NULL DEFAULT '{}',
    filename    TEXT,
    created_at  REAL NOT NULL
);
CREATE TABLE tasks (
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
);
CREATE TABLE intake_log (
    id          INTEGER PRIMARY KEY,
    claim_name  TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    manifest_id INTEGER,
    manifest    TEXT NOT NULL,
    final_name  TEXT NOT NULL,
    created_at  REAL NOT NULL
, error TEXT);
CREATE TABLE workflows (
    name        TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    document    TEXT NOT NULL,
    applied_at  REAL NOT NULL,
    deleted_at  REAL,
    error       TEXT
);
CREATE TABLE firings (
    workflow    TEXT NOT NULL,
    slot        TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    due         REAL,
    at          REAL NOT NULL,
    task_count  INTEGER NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (workflow, slot)
);
CREATE INDEX manifests_name ON manifests(name, sha256);
CREATE INDEX tasks_due ON tasks(serial, status, start_at, id);
CREATE INDEX tasks_manifest ON tasks(manifest);
CREATE INDEX tasks_status ON tasks(status, id);
CREATE INDEX tasks_status_start ON tasks(status, start_at);
CREATE INDEX intake_log_claim ON intake_log(claim_name, sha256);
CREATE INDEX tasks_serial_id ON tasks(serial, id);
CREATE INDEX tasks_script_id ON tasks(script_name, id);
CREATE INDEX tasks_source_id ON tasks(source, id);
CREATE INDEX tasks_firing ON tasks(firing, unit, step);
CREATE INDEX intake_log_manifest ON intake_log(manifest, outcome, id);
PRAGMA user_version=2;
