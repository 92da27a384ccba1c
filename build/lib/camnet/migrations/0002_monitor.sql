-- Liveness monitor: latest state per camera, transitions, outages, cycles, snapshots.
CREATE TABLE camera_status (
    camera_id       INTEGER PRIMARY KEY REFERENCES camera(id) ON DELETE CASCADE,
    status          TEXT NOT NULL DEFAULT 'unknown'
                    CHECK (status IN ('unknown', 'up', 'degraded', 'down', 'maintenance')),
    since           TEXT,
    cause           TEXT NOT NULL DEFAULT '',
    fail_streak     INTEGER NOT NULL DEFAULT 0,
    ok_streak       INTEGER NOT NULL DEFAULT 0,
    streak_since    TEXT,                 -- first probe of the current ok/fail streak
    last_probe_at   TEXT,
    last_result     TEXT,
    last_detail     TEXT NOT NULL DEFAULT '',
    last_latency_ms REAL,
    last_rtsp_code  INTEGER,
    health          TEXT,                 -- ok | black | frozen | blurred | covered | error
    health_detail   TEXT,                 -- JSON metrics of the last frame check
    width           INTEGER,
    height          INTEGER,
    first_frame_ms  REAL,
    last_grab_at    TEXT,
    cycles_since_grab INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX camera_status_status ON camera_status(status);

CREATE TABLE status_change (
    id          INTEGER PRIMARY KEY,
    camera_id   INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX status_change_camera ON status_change(camera_id, at);

CREATE TABLE outage (
    id         INTEGER PRIMARY KEY,
    camera_id  INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    ended_at   TEXT,
    cause      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outage_camera ON outage(camera_id, started_at);
-- At most one open outage per camera, whatever happens across restarts.
CREATE UNIQUE INDEX outage_open ON outage(camera_id) WHERE ended_at IS NULL;

CREATE TABLE maintenance_window (
    id         INTEGER PRIMARY KEY,
    camera_id  INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    CHECK (ends_at > starts_at)
);
CREATE INDEX maintenance_camera ON maintenance_window(camera_id, starts_at);

CREATE TABLE probe_cycle (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    cameras     INTEGER NOT NULL,
    completed   INTEGER NOT NULL,
    grabbed     INTEGER NOT NULL DEFAULT 0,
    changes     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE snapshot (
    camera_id INTEGER PRIMARY KEY REFERENCES camera(id) ON DELETE CASCADE,
    taken_at  TEXT NOT NULL,
    width     INTEGER NOT NULL,
    height    INTEGER NOT NULL,
    jpeg      BLOB NOT NULL
);
