-- Monitor you can trust (issue 10): confirmed picture verdicts, tier-2 cause and backoff,
-- a persisted frame fingerprint for "frozen", and monitoring coverage ("no data").

-- The picture verdict the status machine uses is confirmed like up/down: a new verdict
-- becomes `picture` after `picture_streak` equal samples. `health` stays the latest sample.
ALTER TABLE camera_status ADD COLUMN picture TEXT;
ALTER TABLE camera_status ADD COLUMN picture_candidate TEXT;
ALTER TABLE camera_status ADD COLUMN picture_streak INTEGER NOT NULL DEFAULT 0;
-- Why the last tier-2 grab failed (read_timeout, open_timeout, ...), never a bare open_failed.
ALTER TABLE camera_status ADD COLUMN tier2_cause TEXT;
-- Consecutive tier-2 timeouts and the earliest time of the next grab (backoff).
ALTER TABLE camera_status ADD COLUMN tier2_timeouts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE camera_status ADD COLUMN tier2_next_at TEXT;

-- One small grey thumbnail of the last decoded frame per camera (what "frozen" compares
-- against), so a restart or a one-shot `camnet probe` can still see a frozen stream.
CREATE TABLE frame_fingerprint (
    camera_id INTEGER PRIMARY KEY REFERENCES camera(id) ON DELETE CASCADE,
    taken_at  TEXT NOT NULL,
    width     INTEGER NOT NULL,
    height    INTEGER NOT NULL,
    gray      BLOB NOT NULL
);

-- When the monitor actually watched each camera: each cycle extends the camera's latest
-- span when it continues it (gap <= the coverage gap), else opens a new one. Time outside
-- every span is "no data". Rows grow only when monitoring stops and starts again.
CREATE TABLE watched_span (
    id         INTEGER PRIMARY KEY,
    camera_id  INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    ended_at   TEXT NOT NULL,
    CHECK (ended_at >= started_at)
);
CREATE INDEX watched_span_camera ON watched_span(camera_id, ended_at);

-- Maintenance windows for a camera, a point or a zone; one-off or weekly (local wall
-- time); editable and cancellable (a cancelled window keeps what already happened: its
-- time is cut at `cancelled_at`). Rebuilt because `camera_id` becomes optional.
CREATE TABLE maintenance_window_new (
    id            INTEGER PRIMARY KEY,
    camera_id     INTEGER REFERENCES camera(id) ON DELETE CASCADE,
    point_id      INTEGER REFERENCES camera_point(id) ON DELETE CASCADE,
    zone_id       INTEGER REFERENCES zone(id) ON DELETE CASCADE,
    starts_at     TEXT NOT NULL,          -- the (first) window, UTC
    ends_at       TEXT NOT NULL,
    weekly        INTEGER NOT NULL DEFAULT 0 CHECK (weekly IN (0, 1)),
    repeat_until  TEXT,                   -- weekly: no occurrence starts at or after this
    cancelled_at  TEXT,
    reason        TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL DEFAULT '',
    CHECK (ends_at > starts_at),
    CHECK ((camera_id IS NOT NULL) + (point_id IS NOT NULL) + (zone_id IS NOT NULL) = 1),
    CHECK (weekly = 0 OR julianday(ends_at) - julianday(starts_at) < 7)
);
INSERT INTO maintenance_window_new(id, camera_id, starts_at, ends_at, reason, created_by)
    SELECT id, camera_id, starts_at, ends_at, reason, created_by FROM maintenance_window;
DROP TABLE maintenance_window;
ALTER TABLE maintenance_window_new RENAME TO maintenance_window;
CREATE INDEX maintenance_camera ON maintenance_window(camera_id, starts_at);
CREATE INDEX maintenance_point ON maintenance_window(point_id) WHERE point_id IS NOT NULL;
CREATE INDEX maintenance_zone ON maintenance_window(zone_id) WHERE zone_id IS NOT NULL;
CREATE INDEX maintenance_weekly ON maintenance_window(weekly) WHERE weekly = 1;
