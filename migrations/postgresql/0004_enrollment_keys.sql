-- 0004 idempotency keys of enrollments (bulk import rows, client retries).
-- Same text in both dialects. The key may name a person (an import's row
-- id): stored as a blind index.
CREATE TABLE enrollment_keys (
  key_bidx      TEXT PRIMARY KEY,
  enrollment_id TEXT NOT NULL REFERENCES enrollments (id)
);
