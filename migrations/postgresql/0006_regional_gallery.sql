-- 0006 pull and the regional gallery snapshot (postgresql). Keep in step with the
-- other dialect's 0006_regional_gallery.sql. See docs/field-kits.md, "Pull".

-- At the centre: the office codes (comma-separated) whose people make up a
-- kit's regional gallery snapshot; empty: the kit gets no snapshot.
ALTER TABLE kits ADD COLUMN region TEXT NOT NULL DEFAULT '';

-- On a kit: where its last pull of the regional snapshot left off (the
-- centre's cursor, opaque to the kit).
ALTER TABLE kit_identity ADD COLUMN gallery_cursor TEXT NOT NULL DEFAULT '';

-- On a kit: the people in it that came from the centre's regional snapshot.
-- They are stored like the kit's own enrollments (sealed, no photo) so every
-- enrollment on the kit is deduplicated against them, and are never exported
-- back to the centre.
CREATE TABLE regional_refs (
  applicant_id       TEXT PRIMARY KEY REFERENCES applicants (id),
  central_updated_at TEXT NOT NULL,
  pulled_at          TEXT NOT NULL
);
