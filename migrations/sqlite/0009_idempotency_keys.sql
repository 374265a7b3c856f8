-- 0009 idempotency keys of HTTP enrollments (Idempotency-Key header). Same
-- text in both dialects. A key sent over HTTP is kept with a blind index of
-- the request it was first used for (a different request under the same key
-- is refused) and expires; an import's keys (both NULL) never do.
ALTER TABLE enrollment_keys ADD COLUMN request_bidx TEXT;
ALTER TABLE enrollment_keys ADD COLUMN expires_at TEXT;
CREATE INDEX enrollment_keys_expires_at ON enrollment_keys (expires_at);
