-- Public status page per commune (issue 13): which communes (or hamlets, on opt-in) publish
-- a page at /trang-thai/<code>, and the notices officers write on it. Owner:
-- camnet/hosts/public_store.py. Nothing here names a camera, a point or a host.

CREATE TABLE public_status_page (
    zone_id    INTEGER PRIMARY KEY REFERENCES zone(id) ON DELETE CASCADE,
    enabled    INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);

CREATE TABLE public_status_notice (
    id         INTEGER PRIMARY KEY,
    zone_id    INTEGER NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT,              -- NULL: until an officer ends it
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX public_status_notice_zone ON public_status_notice(zone_id, starts_at);
