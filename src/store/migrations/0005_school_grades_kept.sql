-- A school's enrolled learners by grade, kept as enrolments change, so
-- the school page reads a dozen rows instead of counting hundreds of
-- enrolments on every view (at province scale the count was two thirds
-- of the page's cost).
--
-- school_grades is derived data, kept exact by the triggers below in the
-- transaction of every change, whoever makes it (API, import, demo). A
-- bulk load into the empty enrolments table drops the triggers with the
-- table's indexes (store_defer_indexes), and when it builds them again
-- it runs the refill derived_triggers gives, which computes the counts
-- afresh. Rows that fall to 0 stay (the page skips them).

CREATE TABLE school_grades (
  school_sid INTEGER NOT NULL,
  grade TEXT NOT NULL,
  learners INTEGER NOT NULL,
  PRIMARY KEY (school_sid, grade)
) WITHOUT ROWID;

INSERT INTO school_grades (school_sid, grade, learners)
SELECT school_sid, grade, COUNT(*) FROM enrolments WHERE status = 'enrolled' GROUP BY school_sid, grade;

CREATE TRIGGER enrolments_grades_insert AFTER INSERT ON enrolments WHEN new.status = 'enrolled'
BEGIN
  INSERT INTO school_grades (school_sid, grade, learners) VALUES (new.school_sid, new.grade, 1)
  ON CONFLICT (school_sid, grade) DO UPDATE SET learners = learners + 1;
END;

CREATE TRIGGER enrolments_grades_delete AFTER DELETE ON enrolments WHEN old.status = 'enrolled'
BEGIN
  UPDATE school_grades SET learners = learners - 1 WHERE school_sid = old.school_sid AND grade = old.grade;
END;

CREATE TRIGGER enrolments_grades_update AFTER UPDATE OF school_sid, grade, status ON enrolments
WHEN (old.status = 'enrolled' OR new.status = 'enrolled')
  AND (old.school_sid, old.grade, old.status) IS NOT (new.school_sid, new.grade, new.status)
BEGIN
  UPDATE school_grades SET learners = learners - 1
  WHERE old.status = 'enrolled' AND school_sid = old.school_sid AND grade = old.grade;
  INSERT INTO school_grades (school_sid, grade, learners)
  SELECT new.school_sid, new.grade, 1 WHERE new.status = 'enrolled'
  ON CONFLICT (school_sid, grade) DO UPDATE SET learners = learners + 1;
END;

-- The triggers that keep derived data, and what computes that data
-- afresh (one text for all the triggers of a table). A bulk load defers
-- these with the table's indexes; triggers that enforce a rule are not
-- listed, and stay. store_rebuild_indexes runs a table's refill once,
-- after building its triggers again.
CREATE TABLE derived_triggers (
  name TEXT PRIMARY KEY,
  tbl TEXT NOT NULL,
  refill TEXT NOT NULL
);
INSERT INTO derived_triggers (name, tbl, refill)
SELECT column1, 'enrolments',
  'DELETE FROM school_grades; ' ||
  'INSERT INTO school_grades (school_sid, grade, learners) ' ||
  'SELECT school_sid, grade, COUNT(*) FROM enrolments WHERE status = ''enrolled'' GROUP BY school_sid, grade'
FROM (VALUES ('enrolments_grades_insert'), ('enrolments_grades_delete'), ('enrolments_grades_update'));

-- Deferred triggers sit beside deferred indexes, and are built after them.
ALTER TABLE deferred_indexes ADD COLUMN type TEXT NOT NULL DEFAULT 'index';
