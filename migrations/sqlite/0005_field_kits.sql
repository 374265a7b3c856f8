-- 0005 field kits, registration days (jornadas) and births (sqlite). Keep in
-- step with the other dialect's 0005_field_kits.sql. See docs/field-kits.md.

-- At the centre: the kits it has certified. A kit signs with its own key,
-- which the trust list names with narrow rights, and numbers people with its
-- own office code (900-999), so offline numbers never collide.
CREATE TABLE kits (
  kit_id             TEXT PRIMARY KEY,
  office_code        TEXT NOT NULL UNIQUE,
  kid                TEXT NOT NULL UNIQUE,
  public_key         TEXT NOT NULL,
  not_before         TEXT NOT NULL,
  not_after          TEXT NOT NULL,
  max_validity_days  INTEGER NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('active', 'retired')),
  certified_at       TEXT NOT NULL,
  certified_by       TEXT NOT NULL
);

-- On a kit: its own identity (one row). The signing key is sealed with the
-- field key; the lists and keys it verifies with came from the centre.
CREATE TABLE kit_identity (
  kit_id            TEXT PRIMARY KEY,
  office_code       TEXT NOT NULL,
  signing_key_enc   TEXT NOT NULL,
  not_after         TEXT NOT NULL,
  max_validity_days INTEGER NOT NULL,
  root_public_key   TEXT NOT NULL,
  centre_bundle_key TEXT NOT NULL,
  centre_time_seen  TEXT NOT NULL,
  created_at        TEXT NOT NULL
);

-- Registration days: where, when, which kit and officers, and the counts at
-- the end.
CREATE TABLE jornadas (
  id            TEXT PRIMARY KEY,
  kit_id        TEXT,
  location_code TEXT NOT NULL,
  starts_on     TEXT NOT NULL,
  ends_on       TEXT NOT NULL,
  officers      TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  counts        TEXT,
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL,
  closed_at     TEXT
);

-- Births registered (at a kit or at the centre). Everything about the child
-- and the parents is one sealed record; the number is a registration number
-- of the registering office.
CREATE TABLE births (
  id                 TEXT PRIMARY KEY,
  birth_no_bidx      TEXT NOT NULL UNIQUE,
  birth_no_enc       TEXT NOT NULL,
  record_enc         TEXT NOT NULL,
  office_code        TEXT NOT NULL,
  jornada_id         TEXT REFERENCES jornadas (id),
  attestation_serial INTEGER,
  attestation_enc    TEXT,
  created_at         TEXT NOT NULL,
  created_by         TEXT NOT NULL
);
CREATE INDEX births_created ON births (created_at, id);

-- Provisional cards (signed by a kit key) are kept apart from final ones: the
-- centre confirms them with a final card or revokes them.
ALTER TABLE cards ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;

-- At the centre: sync bundles. Chunks are staged as they arrive (a transfer
-- resumes where it stopped); a bundle is imported once.
CREATE TABLE sync_chunks (
  bundle_id  TEXT NOT NULL,
  idx        INTEGER NOT NULL,
  sha256     TEXT NOT NULL,
  data       TEXT NOT NULL,
  PRIMARY KEY (bundle_id, idx)
);
CREATE TABLE sync_imports (
  bundle_id          TEXT PRIMARY KEY,
  kit_id             TEXT NOT NULL REFERENCES kits (kit_id),
  kit_created_at     TEXT NOT NULL,
  imported_at        TEXT NOT NULL,
  clock_skew_seconds INTEGER NOT NULL,
  report             TEXT NOT NULL,
  imported_by        TEXT NOT NULL
);
