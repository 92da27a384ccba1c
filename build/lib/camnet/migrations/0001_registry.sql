-- Registry, users and API tokens. Times are UTC ISO-8601 text.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

CREATE TABLE zone (
    id               INTEGER PRIMARY KEY,
    parent_id        INTEGER REFERENCES zone(id) ON DELETE RESTRICT,
    level            TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune', 'hamlet')),
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    path             TEXT NOT NULL,          -- materialised path of ids: '/1/4/9/'
    boundary_geojson TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX zone_parent ON zone(parent_id);
CREATE INDEX zone_path ON zone(path);

CREATE TABLE camera_point (
    id           INTEGER PRIMARY KEY,
    zone_id      INTEGER NOT NULL REFERENCES zone(id) ON DELETE RESTRICT,
    name         TEXT NOT NULL,
    address      TEXT NOT NULL DEFAULT '',
    lat          REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon          REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    host_name    TEXT NOT NULL DEFAULT '',
    host_phone   TEXT NOT NULL DEFAULT '',
    funding      TEXT NOT NULL DEFAULT '',
    installed_on TEXT,
    notes        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (zone_id, name)
);
CREATE INDEX camera_point_zone ON camera_point(zone_id);

CREATE TABLE camera (
    id             INTEGER PRIMARY KEY,
    point_id       INTEGER NOT NULL REFERENCES camera_point(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    rtsp_url       TEXT NOT NULL,             -- never holds credentials
    username       TEXT NOT NULL DEFAULT '',
    secret_enc     TEXT,                      -- Fernet token of the password
    vendor         TEXT NOT NULL DEFAULT '',
    azimuth_deg    REAL CHECK (azimuth_deg >= 0 AND azimuth_deg <= 360),
    fov_deg        REAL CHECK (fov_deg >= 1 AND fov_deg <= 360),
    range_m        REAL CHECK (range_m > 0),
    retention_days INTEGER NOT NULL DEFAULT 7 CHECK (retention_days >= 0),
    enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    monitor_tier   INTEGER NOT NULL DEFAULT 2 CHECK (monitor_tier IN (1, 2)),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (point_id, name)
);
CREATE INDEX camera_point_id ON camera(point_id);

CREATE TABLE user (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name     TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'officer', 'investigator', 'commander', 'admin')),
    zone_id       INTEGER NOT NULL REFERENCES zone(id) ON DELETE RESTRICT,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL
);

CREATE TABLE api_token (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,       -- sha256 hex of the token
    prefix       TEXT NOT NULL,              -- first characters, to recognise it
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked      INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
