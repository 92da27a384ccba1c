-- Hosts and residents: self-registration, versioned consent, private links, data-subject
-- requests and hosts' answers to footage requests. Owner: camnet/hosts/.

CREATE TABLE host_consent_text (           -- each version of the "cam kết chia sẻ dữ liệu"
    version    INTEGER PRIMARY KEY,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TRIGGER host_consent_text_no_update BEFORE UPDATE ON host_consent_text
BEGIN SELECT RAISE(ABORT, 'consent texts are versioned: add a new version'); END;
CREATE TRIGGER host_consent_text_no_delete BEFORE DELETE ON host_consent_text
BEGIN SELECT RAISE(ABORT, 'consent texts are versioned: add a new version'); END;
INSERT INTO host_consent_text(version, body, created_at, created_by) VALUES (1,
'CAM KẾT CHIA SẺ DỮ LIỆU HÌNH ẢNH CAMERA AN NINH

Tôi là chủ (hoặc người quản lý) các camera kê khai trong phiếu này và tự nguyện đồng ý:
1. Cung cấp cho công an xã/phường nơi đặt camera các thông tin kê khai (họ tên, số điện thoại, địa chỉ, vị trí, hướng quay, thời gian lưu của đầu ghi) để đưa camera vào danh sách camera cộng đồng.
2. Cho phép hệ thống kiểm tra định kỳ camera có hoạt động hay không (nếu tôi cung cấp địa chỉ RTSP); mật khẩu được lưu mã hóa và không hiển thị cho ai.
3. Khi có yêu cầu trích xuất hình ảnh đã được lãnh đạo phê duyệt, tôi sẽ cung cấp đoạn hình ảnh liên quan hoặc cho biết không còn hình ảnh.
Tôi có quyền xem, sửa, yêu cầu xóa dữ liệu của mình và rút lại đồng ý bất cứ lúc nào (Luật Bảo vệ dữ liệu cá nhân 2025, Điều 4; Nghị định 356/2025, Điều 5). Rút lại đồng ý làm dừng việc giám sát; hình ảnh đã bàn giao cho một vụ việc trước đó không bị xóa.
Camera có biển thông báo đang ghi hình theo Điều 32.2 Luật Bảo vệ dữ liệu cá nhân 2025.',
strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'migration 0090');

CREATE TABLE host_invite (                 -- a printable invite link / QR per commune or hamlet
    id         INTEGER PRIMARY KEY,
    zone_id    INTEGER NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
    code       TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE host_registration (           -- one host's point as submitted; reviewed by officers
    id             INTEGER PRIMARY KEY,
    zone_id        INTEGER NOT NULL REFERENCES zone(id) ON DELETE RESTRICT,
    invite_id      INTEGER REFERENCES host_invite(id) ON DELETE SET NULL,
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                   ('pending', 'changes_requested', 'approved', 'rejected', 'withdrawn')),
    host_name      TEXT NOT NULL,
    phone          TEXT NOT NULL,            -- E.164
    email          TEXT NOT NULL DEFAULT '', -- optional: camera alerts by e-mail (alerts host contact)
    point_name     TEXT NOT NULL,
    address        TEXT NOT NULL,
    lat            REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon            REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    cameras_json   TEXT NOT NULL,            -- cameras as submitted; passwords only as secret_enc
    client_address TEXT NOT NULL DEFAULT '',
    pow_challenge  TEXT UNIQUE,              -- a solved challenge is used once
    point_id       INTEGER REFERENCES camera_point(id) ON DELETE SET NULL,
    review_note    TEXT NOT NULL DEFAULT '',
    reviewed_by    TEXT,
    reviewed_at    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX host_registration_zone ON host_registration(zone_id, status);
CREATE INDEX host_registration_phone ON host_registration(phone, created_at);
CREATE INDEX host_registration_client ON host_registration(client_address, created_at);

CREATE TABLE host_camera (                 -- registry cameras of an approved registration
    registration_id INTEGER NOT NULL REFERENCES host_registration(id) ON DELETE CASCADE,
    camera_id       INTEGER NOT NULL UNIQUE REFERENCES camera(id) ON DELETE CASCADE,
    sign_posted     INTEGER NOT NULL CHECK (sign_posted IN (0, 1)),
    qcvn135         TEXT NOT NULL DEFAULT 'unknown' CHECK (qcvn135 IN ('yes', 'no', 'unknown')),
    PRIMARY KEY (registration_id, camera_id)
);

CREATE TABLE host_consent (
    id              INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES host_registration(id) ON DELETE CASCADE,
    version         INTEGER NOT NULL REFERENCES host_consent_text(version),
    channel         TEXT NOT NULL CHECK (channel IN ('web', 'paper')),
    given_at        TEXT NOT NULL,
    witnessed_by    TEXT,                    -- paper: the officer who witnessed it
    withdrawn_at    TEXT,
    withdrawn_via   TEXT,
    CHECK (channel = 'web' OR witnessed_by IS NOT NULL)
);
CREATE INDEX host_consent_registration ON host_consent(registration_id);

CREATE TABLE host_link (                   -- private links: only the token's hash is stored
    id              INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES host_registration(id) ON DELETE CASCADE,
    token_hash      TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    revoked_at      TEXT,
    last_used_at    TEXT
);
CREATE INDEX host_link_registration ON host_link(registration_id);

CREATE TABLE host_subject_request (        -- view / correct / delete requests (data-subject rights)
    id              INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES host_registration(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('view', 'correct', 'delete')),
    note            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    due_at          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'refused')),
    answer          TEXT NOT NULL DEFAULT '',
    closed_at       TEXT,
    closed_by       TEXT
);
CREATE INDEX host_subject_request_open ON host_subject_request(status, due_at);

CREATE TABLE host_footage_answer (         -- a host's answer to an approved extraction request
    id              INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES host_registration(id) ON DELETE CASCADE,
    request_id      INTEGER NOT NULL REFERENCES extraction_request(id) ON DELETE CASCADE,
    camera_id       INTEGER NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
    answer          TEXT NOT NULL CHECK (answer IN
                    ('uploaded', 'no_footage', 'overwritten', 'camera_off')),
    item_id         INTEGER REFERENCES evidence_item(id) ON DELETE SET NULL,
    at              TEXT NOT NULL
);
CREATE INDEX host_footage_answer_request ON host_footage_answer(request_id, camera_id);
