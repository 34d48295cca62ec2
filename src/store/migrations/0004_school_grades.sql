-- A school's learners by grade (the school page) count enrolled rows
-- from the index alone: status joins school and grade in it, so the
-- count reads no table row (at province scale the page costs half).
-- Queries on school alone, or school and status, use it as before.

DROP INDEX enrolments_school;
CREATE INDEX enrolments_school ON enrolments (school_sid, status, grade);
