-- Server-side sessions (logout really ends them), login throttling that survives restarts,
-- and API token expiry.

CREATE TABLE user_session (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
    sid_hash     TEXT NOT NULL UNIQUE,      -- sha256 hex of the random session id in the cookie
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ended_at     TEXT,
    end_reason   TEXT,
    address      TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_session_open ON user_session(user_id) WHERE ended_at IS NULL;

CREATE TABLE login_failure (
    key          TEXT PRIMARY KEY,          -- 'pair:<user>|<address>' or 'addr:<address>'
    failures     INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT
);

ALTER TABLE api_token ADD COLUMN expires_at TEXT;
