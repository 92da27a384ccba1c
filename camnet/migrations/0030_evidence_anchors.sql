-- Every fact in the custody chain (issue 14). custody_event is rebuilt so that a row may be
-- a request fact (item_id NULL, request_id set) and carry optional chained columns:
-- request_id, req_seq (contiguous per request) and fact (JSON: the item's sha256/size/name,
-- a request transition, a package build). Existing rows are copied unchanged: the optional
-- columns are NULL and left out of the hash, so their hashes still verify.
DROP TRIGGER IF EXISTS custody_event_no_update;
DROP TRIGGER IF EXISTS custody_event_no_delete;

CREATE TABLE custody_event_v2 (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER REFERENCES evidence_item(id) ON DELETE RESTRICT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN
                ('acquired', 'transferred', 'copied', 'viewed', 'returned', 'sealed',
                 're_verified', 'destroyed', 'request_created', 'request_status',
                 'package_built', 'package_downloaded', 'file_repaired')),
    from_holder TEXT NOT NULL DEFAULT '',
    to_holder   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    request_id  INTEGER REFERENCES extraction_request(id) ON DELETE RESTRICT,
    req_seq     INTEGER,
    req_prev_hash TEXT,   -- hash of the request's previous custody row (per-request chain)
    fact        TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    CHECK ((request_id IS NULL) = (req_seq IS NULL)),
    CHECK ((request_id IS NULL) = (req_prev_hash IS NULL)),
    CHECK (item_id IS NOT NULL OR request_id IS NOT NULL)
);
INSERT INTO custody_event_v2(id, item_id, at, actor, action, from_holder, to_holder, note,
                             prev_hash, hash)
    SELECT id, item_id, at, actor, action, from_holder, to_holder, note, prev_hash, hash
    FROM custody_event ORDER BY id;
DROP TABLE custody_event;
ALTER TABLE custody_event_v2 RENAME TO custody_event;
CREATE INDEX custody_event_item ON custody_event(item_id);
CREATE UNIQUE INDEX custody_event_request_seq ON custody_event(request_id, req_seq);

CREATE TRIGGER custody_event_no_update BEFORE UPDATE ON custody_event
BEGIN SELECT RAISE(ABORT, 'custody_event is append-only'); END;
CREATE TRIGGER custody_event_no_delete BEFORE DELETE ON custody_event
BEGIN SELECT RAISE(ABORT, 'custody_event is append-only'); END;

-- Retention and the overwrite deadline, frozen into the request when it is submitted
-- (a later registry edit does not move the deadline).
CREATE TABLE request_retention (
    request_id         INTEGER NOT NULL,
    camera_id          INTEGER NOT NULL,
    retention_days     INTEGER NOT NULL CHECK (retention_days >= 0),
    overwrite_deadline TEXT NOT NULL,
    frozen_at          TEXT NOT NULL,
    PRIMARY KEY (request_id, camera_id),
    FOREIGN KEY (request_id, camera_id) REFERENCES request_camera(request_id, camera_id)
        ON DELETE CASCADE
);
