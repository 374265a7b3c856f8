-- 0011 a field kit's sync status (postgresql). Keep in step with the other
-- dialect's 0011_kit_sync.sql. See docs/field-kits.md, "Sync status".

-- On a kit: its latest export, push and pull, one row each (the sync page of
-- the web app: what is waiting to export, when it last pushed and pulled, the
-- age of the lists it pulled). `detail` is JSON: the export's counts, the
-- centre's answer to the push, the pull's counts and the lists' times. No
-- personal data: counts, times and bundle ids only.
CREATE TABLE kit_sync_log (
  kind      TEXT PRIMARY KEY CHECK (kind IN ('export', 'push', 'pull')),
  at        TEXT NOT NULL,
  bundle_id TEXT NOT NULL,
  detail    TEXT NOT NULL
);
