-- Bulk loads build indexes once, at their end (store.h,
-- store_defer_indexes).
--
-- deferred_indexes holds the indexes a load dropped. Each row is written
-- in the same transaction as its DROP INDEX and deleted in the same one
-- as its CREATE INDEX, so an index is always either in the schema or
-- here; a load that dies leaves its rows, and the next store_open builds
-- those indexes again.

CREATE TABLE deferred_indexes (
  name TEXT PRIMARY KEY,
  tbl TEXT NOT NULL,
  sql TEXT NOT NULL                      -- the index's CREATE INDEX, as sqlite_master had it
);

-- people and enrolments: the uniqueness of ext_id moves from a column
-- constraint, whose index can never be dropped, to a named unique index,
-- which a load into the empty table drops and builds again from sorted
-- keys (external ids come in any order, often random: kept up to date
-- row by row, their index costs more than the rest of the row). The
-- public id stays a column constraint: ids are made time-ordered, so its
-- index only ever grows at its end. The tables are rebuilt the SQLite
-- way (new table, copy, drop, rename, indexes), with foreign keys off.

CREATE TABLE people_new (
  pid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  ext_id TEXT,                           -- OneRoster sourcedId or the register's id; unique (people_ext_id)
  role TEXT NOT NULL CHECK (role IN ('learner', 'guardian', 'teacher', 'adult')),
  given_name TEXT NOT NULL,
  family_name TEXT NOT NULL,
  father_name TEXT NOT NULL DEFAULT '',
  name_fold TEXT NOT NULL,               -- folded "family given father", for search
  sex TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', 'f', 'm', 'x')),
  birth_date TEXT NOT NULL DEFAULT '',
  national_id TEXT NOT NULL DEFAULT '',
  region_rid INTEGER REFERENCES regions (rid),
  school_sid INTEGER REFERENCES schools (sid),  -- a teacher's school; a learner's current school
  subjects TEXT NOT NULL DEFAULT '',     -- teachers: comma list
  digital_skills INTEGER CHECK (digital_skills IS NULL OR (digital_skills >= 0 AND digital_skills <= 4)),
  has_device INTEGER,                    -- teachers: own device; learners: the household has one
  has_internet INTEGER,                  -- at home
  retired_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  seq INTEGER NOT NULL
);
INSERT INTO people_new (pid, id, ext_id, role, given_name, family_name, father_name, name_fold, sex, birth_date,
  national_id, region_rid, school_sid, subjects, digital_skills, has_device, has_internet, retired_at, created_at,
  updated_at, seq)
SELECT pid, id, ext_id, role, given_name, family_name, father_name, name_fold, sex, birth_date,
  national_id, region_rid, school_sid, subjects, digital_skills, has_device, has_internet, retired_at, created_at,
  updated_at, seq
FROM people;
DROP TABLE people;
ALTER TABLE people_new RENAME TO people;
CREATE UNIQUE INDEX people_ext_id ON people (ext_id);
CREATE INDEX people_region ON people (region_rid, pid);
CREATE INDEX people_school ON people (school_sid, role);
CREATE INDEX people_name ON people (name_fold);

CREATE TABLE enrolments_new (
  eid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  ext_id TEXT,                           -- unique (enrolments_ext_id)
  learner_pid INTEGER NOT NULL REFERENCES people (pid),
  school_sid INTEGER NOT NULL REFERENCES schools (sid),
  grade TEXT NOT NULL,
  school_year TEXT NOT NULL,             -- "2026-2027", or "1405" (Solar Hijri years kept as written)
  status TEXT NOT NULL DEFAULT 'enrolled'
    CHECK (status IN ('enrolled', 'transferred', 'dropped_out', 'graduated')),
  start_date TEXT NOT NULL DEFAULT '',
  end_date TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  seq INTEGER NOT NULL
);
INSERT INTO enrolments_new (eid, id, ext_id, learner_pid, school_sid, grade, school_year, status, start_date,
  end_date, created_at, updated_at, seq)
SELECT eid, id, ext_id, learner_pid, school_sid, grade, school_year, status, start_date,
  end_date, created_at, updated_at, seq
FROM enrolments;
DROP TABLE enrolments;
ALTER TABLE enrolments_new RENAME TO enrolments;
CREATE UNIQUE INDEX enrolments_ext_id ON enrolments (ext_id);
CREATE INDEX enrolments_school ON enrolments (school_sid, grade);
CREATE INDEX enrolments_learner ON enrolments (learner_pid);
