-- A small region tree for the dashboard tests (tests/http/30N_*.mjs and
-- tests/browser/010_drill.mjs): country XC, provinces XC-01 and XC-02, two
-- districts each, two villages each, three schools a village with five
-- learners, two teachers and one guardian a learner; then the cases that
-- test where people are counted: a child out of school (home region only),
-- a guardian with neither school nor region (the country's totals only), a
-- retired learner and an adult learner (in no figure), and a school with
-- no coordinates (counted, but not on the map). Made by bench/registry's
-- generator (gen_sql 2 2 2 3 5 2 1) plus these rows.
BEGIN;
CREATE TEMP TABLE seq (n INTEGER PRIMARY KEY);
WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 100)
INSERT INTO seq SELECT n FROM s;
INSERT INTO regions (rid, id, code, parent_rid, level, depth, path, name, name_fold, names, created_at, updated_at, seq)
VALUES (1, '00000001-0000-7000-8000-000000000001', 'XC', NULL, 'country', 0, '/XC/', 'Xcountry', 'xcountry',
        '{"en":"Xcountry","fa":"کشور نمونه"}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1);
INSERT INTO regions (id, code, parent_rid, level, depth, path, name, name_fold, names, created_at, updated_at, seq)
SELECT printf('00000002-0000-7000-8000-%012d', p.n), printf('XC-%02d', p.n), 1, 'province', 1,
       printf('/XC/XC-%02d/', p.n), printf('Province %d', p.n), printf('province %d', p.n),
       printf('{"en":"Province %d","fa":"استان %d"}', p.n, p.n), '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1
FROM seq p WHERE p.n <= 2;
INSERT INTO regions (id, code, parent_rid, level, depth, path, name, name_fold, names, created_at, updated_at, seq)
SELECT printf('00000003-0000-7000-8000-%06d%06d', p.n, d.n), printf('XC-%02d-%02d', p.n, d.n), r.rid, 'district', 2,
       printf('/XC/XC-%02d/XC-%02d-%02d/', p.n, p.n, d.n), printf('District %d.%d', p.n, d.n), printf('district %d %d', p.n, d.n),
       printf('{"en":"District %d.%d","fa":"شهرستان %d.%d"}', p.n, d.n, p.n, d.n), '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1
FROM seq p JOIN seq d ON d.n <= 2 JOIN regions r ON r.code = printf('XC-%02d', p.n) WHERE p.n <= 2;
INSERT INTO regions (id, code, parent_rid, level, depth, path, name, name_fold, names, created_at, updated_at, seq)
SELECT printf('00000004-0000-7000-8000-%04d%04d%04d', p.n, d.n, v.n), printf('XC-%02d-%02d-%03d', p.n, d.n, v.n), r.rid, 'village', 3,
       printf('/XC/XC-%02d/XC-%02d-%02d/XC-%02d-%02d-%03d/', p.n, p.n, d.n, p.n, d.n, v.n),
       printf('Village %d.%d.%d', p.n, d.n, v.n), printf('village %d %d %d', p.n, d.n, v.n),
       printf('{"en":"Village %d.%d.%d","fa":"روستای %d.%d.%d"}', p.n, d.n, v.n, p.n, d.n, v.n),
       '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1
FROM seq p JOIN seq d ON d.n <= 2 JOIN seq v ON v.n <= 2 JOIN regions r ON r.code = printf('XC-%02d-%02d', p.n, d.n)
WHERE p.n <= 2;
INSERT INTO schools (id, code, name, name_fold, region_rid, boarding, nomadic, rural, lat, lon, learners, teachers,
                     electricity, connectivity, computers, tablets, created_at, updated_at, seq)
SELECT printf('00000005-0000-7000-8000-%012d', r.rid * 1000 + s.n), printf('S%s-%02d', substr(r.code, 4), s.n),
       printf('School %s-%d', substr(r.code, 4), s.n), printf('school %s %d', substr(r.code, 4), s.n), r.rid,
       (r.rid + s.n) % 10 = 0, (r.rid * 3 + s.n) % 17 = 0, (r.rid + s.n) % 3 <> 0,
       34.0 + CAST(substr(r.code, 4, 2) AS INTEGER) * 1.1 + (CAST(substr(r.code, 7, 2) AS INTEGER) % 5) * 0.2
            + (CAST(substr(r.code, 10, 3) AS INTEGER) % 4) * 0.045 + ((s.n * 37 + r.rid * 11) % 100) * 0.0004,
       46.0 + (CAST(substr(r.code, 7, 2) AS INTEGER) / 5) * 0.35 + (CAST(substr(r.code, 10, 3) AS INTEGER) / 4) * 0.06
            + ((s.n * 53 + r.rid * 7) % 100) * 0.0005,
       CASE WHEN (r.rid + s.n) % 9 = 0 THEN NULL ELSE 5 END, 2,
       CASE (r.rid + s.n) % 5 WHEN 0 THEN 'none' WHEN 1 THEN 'solar' ELSE 'grid' END,
       CASE (r.rid * 7 + s.n * 3) % 6 WHEN 0 THEN 'none' WHEN 1 THEN '2g' WHEN 2 THEN '3g' WHEN 3 THEN '4g'
            WHEN 4 THEN 'fibre' ELSE 'satellite' END,
       (r.rid + s.n * 5) % 13, (r.rid + s.n) % 7, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1
FROM regions r JOIN seq s ON s.n <= 3 WHERE r.level = 'village';
INSERT INTO people (id, role, given_name, family_name, name_fold, region_rid, school_sid, has_device, has_internet,
                    birth_date, created_at, updated_at, seq)
SELECT printf('00000006-0000-7000-8000-%012d', sc.sid * 10000 + n.n), 'learner', 'Given' || n.n, 'Family' || sc.sid,
       'family given', sc.region_rid, sc.sid, (sc.sid + n.n) % 3 <> 0, (sc.sid + n.n) % 4 = 0, '2015-01-01',
       '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1
FROM schools sc JOIN seq n ON n.n <= 5;
INSERT INTO people (id, role, given_name, family_name, name_fold, region_rid, school_sid, has_device, digital_skills,
                    created_at, updated_at, seq)
SELECT printf('00000007-0000-7000-8000-%012d', sc.sid * 10000 + n.n), 'teacher', 'Teacher' || n.n, 'Family' || sc.sid,
       'family teacher', sc.region_rid, sc.sid, (sc.sid + n.n) % 2, CASE WHEN (sc.sid + n.n) % 7 = 0 THEN NULL ELSE (sc.sid * 3 + n.n) % 5 END,
       '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1
FROM schools sc JOIN seq n ON n.n <= 2;
INSERT INTO people (id, role, given_name, family_name, name_fold, region_rid, created_at, updated_at, seq)
SELECT printf('00000008-0000-7000-8000-%012d', l.pid * 10 + g.n), 'guardian', 'Guardian' || g.n, l.family_name,
       'family guardian', l.region_rid, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1
FROM people l JOIN seq g ON g.n <= 1 WHERE l.role = 'learner';
INSERT INTO people (id, role, given_name, family_name, name_fold, region_rid, has_device, has_internet, birth_date,
                    created_at, updated_at, seq)
SELECT '00000009-0000-7000-8000-000000000001', 'learner', 'Out', 'Ofschool', 'ofschool out', rid, 1, 1, '2016-01-01',
       '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1 FROM regions WHERE code = 'XC-01-01-001';
INSERT INTO people (id, role, given_name, family_name, name_fold, created_at, updated_at, seq)
VALUES ('00000009-0000-7000-8000-000000000002', 'guardian', 'No', 'Where', 'where no',
        '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1);
INSERT INTO people (id, role, given_name, family_name, name_fold, school_sid, region_rid, has_device, retired_at,
                    birth_date, created_at, updated_at, seq)
SELECT '00000009-0000-7000-8000-000000000003', 'learner', 'Re', 'Tired', 'tired re', sid, region_rid, 1,
       '2026-02-01T00:00:00.000Z', '2015-01-01', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1
FROM schools ORDER BY sid LIMIT 1;
INSERT INTO people (id, role, given_name, family_name, name_fold, school_sid, region_rid, created_at, updated_at, seq)
SELECT '00000009-0000-7000-8000-000000000004', 'adult', 'Ad', 'Ult', 'ult ad', sid, region_rid,
       '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1 FROM schools ORDER BY sid LIMIT 1;
INSERT INTO schools (id, code, name, name_fold, region_rid, connectivity, electricity, computers, learners,
                     created_at, updated_at, seq)
SELECT '00000009-0000-7000-8000-000000000005', 'SNOGEO', 'School without coordinates', 'school without coordinates',
       rid, 'fibre', 'grid', 10, 100, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1
FROM regions WHERE code = 'XC-02-01-001';
COMMIT;
