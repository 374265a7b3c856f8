-- 0001 initial schema (SQLite). Keep in step with postgresql/0001_initial.sql.
-- Columns ending in _enc hold base64 AES-256-GCM ciphertexts (see docs/security.md);
-- columns ending in _bidx hold hex HMAC-SHA-256 blind indexes. Timestamps are
-- RFC 3339 UTC text; ids are random UUIDs made by the application.

CREATE TABLE key_ring (
  id          INTEGER PRIMARY KEY,
  purpose     TEXT NOT NULL CHECK (purpose IN ('field', 'blind_index', 'audit')),
  wrapped_key TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE registration_sequences (
  office_code TEXT NOT NULL,
  year        INTEGER NOT NULL,
  next_value  INTEGER NOT NULL,
  PRIMARY KEY (office_code, year)
);

CREATE TABLE cases (
  id          TEXT PRIMARY KEY,
  case_number TEXT NOT NULL UNIQUE,
  status      TEXT NOT NULL CHECK (status IN ('registered', 'admitted', 'recognized',
                                              'rejected', 'appeal', 'closed')),
  office_code TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE applicants (
  id                 TEXT PRIMARY KEY,
  reg_no_bidx        TEXT NOT NULL UNIQUE,
  reg_no_enc         TEXT NOT NULL,
  case_id            TEXT NOT NULL REFERENCES cases (id),
  relationship       TEXT NOT NULL CHECK (relationship IN ('principal', 'spouse', 'child',
                       'parent', 'sibling', 'grandchild', 'grandparent', 'other_relative',
                       'unrelated')),
  given_names_enc    TEXT NOT NULL,
  surname1_enc       TEXT NOT NULL,
  surname2_enc       TEXT,
  sex                TEXT NOT NULL CHECK (sex IN ('F', 'M', 'X')),
  date_of_birth_enc  TEXT NOT NULL,
  dob_precision      TEXT NOT NULL CHECK (dob_precision IN ('exact', 'year', 'estimated')),
  nationality        TEXT NOT NULL,
  place_of_birth_enc TEXT,
  languages          TEXT NOT NULL DEFAULT '',
  phone_enc          TEXT,
  address_enc        TEXT,
  office_code        TEXT NOT NULL,
  officer            TEXT NOT NULL,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX applicants_case ON applicants (case_id);
CREATE INDEX applicants_created ON applicants (created_at, id);

CREATE TABLE identity_documents (
  id              TEXT PRIMARY KEY,
  applicant_id    TEXT NOT NULL REFERENCES applicants (id),
  doc_type        TEXT NOT NULL CHECK (doc_type IN ('passport', 'national_id',
                    'birth_certificate', 'travel_document', 'other')),
  issuing_country TEXT NOT NULL,
  number_enc      TEXT NOT NULL,
  number_bidx     TEXT NOT NULL,
  expiry_date     TEXT,
  created_at      TEXT NOT NULL
);
CREATE INDEX identity_documents_applicant ON identity_documents (applicant_id);
CREATE INDEX identity_documents_number ON identity_documents (number_bidx);

CREATE TABLE case_status_history (
  id          TEXT PRIMARY KEY,
  case_id     TEXT NOT NULL REFERENCES cases (id),
  seq         INTEGER NOT NULL,
  from_status TEXT,
  to_status   TEXT NOT NULL,
  effective   TEXT NOT NULL,
  changed_at  TEXT NOT NULL,
  changed_by  TEXT NOT NULL,
  reason_enc  TEXT NOT NULL,
  UNIQUE (case_id, seq)
);

CREATE TABLE audit_events (
  seq       INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  entity    TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  details   TEXT NOT NULL,
  prev_mac  TEXT NOT NULL,
  mac       TEXT NOT NULL
);

-- The chain's head, updated in the same transaction as each append: its row
-- lock serialises writers, and it lets `audit verify` detect a cut-off tail.
CREATE TABLE audit_head (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  mac TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, mac) VALUES (1, 0, '');

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
