-- Alerts (camnet.alerts): the outbox written with the status change, subscriptions and
-- contacts, per-recipient pending items and group state, deliveries and every attempt.
CREATE TABLE alert_event (            -- the outbox: one row per thing that happened
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    zone_id    INTEGER,
    camera_id  INTEGER,
    request_id INTEGER,
    at         TEXT NOT NULL,           -- when it happened (UTC)
    data       TEXT NOT NULL DEFAULT '{}',
    dedupe_key TEXT UNIQUE,             -- optional: one event per key (deadlines, watchdog)
    created_at TEXT NOT NULL,
    routed     INTEGER NOT NULL DEFAULT 0 CHECK (routed IN (0, 1))
);
CREATE INDEX alert_event_unrouted ON alert_event(routed, id);

CREATE TABLE alert_contact (          -- a user's own addresses
    user_id      INTEGER PRIMARY KEY REFERENCES user(id) ON DELETE CASCADE,
    zalo_chat_id TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    telegram_chat_id TEXT NOT NULL DEFAULT '',   -- optional extra channel
    zalo_oa_user_id  TEXT NOT NULL DEFAULT '',   -- optional extra: follower id of the OA
    language     TEXT NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en'))
);

CREATE TABLE alert_host_contact (     -- the host of a camera point
    point_id     INTEGER PRIMARY KEY REFERENCES camera_point(id) ON DELETE CASCADE,
    host_zalo    TEXT NOT NULL DEFAULT '',
    host_email   TEXT NOT NULL DEFAULT '',
    quiet_start  TEXT NOT NULL DEFAULT '22:00',
    quiet_end    TEXT NOT NULL DEFAULT '06:00'
);

CREATE TABLE alert_subscription (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER REFERENCES user(id) ON DELETE CASCADE,
    role         TEXT,
    chat_id      TEXT NOT NULL DEFAULT '',   -- a Zalo group chat the bot was added to
    zone_id      INTEGER NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
    events       TEXT NOT NULL DEFAULT '*',  -- comma list of event kinds, or *
    channels     TEXT NOT NULL DEFAULT 'zalo',
    quiet_start  TEXT NOT NULL DEFAULT '',
    quiet_end    TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    CHECK ((user_id IS NOT NULL) + (role IS NOT NULL) + (chat_id != '') = 1)
);
CREATE INDEX alert_subscription_zone ON alert_subscription(zone_id);

CREATE TABLE alert_link_code (        -- one-time codes that link a Zalo chat to a user
    code_hash  TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

CREATE TABLE alert_secret (           -- channel secrets, Fernet-encrypted
    name       TEXT PRIMARY KEY,
    value_enc  TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE alert_flap (             -- cameras currently "chập chờn"
    camera_id      INTEGER PRIMARY KEY,
    since          TEXT NOT NULL,
    last_change_at TEXT NOT NULL
);

CREATE TABLE alert_state (            -- small flags: zone over threshold, watchdog, poll offset
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE alert_pending (          -- one event for one recipient, waiting for its group
    id         INTEGER PRIMARY KEY,
    group_key  TEXT NOT NULL,
    event_id   INTEGER NOT NULL REFERENCES alert_event(id) ON DELETE CASCADE,
    recipient  TEXT NOT NULL,         -- JSON
    item       TEXT NOT NULL,         -- JSON
    created_at TEXT NOT NULL,
    flushed_at TEXT,
    UNIQUE (group_key, event_id)
);
CREATE INDEX alert_pending_open ON alert_pending(flushed_at, group_key);

CREATE TABLE alert_group (            -- per (recipient, zone): last message and open problems
    group_key     TEXT PRIMARY KEY,
    recipient     TEXT NOT NULL,
    last_flush_at TEXT,
    open          TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE alert_delivery (
    id              INTEGER PRIMARY KEY,
    idem_key        TEXT NOT NULL UNIQUE,  -- per alert and recipient: never sent twice
    group_key       TEXT NOT NULL,
    zone_id         INTEGER NOT NULL DEFAULT 0,   -- 0: system-wide (watchdog, chains)
    channel         TEXT NOT NULL,
    address         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    payload         TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    parts_sent      INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX alert_delivery_due ON alert_delivery(status, next_attempt_at);

CREATE TABLE alert_attempt (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES alert_delivery(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
    http_status INTEGER,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_attempt_delivery ON alert_attempt(delivery_id);
