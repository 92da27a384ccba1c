-- Tier-2 transport memory (issue 10): the RTP transport that last gave a camera a picture.
-- A camera that refuses RTP over TCP (RTSP 400/461) is opened over UDP first next time.
CREATE TABLE tier2_transport (
    camera_id  INTEGER PRIMARY KEY REFERENCES camera(id) ON DELETE CASCADE,
    transport  TEXT NOT NULL CHECK (transport IN ('tcp', 'udp')),
    learnt_at  TEXT NOT NULL
);
