-- 0012 the analyst role (sqlite). Keep in step with the other dialect's
-- 0012_analyst_role.sql. See docs/statistics.md: an analyst sees
-- statistics releases only, never a person.

-- SQLite cannot change a CHECK constraint: the users table is rebuilt with
-- the same columns and rows. sessions refers to users, and foreign keys stay
-- on inside the step's transaction (the pragma that would turn them off is
-- a no-op there; deferring them does not help: dropping a table with rows
-- referring to it counts violations that a rename does not take back). So
-- the sessions are set aside while users is rebuilt, then put back.
CREATE TABLE users_0012 (
  name          TEXT PRIMARY KEY,
  role          TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'auditor', 'admin',
                                              'verifier', 'analyst')),
  password_hash TEXT NOT NULL,
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL
);
INSERT INTO users_0012 (name, role, password_hash, active, created_at, created_by)
  SELECT name, role, password_hash, active, created_at, created_by FROM users;
CREATE TABLE sessions_0012 (
  token_sha256 TEXT NOT NULL,
  user_name    TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  expires_at   TEXT NOT NULL
);
INSERT INTO sessions_0012 (token_sha256, user_name, created_at, expires_at)
  SELECT token_sha256, user_name, created_at, expires_at FROM sessions;
DELETE FROM sessions;
DROP TABLE users;
ALTER TABLE users_0012 RENAME TO users;
INSERT INTO sessions (token_sha256, user_name, created_at, expires_at)
  SELECT token_sha256, user_name, created_at, expires_at FROM sessions_0012;
DROP TABLE sessions_0012;
