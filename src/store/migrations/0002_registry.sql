-- The registry: regions, schools, people, guardianships, enrolments, and
-- the per-region figures the dashboards read.
--
-- Public ids are UUIDv7 text (id); records from outside keep their external
-- id (code for regions and schools, ext_id for people and enrolments) so a
-- re-import updates in place. Names are kept as written plus a folded
-- search form (*_fold, see base/text.h). Dates are Gregorian YYYY-MM-DD
-- (or YYYY when only the year is known). People are retired, never deleted.

CREATE TABLE regions (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  code TEXT NOT NULL UNIQUE,
  parent_rid INTEGER REFERENCES regions (rid),
  level TEXT NOT NULL CHECK (level IN ('country', 'province', 'district', 'village')),
  depth INTEGER NOT NULL,
  path TEXT NOT NULL,                    -- '/IR/IR-07/IR-07-03/': codes from the top
  name TEXT NOT NULL,
  name_fold TEXT NOT NULL,
  names TEXT NOT NULL DEFAULT '{}',      -- {"en": "…", "fa": "…"}
  deprivation REAL CHECK (deprivation IS NULL OR (deprivation >= 0 AND deprivation <= 1)),
  population INTEGER,
  school_age_population INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  seq INTEGER NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_rid);
CREATE INDEX regions_path ON regions (path);

CREATE TABLE schools (
  sid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  code TEXT NOT NULL UNIQUE,             -- the national school code
  name TEXT NOT NULL,
  name_fold TEXT NOT NULL,
  names TEXT NOT NULL DEFAULT '{}',
  region_rid INTEGER NOT NULL REFERENCES regions (rid),
  levels TEXT NOT NULL DEFAULT '',       -- comma list of pre_primary, primary, lower_secondary, upper_secondary, adult
  boarding INTEGER NOT NULL DEFAULT 0,
  nomadic INTEGER NOT NULL DEFAULT 0,
  rural INTEGER NOT NULL DEFAULT 0,
  language TEXT NOT NULL DEFAULT '',
  lat REAL CHECK (lat IS NULL OR (lat >= -90 AND lat <= 90)),
  lon REAL CHECK (lon IS NULL OR (lon >= -180 AND lon <= 180)),
  learners INTEGER,
  teachers INTEGER,
  electricity TEXT NOT NULL DEFAULT 'none' CHECK (electricity IN ('grid', 'solar', 'none')),
  connectivity TEXT NOT NULL DEFAULT 'none'
    CHECK (connectivity IN ('none', '2g', '3g', '4g', 'fibre', 'satellite')),
  download_mbps REAL,
  measured_at TEXT,
  computers INTEGER NOT NULL DEFAULT 0,
  tablets INTEGER NOT NULL DEFAULT 0,
  projectors INTEGER NOT NULL DEFAULT 0,
  computer_centre INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  seq INTEGER NOT NULL
);
CREATE INDEX schools_region ON schools (region_rid);
CREATE INDEX schools_name ON schools (name_fold);

CREATE TABLE people (
  pid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  ext_id TEXT UNIQUE,                    -- OneRoster sourcedId or the register's id
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
CREATE INDEX people_region ON people (region_rid, pid);
CREATE INDEX people_school ON people (school_sid, role);
CREATE INDEX people_name ON people (name_fold);

CREATE TABLE guardianships (
  learner_pid INTEGER NOT NULL REFERENCES people (pid),
  guardian_pid INTEGER NOT NULL REFERENCES people (pid),
  relation TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (learner_pid, guardian_pid)
);
CREATE INDEX guardianships_guardian ON guardianships (guardian_pid);

CREATE TABLE enrolments (
  eid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  ext_id TEXT UNIQUE,
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
CREATE INDEX enrolments_school ON enrolments (school_sid, grade);
CREATE INDEX enrolments_learner ON enrolments (learner_pid);

-- What the dashboards show for a region and everything beneath it, made by
-- a refresh after imports and changes (a job), so a dashboard is one read.
-- The map columns hold the region's dot map ready to draw: its schools with
-- coordinates, projected (equirectangular, fitted to their bounding box)
-- into a box map_width by map_height, sampled down to a fixed number of
-- dots (dashboard/dashboard_int.h).
CREATE TABLE region_stats (
  region_rid INTEGER PRIMARY KEY REFERENCES regions (rid),
  figures TEXT NOT NULL,                 -- a JSON object; see docs/formats.md
  map_schools INTEGER NOT NULL DEFAULT 0, -- schools beneath with coordinates
  map_width INTEGER NOT NULL DEFAULT 0,
  map_height INTEGER NOT NULL DEFAULT 0,
  map_dots TEXT NOT NULL DEFAULT '',     -- SVG path data of the dots, a line per connectivity kind
  refreshed_at TEXT NOT NULL
);

-- Each import run: what, from where, how it went, and its rejected rows.
CREATE TABLE imports (
  uid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  source TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('default', 'strict', 'dry_run')),
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  job_id TEXT,                           -- the background job of a web upload
  message TEXT NOT NULL DEFAULT '',      -- why it failed
  rows_read INTEGER NOT NULL DEFAULT 0,
  rows_written INTEGER NOT NULL DEFAULT 0,
  rows_rejected INTEGER NOT NULL DEFAULT 0,
  started_by TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  seq INTEGER NOT NULL
);
CREATE TABLE import_rejects (
  import_uid INTEGER NOT NULL REFERENCES imports (uid),
  file TEXT NOT NULL,
  row INTEGER NOT NULL,
  col TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX import_rejects_import ON import_rejects (import_uid, row);
