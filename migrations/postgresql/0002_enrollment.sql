-- 0002 enrollment, deduplication, adjudication, cards (PostgreSQL). Keep in step
-- with sqlite/0002_enrollment.sql.

-- One enrollment per applicant: the face photo and template (encrypted) and
-- where deduplication left it: held for adjudication, cleared, or found to be
-- a duplicate of someone already registered.
CREATE TABLE enrollments (
  id           TEXT PRIMARY KEY,
  applicant_id TEXT NOT NULL UNIQUE REFERENCES applicants (id),
  status       TEXT NOT NULL CHECK (status IN ('held', 'cleared', 'duplicate')),
  photo_enc    TEXT NOT NULL,
  template_enc TEXT NOT NULL,
  model_id     TEXT NOT NULL,
  quality      TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
CREATE INDEX enrollments_status ON enrollments (status, created_at);

-- Possible duplicates found at enrollment, with their scores and reasons
-- (the reasons name people and documents: encrypted), and the supervisor's
-- decision.
CREATE TABLE duplicate_candidates (
  id                     TEXT PRIMARY KEY,
  enrollment_id          TEXT NOT NULL REFERENCES enrollments (id),
  candidate_applicant_id TEXT NOT NULL REFERENCES applicants (id),
  face_score             DOUBLE PRECISION,
  demographic_score      DOUBLE PRECISION NOT NULL,
  reasons_enc            TEXT NOT NULL,
  decision               TEXT CHECK (decision IN ('same_person', 'different')),
  decided_by             TEXT,
  decided_at             TEXT,
  note_enc               TEXT,
  UNIQUE (enrollment_id, candidate_applicant_id)
);
CREATE INDEX duplicate_candidates_enrollment ON duplicate_candidates (enrollment_id);

-- Blind indexes of each applicant's demographic match keys (sound keys of
-- surnames, document numbers): candidates are found without decrypting
-- everyone.
CREATE TABLE match_keys (
  applicant_id TEXT NOT NULL REFERENCES applicants (id),
  key_bidx     TEXT NOT NULL,
  PRIMARY KEY (applicant_id, key_bidx)
);
CREATE INDEX match_keys_key ON match_keys (key_bidx);

-- "Same person" decisions: a possible multiple registration, kept visible.
CREATE TABLE identity_links (
  applicant_id        TEXT NOT NULL REFERENCES applicants (id),
  linked_applicant_id TEXT NOT NULL REFERENCES applicants (id),
  candidate_id        TEXT NOT NULL REFERENCES duplicate_candidates (id),
  created_at          TEXT NOT NULL,
  created_by          TEXT NOT NULL,
  PRIMARY KEY (applicant_id, linked_applicant_id)
);

-- Issued cards. The QR text carries personal data: encrypted.
CREATE TABLE cards (
  serial        BIGINT PRIMARY KEY,
  applicant_id  TEXT NOT NULL REFERENCES applicants (id),
  card_type     TEXT NOT NULL CHECK (card_type IN ('asylum-seeker', 'refugee',
                                                   'birth-attestation')),
  issuer_kid    TEXT NOT NULL,
  issued_at     TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
  revoked_at    TEXT,
  revoke_reason TEXT,
  replaces      BIGINT REFERENCES cards (serial),
  qr_enc        TEXT NOT NULL,
  created_by    TEXT NOT NULL
);
CREATE INDEX cards_applicant ON cards (applicant_id);
CREATE INDEX cards_status ON cards (status);
