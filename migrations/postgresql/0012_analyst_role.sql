-- 0012 the analyst role (postgresql). Keep in step with the other dialect's
-- 0012_analyst_role.sql. See docs/statistics.md: an analyst sees
-- statistics releases only, never a person.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('officer', 'supervisor', 'auditor', 'admin', 'verifier', 'analyst'));
