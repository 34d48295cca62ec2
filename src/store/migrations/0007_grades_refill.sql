-- The refill of school_grades after a bulk load reads each school's
-- enrolled learners from the index on (school_sid, status, grade), school
-- by school, so they come already in the order of the counts' key. The
-- GROUP BY of 0005 scanned the whole index and sorted it again (twice the
-- time for a million enrolments).

UPDATE derived_triggers SET refill =
  'DELETE FROM school_grades; ' ||
  'INSERT INTO school_grades (school_sid, grade, learners) ' ||
  'SELECT s.sid, e.grade, COUNT(*) FROM schools s CROSS JOIN enrolments e ' ||
  'ON e.school_sid = s.sid AND e.status = ''enrolled'' GROUP BY s.sid, e.grade'
WHERE tbl = 'enrolments';
