#!/bin/sh
# bench/import/run.sh BIN — the import benchmark (issue 3, "Performance").
#
# Generates a OneRoster 1.1 set with N learners (bench/import/gen.c: users.csv
# and enrollments.csv with N rows each, Persian names, plus the orgs, classes
# and session they refer to), then loads it twice:
#   reach    `reach import oneroster DIR` into a fresh data directory: every
#            row validated, names folded (ICU), references resolved, rows
#            written 32 to a statement into the empty tables, their indexes
#            built at the end of each file, the dashboards refreshed at the end
#            (the ids are sequential: GUID sourcedIds cost more, see
#            docs/bench.md)
#   sqlite3  the same five CSV files with sqlite3's .import into tables with
#            the files' columns and the indexes Reach keeps on the same data
#            (unique source ids; school, name, identifier and class indexes),
#            WAL and synchronous=NORMAL as Reach's store
# and prints rows/s for both, the ratio, and peak memory (/usr/bin/time -v).
# Then, to show that memory stays flat whatever the file, it imports with
# reach alone two more sets with the same schools and classes, 4 and 16
# times as many learners: the larger one's peak memory must stay within 1.1
# times the smaller one's. (The duplicate-id set spills to a temporary file
# past about three million ids a file, and reaches its ceiling there: the
# smaller set is past it.)
# Figures go to bench/out/import.json. Everything is removed at exit.
#
# Environment (all optional):
#   BENCH_LEARNERS   learners (1000000)
#   BENCH_ROUNDS     rounds of the two loads; the best of each is kept (1)
#   BENCH_FLAT       0 skips the memory check (1)
#   BENCH_OUT        the JSON file (bench/out/import.json)
#   BENCH_STRICT=1   exit 1 when a goal fails (default: exit 0 once measured)
set -eu

bin="${1:?usage: bench/import/run.sh BIN}"
case "$bin" in /*) ;; *) bin="$(pwd)/$bin" ;; esac
n="${BENCH_LEARNERS:-1000000}"
rounds="${BENCH_ROUNDS:-1}"
out="${BENCH_OUT:-bench/out/import.json}"
mkdir -p "$(dirname "$out")"
here="$(cd "$(dirname "$0")" && pwd)"

[ -x "$bin" ] || { echo "bench: $bin is not an executable (run make first)" >&2; exit 1; }
for tool in sqlite3 cc; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (make deps-bench)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (make deps-bench installs time)" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/reach-bench-import.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT INT TERM HUP

cc -O2 -o "$tmp/gen" "$here/gen.c"
mkdir "$tmp/or"
"$tmp/gen" "$tmp/or" "$n"
rows=0
for f in orgs classes academicSessions users enrollments; do
	rows=$((rows + $(wc -l < "$tmp/or/$f.csv") - 1))
done
echo "bench: $n learners; $rows rows in orgs, classes, academicSessions, users, enrollments ($(du -sh "$tmp/or" | cut -f1))"

cat > "$tmp/import.sql" <<EOF
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE orgs (sourcedId TEXT NOT NULL, status TEXT, dateLastModified TEXT, name TEXT, type TEXT,
  identifier TEXT, parentSourcedId TEXT);
CREATE UNIQUE INDEX orgs_sourced ON orgs (sourcedId);
CREATE INDEX orgs_parent ON orgs (parentSourcedId);
CREATE TABLE classes (sourcedId TEXT NOT NULL, status TEXT, dateLastModified TEXT, title TEXT, grades TEXT,
  courseSourcedId TEXT, classCode TEXT, classType TEXT, location TEXT, schoolSourcedId TEXT,
  termSourcedIds TEXT, subjects TEXT, subjectCodes TEXT, periods TEXT);
CREATE UNIQUE INDEX classes_sourced ON classes (sourcedId);
CREATE TABLE academicSessions (sourcedId TEXT NOT NULL, status TEXT, dateLastModified TEXT, title TEXT,
  type TEXT, startDate TEXT, endDate TEXT, parentSourcedId TEXT, schoolYear TEXT);
CREATE TABLE users (sourcedId TEXT NOT NULL, status TEXT, dateLastModified TEXT, enabledUser TEXT,
  orgSourcedIds TEXT, role TEXT, username TEXT, userIds TEXT, givenName TEXT, familyName TEXT,
  middleName TEXT, identifier TEXT, email TEXT, sms TEXT, phone TEXT, agentSourcedIds TEXT, grades TEXT,
  password TEXT);
CREATE UNIQUE INDEX users_sourced ON users (sourcedId);
CREATE INDEX users_school ON users (orgSourcedIds, role);
CREATE INDEX users_name ON users (familyName, givenName, middleName);
CREATE INDEX users_identifier ON users (identifier);
CREATE TABLE enrollments (sourcedId TEXT NOT NULL, status TEXT, dateLastModified TEXT, classSourcedId TEXT,
  schoolSourcedId TEXT, userSourcedId TEXT, role TEXT, "primary" TEXT, beginDate TEXT, endDate TEXT);
CREATE UNIQUE INDEX enrollments_sourced ON enrollments (sourcedId);
CREATE INDEX enrollments_school ON enrollments (schoolSourcedId, classSourcedId);
CREATE INDEX enrollments_user ON enrollments (userSourcedId);
.mode csv
.import --skip 1 $tmp/or/orgs.csv orgs
.import --skip 1 $tmp/or/classes.csv classes
.import --skip 1 $tmp/or/academicSessions.csv academicSessions
.import --skip 1 $tmp/or/users.csv users
.import --skip 1 $tmp/or/enrollments.csv enrollments
EOF

. "$here/../measure.sh"

# reach importing $tmp/or into a fresh data directory, measured; every row
# must be written
reach_import() {
	rm -rf "$tmp/data"
	measure "$tmp/log" "$bin" --data "$tmp/data" --log /dev/null import oneroster "$tmp/or"
	grep -q " 0 rejected" "$tmp/log" || { echo "bench: reach rejected rows:" >&2; tail -3 "$tmp/log" >&2; exit 1; }
}

best_reach=""; best_sqlite=""; peak_reach=0; peak_sqlite=0
r=1
while [ "$r" -le "$rounds" ]; do
	rm -f "$tmp/import.db"*
	reach_import
	echo "bench: round $r: reach   ${wall}s, peak $((peak / 1024)) MB"
	if [ -z "$best_reach" ] || awk "BEGIN { exit !($wall < $best_reach) }"; then best_reach=$wall; fi
	[ "$peak" -gt "$peak_reach" ] && peak_reach=$peak
	measure "$tmp/log" sqlite3 "$tmp/import.db" < "$tmp/import.sql"
	echo "bench: round $r: sqlite3 ${wall}s, peak $((peak / 1024)) MB"
	if [ -z "$best_sqlite" ] || awk "BEGIN { exit !($wall < $best_sqlite) }"; then best_sqlite=$wall; fi
	[ "$peak" -gt "$peak_sqlite" ] && peak_sqlite=$peak
	r=$((r + 1))
done

# peak kB of reach importing a set of $1 learners in $n/300 schools
flat_peak() {
	rm -rf "$tmp/or"
	mkdir "$tmp/or"
	"$tmp/gen" "$tmp/or" "$1" "$(((n + 299) / 300))"
	reach_import
	echo "bench: $1 learners in the same schools: reach ${wall}s, peak $((peak / 1024)) MB"
}
flat=0; peak_small=0; peak_large=0
if [ "${BENCH_FLAT:-1}" != 0 ]; then
	rm -f "$tmp/import.db"*
	flat_peak $((n * 4)); peak_small=$peak
	flat_peak $((n * 16)); peak_large=$peak
	flat=$((n * 16))
fi

awk -v rows="$rows" -v tr="$best_reach" -v ts="$best_sqlite" -v pr="$peak_reach" -v ps="$peak_sqlite" \
    -v n="$n" -v out="$out" -v cores="$(nproc)" -v flat="$flat" -v pl="$peak_large" -v psm="$peak_small" '
function verdict(ok) { return ok ? "PASS" : "FAIL" }
BEGIN {
	rr = rows / tr; rs = rows / ts; ratio = rr / rs; mb = pr / 1024
	printf "\n%-10s %12s %10s %10s\n", "", "rows/s", "seconds", "peak MB"
	printf "%-10s %12.0f %10.2f %10.0f\n", "reach", rr, tr, mb
	printf "%-10s %12.0f %10.2f %10.0f\n", "sqlite3", rs, ts, ps / 1024
	printf "\nratio reach/sqlite3: %.2f\n", ratio
	printf "goal ratio >= 1.0:            %s\n", verdict(ratio >= 1.0)
	printf "goal >= 300000 rows/s:        %s\n", verdict(rr >= 300000)
	printf "goal peak memory <= 256 MB:   %s\n", verdict(mb <= 256)
	if (flat > 0) {
		printf "\npeak at %d learners: %.0f MB; at %d: %.0f MB (%.2f x)\n", flat / 4, psm / 1024, flat, pl / 1024, pl / psm
		printf "goal flat memory (<= 1.1 x):  %s\n", verdict(pl <= 1.1 * psm)
	}
	printf "{\"learners\":%d,\"rows\":%d,\"cores\":%d,\"reach\":{\"seconds\":%.3f,\"rows_per_s\":%.0f,\"peak_mb\":%.0f},", n, rows, cores, tr, rr, mb > out
	printf "\"sqlite3\":{\"seconds\":%.3f,\"rows_per_s\":%.0f,\"peak_mb\":%.0f},\"ratio\":%.3f,", ts, rs, ps / 1024, ratio > out
	printf "\"flat\":{\"learners\":[%d,%d],\"peak_mb\":[%.0f,%.0f]}}\n", flat / 4, flat, psm / 1024, pl / 1024 > out
	fail = ratio < 1.0 || rr < 300000 || mb > 256 || (flat > 0 && pl > 1.1 * psm)
	exit fail ? 3 : 0
}' || { [ "${BENCH_STRICT:-0}" = 1 ] && exit 1; }
exit 0
