-- 0007 deduplication held against a false-positive identification rate, and
-- re-templating (sqlite). Keep in step with the other dialect's
-- 0007_dedup_policy.sql. See docs/enrollment.md and docs/biometrics.md.

-- Each candidate's fused score (log10 likelihood ratio of face and
-- demographic evidence together) and its tier: 'hold' blocks the card until
-- a supervisor decides, 'flag' is reviewed at a lower priority without
-- blocking it. Candidates found before this step keep a NULL fused score and
-- are held, as they were.
ALTER TABLE duplicate_candidates ADD COLUMN fused_score REAL;
ALTER TABLE duplicate_candidates ADD COLUMN tier TEXT NOT NULL DEFAULT 'hold'
  CHECK (tier IN ('hold', 'flag'));
CREATE INDEX duplicate_candidates_open ON duplicate_candidates (tier, decision);

-- The template set ("<model id>/<version>") that made each enrollment's
-- template: everything enrolled before this step was fr_feature/1.
-- `puente face retemplate` moves rows to another set one by one.
ALTER TABLE enrollments ADD COLUMN template_set TEXT NOT NULL DEFAULT 'fr_feature/1';
CREATE INDEX enrollments_template_set ON enrollments (template_set);
