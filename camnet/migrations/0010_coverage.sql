-- Coverage: versioned camera view geometry (with an R*Tree of bounding boxes), optional
-- per-camera view extras, per-zone coverage cache, street lines and key points, and the
-- who-saw answer kept with the extraction request it drafted.

CREATE TABLE camera_view_extra (
    camera_id   INTEGER PRIMARY KEY REFERENCES camera(id) ON DELETE CASCADE,
    min_range_m REAL CHECK (min_range_m IS NULL OR min_range_m >= 0),
    height_m    REAL CHECK (height_m IS NULL OR height_m >= 0)
);

-- One row per version of a camera's position and view; valid_to IS NULL = current.
-- The first version of a camera is valid from the beginning of time ('0001-…'): the camera
-- stood there before anyone registered it.
CREATE TABLE camera_geometry (
    id          INTEGER PRIMARY KEY,
    camera_id   INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
    zone_id     INTEGER NOT NULL,
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
    azimuth_deg REAL,
    fov_deg     REAL,
    range_m     REAL,
    min_range_m REAL,
    height_m    REAL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX camera_geometry_camera ON camera_geometry(camera_id, valid_from);
CREATE UNIQUE INDEX camera_geometry_current ON camera_geometry(camera_id) WHERE valid_to IS NULL;
CREATE INDEX camera_geometry_zone ON camera_geometry(zone_id) WHERE valid_to IS NULL;

-- Bounding boxes of every version, padded conservatively (range / 55 km per degree of
-- longitude holds to 60° latitude); exact tests happen in Python, in metres.
CREATE VIRTUAL TABLE IF NOT EXISTS camera_geometry_bbox USING rtree(id, min_lon, max_lon, min_lat, max_lat);

CREATE TRIGGER camera_geometry_bbox_insert AFTER INSERT ON camera_geometry
BEGIN
    INSERT INTO camera_geometry_bbox(id, min_lon, max_lon, min_lat, max_lat) VALUES (
        NEW.id,
        NEW.lon - COALESCE(NEW.range_m, 0) / 55000.0, NEW.lon + COALESCE(NEW.range_m, 0) / 55000.0,
        NEW.lat - COALESCE(NEW.range_m, 0) / 110000.0, NEW.lat + COALESCE(NEW.range_m, 0) / 110000.0);
END;
CREATE TRIGGER camera_geometry_bbox_delete AFTER DELETE ON camera_geometry
BEGIN
    DELETE FROM camera_geometry_bbox WHERE id = OLD.id;
END;

-- Backfill: every existing camera gets its first version.
INSERT INTO camera_geometry(camera_id, zone_id, lat, lon, azimuth_deg, fov_deg, range_m,
                            valid_from, recorded_at)
SELECT c.id, p.zone_id, p.lat, p.lon, c.azimuth_deg, c.fov_deg, c.range_m,
       '0001-01-01T00:00:00.000000Z', strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')
FROM camera c JOIN camera_point p ON p.id = c.point_id;

-- Street lines ("tuyến trọng điểm", OSM highway=*) and key points ("điểm trọng điểm").
CREATE TABLE zone_street (
    id          INTEGER PRIMARY KEY,
    zone_id     INTEGER NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
    name        TEXT NOT NULL DEFAULT '',
    geojson     TEXT NOT NULL,            -- LineString or MultiLineString, lon/lat
    imported_at TEXT NOT NULL
);
CREATE INDEX zone_street_zone ON zone_street(zone_id);

CREATE TABLE zone_keypoint (
    id          INTEGER PRIMARY KEY,
    zone_id     INTEGER NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
    name        TEXT NOT NULL DEFAULT '',
    lat         REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon         REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    imported_at TEXT NOT NULL
);
CREATE INDEX zone_keypoint_zone ON zone_keypoint(zone_id);

-- The union of the sectors of the cameras that were up, per zone. ``signature`` is a hash
-- of what went into it (covering cameras and their geometry versions, boundary, streets,
-- key points): a zone is recomputed only when its signature changes.
CREATE TABLE zone_coverage (
    zone_id     INTEGER PRIMARY KEY REFERENCES zone(id) ON DELETE CASCADE,
    signature   TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    report_json TEXT NOT NULL,           -- figures (area %, street %, key points)
    union_geojson TEXT,
    gaps_geojson  TEXT
);

-- What the officer saw when drafting a request from a who-saw answer (never updated).
CREATE TABLE request_whosaw (
    request_id  INTEGER PRIMARY KEY REFERENCES extraction_request(id) ON DELETE CASCADE,
    answer_json TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TRIGGER request_whosaw_no_update BEFORE UPDATE ON request_whosaw
BEGIN SELECT RAISE(ABORT, 'request_whosaw is append-only'); END;
