-- A user's job title ("Trung úy, cán bộ Công an xã"), shown with the full name wherever a
-- person acted (request history, approvals, audit, printed forms) instead of the login name.
ALTER TABLE user ADD COLUMN title TEXT NOT NULL DEFAULT '';
