-- 0008 accounts: login throttling, and an index to purge expired sessions.
-- Same text in both dialects.

-- Failed logins by subject: 'user:' or 'addr:' and a keyed blind index
-- (HMAC) of the user name or client address, so neither is stored in clear.
-- failures counts failures that each came within the failure window of the
-- one before; locked_until is when the next attempt may be checked.
CREATE TABLE login_throttle (
  subject      TEXT PRIMARY KEY,
  failures     INTEGER NOT NULL,
  last_failure TEXT NOT NULL,
  locked_until TEXT NOT NULL
);

CREATE INDEX sessions_expires ON sessions (expires_at);
