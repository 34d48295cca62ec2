-- people_school holds only the people who have a school (learners and
-- teachers). Two thirds of a country's people (guardians, adult learners)
-- have none, and every read of this index asks for one school
-- (school_sid = ?, which implies IS NOT NULL, so SQLite uses the partial
-- index): the index is a third of the size, and its build at the end of
-- a national load a third of the time. An import killed before it built
-- the index again left only its record, which the new index replaces.

DROP INDEX IF EXISTS people_school;
CREATE INDEX people_school ON people (school_sid, role) WHERE school_sid IS NOT NULL;
DELETE FROM deferred_indexes WHERE name = 'people_school';
