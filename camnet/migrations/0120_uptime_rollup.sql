-- Province scale (issue 17): daily uptime rollups, their invalidation, and list indexes.
--
-- uptime_daily holds, per camera and UTC day, the seconds that make the uptime figures
-- (monitor/uptime.py): watched (maintenance excluded), down, degraded, maintenance, no data.
-- It is SPARSE: a day before `rolled_until` on which a camera existed from midnight to
-- midnight and has no row was watched all day, up, with a good picture and no maintenance
-- (86 400 s monitored). Only days with anything else — an outage, degraded time, a
-- maintenance window, a gap in monitoring, the day the camera was registered — get a row.
CREATE TABLE uptime_daily (
    camera_id     INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
    day           TEXT NOT NULL,                 -- UTC 'YYYY-MM-DD'
    monitored_s   REAL NOT NULL,
    down_s        REAL NOT NULL,
    degraded_s    REAL NOT NULL,
    maintenance_s REAL NOT NULL,
    no_data_s     REAL NOT NULL,
    PRIMARY KEY (day, camera_id)
) WITHOUT ROWID;

-- Days before `rolled_until` are rolled up. Any write that changes the history of such a
-- day (a back-dated outage, a maintenance window in the past, an import) moves
-- `rolled_until` back to that day (triggers below); `horizon` is how far a roll-up that is
-- under way reaches, and `dirty` tells it that history inside it changed meanwhile.
-- Starts empty: the first roll-up (service start, or `camnet uptime rollup`) backfills from
-- the existing outages, status changes, watched spans and maintenance windows.
CREATE TABLE uptime_rollup_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    rolled_until TEXT NOT NULL,
    horizon      TEXT NOT NULL,
    dirty        INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT
);
INSERT INTO uptime_rollup_state(id, rolled_until, horizon) VALUES (1, '0000-00-00', '0000-00-00');

CREATE TRIGGER rollup_outage_insert AFTER INSERT ON outage
WHEN NEW.started_at < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1,
        rolled_until = MIN(rolled_until, substr(NEW.started_at, 1, 10)) WHERE id = 1;
END;
CREATE TRIGGER rollup_outage_update AFTER UPDATE ON outage
WHEN MIN(
        COALESCE(CASE WHEN NEW.started_at IS NOT OLD.started_at OR NEW.camera_id IS NOT OLD.camera_id
                      THEN MIN(NEW.started_at, OLD.started_at) END, '9999'),
        COALESCE(CASE WHEN NEW.ended_at IS NOT OLD.ended_at
                      THEN COALESCE(MIN(NEW.ended_at, OLD.ended_at), NEW.ended_at, OLD.ended_at) END,
                 '9999'))
     < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1, rolled_until = MIN(rolled_until, substr(MIN(
        COALESCE(CASE WHEN NEW.started_at IS NOT OLD.started_at OR NEW.camera_id IS NOT OLD.camera_id
                      THEN MIN(NEW.started_at, OLD.started_at) END, '9999'),
        COALESCE(CASE WHEN NEW.ended_at IS NOT OLD.ended_at
                      THEN COALESCE(MIN(NEW.ended_at, OLD.ended_at), NEW.ended_at, OLD.ended_at) END,
                 '9999')), 1, 10)) WHERE id = 1;
END;
CREATE TRIGGER rollup_outage_delete AFTER DELETE ON outage
WHEN OLD.started_at < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1,
        rolled_until = MIN(rolled_until, substr(OLD.started_at, 1, 10)) WHERE id = 1;
END;

CREATE TRIGGER rollup_change_insert AFTER INSERT ON status_change
WHEN NEW.at < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1,
        rolled_until = MIN(rolled_until, substr(NEW.at, 1, 10)) WHERE id = 1;
END;
CREATE TRIGGER rollup_change_update AFTER UPDATE ON status_change
WHEN MIN(NEW.at, OLD.at) < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
     AND (NEW.at IS NOT OLD.at OR NEW.to_status IS NOT OLD.to_status
          OR NEW.camera_id IS NOT OLD.camera_id)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1,
        rolled_until = MIN(rolled_until, substr(MIN(NEW.at, OLD.at), 1, 10)) WHERE id = 1;
END;
CREATE TRIGGER rollup_change_delete AFTER DELETE ON status_change
WHEN OLD.at < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1,
        rolled_until = MIN(rolled_until, substr(OLD.at, 1, 10)) WHERE id = 1;
END;

-- Every cycle extends spans near now: the WHEN is false unless history before the horizon moves.
CREATE TRIGGER rollup_span_insert AFTER INSERT ON watched_span
WHEN NEW.started_at < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1,
        rolled_until = MIN(rolled_until, substr(NEW.started_at, 1, 10)) WHERE id = 1;
END;
CREATE TRIGGER rollup_span_update AFTER UPDATE ON watched_span
WHEN (CASE WHEN NEW.started_at IS NOT OLD.started_at OR NEW.camera_id IS NOT OLD.camera_id
           THEN MIN(NEW.started_at, OLD.started_at)
           WHEN NEW.ended_at IS NOT OLD.ended_at THEN MIN(NEW.ended_at, OLD.ended_at) END)
     < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1, rolled_until = MIN(rolled_until, substr(
        CASE WHEN NEW.started_at IS NOT OLD.started_at OR NEW.camera_id IS NOT OLD.camera_id
             THEN MIN(NEW.started_at, OLD.started_at)
             ELSE MIN(NEW.ended_at, OLD.ended_at) END, 1, 10)) WHERE id = 1;
END;
CREATE TRIGGER rollup_span_delete AFTER DELETE ON watched_span
WHEN OLD.started_at < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1,
        rolled_until = MIN(rolled_until, substr(OLD.started_at, 1, 10)) WHERE id = 1;
END;

-- Maintenance (one-off or weekly, camera, point or zone): any change reaches back to the
-- window's first occurrence.
CREATE TRIGGER rollup_maintenance_insert AFTER INSERT ON maintenance_window
WHEN NEW.starts_at < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1,
        rolled_until = MIN(rolled_until, substr(NEW.starts_at, 1, 10)) WHERE id = 1;
END;
CREATE TRIGGER rollup_maintenance_update AFTER UPDATE ON maintenance_window
WHEN MIN(NEW.starts_at, OLD.starts_at) < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1,
        rolled_until = MIN(rolled_until, substr(MIN(NEW.starts_at, OLD.starts_at), 1, 10)) WHERE id = 1;
END;
CREATE TRIGGER rollup_maintenance_delete AFTER DELETE ON maintenance_window
WHEN OLD.starts_at < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1,
        rolled_until = MIN(rolled_until, substr(OLD.starts_at, 1, 10)) WHERE id = 1;
END;

-- A camera registered back-dated, re-dated, or moved to a point or zone with other
-- maintenance windows.
CREATE TRIGGER rollup_camera_insert AFTER INSERT ON camera
WHEN NEW.created_at < (SELECT horizon FROM uptime_rollup_state WHERE id = 1)
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1,
        rolled_until = MIN(rolled_until, substr(NEW.created_at, 1, 10)) WHERE id = 1;
END;
CREATE TRIGGER rollup_camera_update AFTER UPDATE OF created_at, point_id ON camera
WHEN NEW.created_at IS NOT OLD.created_at OR NEW.point_id IS NOT OLD.point_id
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1, rolled_until = MIN(rolled_until,
        substr(MIN(NEW.created_at, OLD.created_at), 1, 10),
        COALESCE((SELECT substr(MIN(starts_at), 1, 10) FROM maintenance_window
                  WHERE camera_id IS NULL), '9999')) WHERE id = 1;
END;
CREATE TRIGGER rollup_point_update AFTER UPDATE OF zone_id ON camera_point
WHEN NEW.zone_id IS NOT OLD.zone_id
BEGIN
    UPDATE uptime_rollup_state SET dirty = 1, rolled_until = MIN(rolled_until,
        COALESCE((SELECT substr(MIN(starts_at), 1, 10) FROM maintenance_window
                  WHERE zone_id IS NOT NULL), '9999')) WHERE id = 1;
END;

-- Lists page by key and never sort a whole table: the orders they are read in.
CREATE INDEX IF NOT EXISTS status_change_id_camera ON status_change(id, camera_id);
CREATE INDEX IF NOT EXISTS camera_status_status_id ON camera_status(status, camera_id);
CREATE INDEX IF NOT EXISTS outage_started ON outage(started_at);
CREATE INDEX IF NOT EXISTS camera_point_zone_name ON camera_point(zone_id, name);
CREATE INDEX IF NOT EXISTS incident_occurred ON incident(occurred_from DESC, id DESC);
CREATE INDEX IF NOT EXISTS incident_zone_occurred ON incident(zone_id, occurred_from DESC, id DESC);
