-- A zone can be switched off (admin) and back on: kept with all its history and evidence,
-- its cameras not probed, no new points in it. Disabling switches off the cameras of the
-- zone's subtree that were on and remembers which zone did it (camera.disabled_by_zone), so
-- switching the zone back on restores exactly those and leaves cameras disabled by hand off.
ALTER TABLE zone ADD COLUMN disabled_at TEXT;
ALTER TABLE camera ADD COLUMN disabled_by_zone INTEGER REFERENCES zone(id) ON DELETE SET NULL;
CREATE INDEX camera_disabled_by_zone ON camera(disabled_by_zone) WHERE disabled_by_zone IS NOT NULL;
