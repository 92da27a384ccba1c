-- Incidents, footage-extraction requests, evidence items, and two hash-chained,
-- append-only logs: custody_event and audit_log (see camnet/chain.py).
CREATE TABLE incident (
    id            INTEGER PRIMARY KEY,
    case_no       TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('theft', 'assault', 'traffic', 'fire', 'other')),
    occurred_from TEXT NOT NULL,
    occurred_to   TEXT NOT NULL,
    lat           REAL CHECK (lat BETWEEN -90 AND 90),
    lon           REAL CHECK (lon BETWEEN -180 AND 180),
    zone_id       INTEGER NOT NULL REFERENCES zone(id) ON DELETE RESTRICT,
    summary       TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK (occurred_to >= occurred_from)
);
CREATE INDEX incident_zone ON incident(zone_id);

CREATE TABLE extraction_request (
    id               INTEGER PRIMARY KEY,
    incident_id      INTEGER NOT NULL REFERENCES incident(id) ON DELETE RESTRICT,
    reason           TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'draft' CHECK (status IN
                     ('draft', 'submitted', 'approved', 'extracted', 'handed_over', 'rejected',
                      'unavailable')),
    requested_by     TEXT NOT NULL,
    approved_by      TEXT,
    decision_note    TEXT NOT NULL DEFAULT '',
    handed_over_to   TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX extraction_request_incident ON extraction_request(incident_id);
CREATE INDEX extraction_request_status ON extraction_request(status);

CREATE TABLE request_camera (
    request_id  INTEGER NOT NULL REFERENCES extraction_request(id) ON DELETE CASCADE,
    camera_id   INTEGER NOT NULL REFERENCES camera(id) ON DELETE RESTRICT,
    window_from TEXT NOT NULL,
    window_to   TEXT NOT NULL,
    PRIMARY KEY (request_id, camera_id),
    CHECK (window_to > window_from)
);

CREATE TABLE request_event (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES extraction_request(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX request_event_request ON request_event(request_id);

CREATE TABLE evidence_item (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES extraction_request(id) ON DELETE RESTRICT,
    camera_id   INTEGER REFERENCES camera(id) ON DELETE SET NULL,
    filename    TEXT NOT NULL,           -- the client's name: metadata only, never a path
    size        INTEGER NOT NULL CHECK (size >= 0),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    stored      INTEGER NOT NULL CHECK (stored IN (0, 1)),  -- 1: file kept by camnet
    acquired_at TEXT NOT NULL,
    acquired_by TEXT NOT NULL,
    method      TEXT NOT NULL DEFAULT '',
    holder      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX evidence_item_request ON evidence_item(request_id);

CREATE TABLE custody_event (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES evidence_item(id) ON DELETE RESTRICT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN
                ('acquired', 'transferred', 'copied', 'viewed', 'returned', 'sealed')),
    from_holder TEXT NOT NULL DEFAULT '',
    to_holder   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX custody_event_item ON custody_event(item_id);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    before    TEXT,                 -- JSON, secrets masked
    after     TEXT,                 -- JSON, secrets masked
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

CREATE TRIGGER custody_event_no_update BEFORE UPDATE ON custody_event
BEGIN SELECT RAISE(ABORT, 'custody_event is append-only'); END;
CREATE TRIGGER custody_event_no_delete BEFORE DELETE ON custody_event
BEGIN SELECT RAISE(ABORT, 'custody_event is append-only'); END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
