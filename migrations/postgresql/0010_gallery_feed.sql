-- 0010 the gallery feed (postgresql). Keep in step with the other dialect's
-- 0010_gallery_feed.sql. See docs/deployment.md, "The gallery feed".

-- Several puente-server processes on one database each hold the face
-- gallery in memory. Every transaction that changes who is in the gallery
-- (an enrollment, a "same person" decision, re-templating, a field kit's
-- reference people) takes the gallery lock, advances gallery_feed.head by
-- one and stamps the enrollment rows it changed with that number, so the
-- numbers are committed in order and a server that has applied every
-- change up to N catches up by reading the rows numbered above N.
-- Enrollments from before this step keep 0: servers load them at start.
ALTER TABLE enrollments ADD COLUMN gallery_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX enrollments_gallery_seq ON enrollments (gallery_seq);

CREATE TABLE gallery_feed (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  head BIGINT NOT NULL
);
INSERT INTO gallery_feed (id, head) VALUES (1, 0);
