-- 0003 users and sessions of the HTTP service. Same text in both dialects.

CREATE TABLE users (
  name          TEXT PRIMARY KEY,
  role          TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'auditor', 'admin',
                                              'verifier')),
  password_hash TEXT NOT NULL,
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL
);

-- Bearer tokens are stored as their SHA-256: a database reader cannot use them.
CREATE TABLE sessions (
  token_sha256 TEXT PRIMARY KEY,
  user_name    TEXT NOT NULL REFERENCES users (name),
  created_at   TEXT NOT NULL,
  expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);
