#!/bin/sh
# bench/import/national.sh BIN — the national demo's import (issue 3,
# "Performance": "the 16-million national demo imports in under 2 minutes").
#
# 1. `reach demo --scale national --no-import`: the files alone, to know
#    what generating them costs (wall and processor time).
# 2. `reach demo --scale national`: the same files again, then imported
#    (regions, schools, people with the guardian links, enrolments, each
#    table's indexes built at the end of its file, one dashboard refresh).
#    The import's time is the sum of the demo's own per-step figures; its
#    processor time is the demo's less the files' (step 1).
# 3. The peer, on the same files: sqlite3's .import of people.csv and
#    enrolments.csv into tables with the files' columns and nothing else
#    (no index, no constraint, no validation, no guardian links), WAL and
#    synchronous=NORMAL as Reach's store. It is the least a load of these
#    rows into SQLite costs on this machine.
#
# Prints the import's wall and processor seconds against the goal and
# against the machine's processor budget for it (cores x 120 s), the
# peer's, and the ratio; figures go to bench/out/national.json. It needs
# about 45 GB of disk under $TMPDIR (files 14 GB, store about 20 GB, the
# peer's 9 GB) and about 15 minutes. Everything is removed at exit.
#
# Environment (all optional):
#   BENCH_SCALE      tiny|town|province|national (national)
#   BENCH_OUT        the JSON file (bench/out/national.json)
#   BENCH_STRICT=1   exit 1 when the goal fails (default: exit 0 once measured)
set -eu

bin="${1:?usage: bench/import/national.sh BIN}"
case "$bin" in /*) ;; *) bin="$(pwd)/$bin" ;; esac
scale="${BENCH_SCALE:-national}"
out="${BENCH_OUT:-bench/out/national.json}"
mkdir -p "$(dirname "$out")"
here="$(cd "$(dirname "$0")" && pwd)"
goal=120

[ -x "$bin" ] || { echo "bench: $bin is not an executable (run make first)" >&2; exit 1; }
command -v sqlite3 >/dev/null 2>&1 || { echo "bench: sqlite3 is missing (make deps-bench)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (make deps-bench installs time)" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/reach-bench-national.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
if [ "$scale" = national ]; then
	free=$(df -Pk "$tmp" | awk 'NR == 2 { print int($4 / 1048576) }')
	[ "$free" -ge 45 ] || { echo "bench: $free GB free under $tmp, 45 GB needed" >&2; exit 1; }
fi
cp "$bin" "$tmp/reach-bin"
bin="$tmp/reach-bin"
. "$here/../measure.sh"

measure "$tmp/gen.log" "$bin" --data "$tmp/gen-data" --log /dev/null demo --scale "$scale" \
	--out "$tmp/gen" --no-import --no-oneroster --quiet
gen_wall=$wall; gen_cpu=$cpu
rm -rf "$tmp/gen" "$tmp/gen-data"
echo "bench: files alone: ${gen_wall}s, ${gen_cpu} s of processor"

measure "$tmp/demo.log" "$bin" --data "$tmp/data" --log "$tmp/store.log" demo --scale "$scale" \
	--out "$tmp/files" --no-oneroster
sed -n '/^  /p' "$tmp/demo.log"
if grep -E ' [1-9][0-9]* rejected' "$tmp/demo.log" >&2; then echo "bench: the demo's import rejected rows" >&2; exit 1; fi
demo_wall=$wall; demo_cpu=$cpu; demo_peak=$peak
steps=$(awk '/^  import .* rows in / { for (i = 1; i <= NF; i++) if ($i == "in") { s += $(i + 1); break } }
	/^  dashboards refreshed in / { s += $4 } END { printf "%.1f", s }' "$tmp/demo.log")
rows=$(awk '/^  import .* rows in / { s += $3 } END { print s }' "$tmp/demo.log")
grep "made again" "$tmp/store.log" | sed 's/.*"msg":"store: /  /; s/"}$//' || true
rm -rf "$tmp/data"

cat > "$tmp/peer.sql" <<EOF
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE people (id, role, given_name, family_name, father_name, sex, birth_date, national_id,
  region_code, school_code, subjects, digital_skills, has_device, has_internet, guardian_of);
CREATE TABLE enrolments (id, learner_id, school_code, grade, school_year, status, start_date, end_date);
.mode csv
.import --skip 1 $tmp/files/people.csv people
.import --skip 1 $tmp/files/enrolments.csv enrolments
EOF
measure "$tmp/peer.log" sqlite3 "$tmp/peer.db" < "$tmp/peer.sql"
peer_rows=$(($(wc -l < "$tmp/files/people.csv") + $(wc -l < "$tmp/files/enrolments.csv") - 2))

awk -v steps="$steps" -v rows="$rows" -v dw="$demo_wall" -v dc="$demo_cpu" -v dp="$demo_peak" \
    -v gw="$gen_wall" -v gc="$gen_cpu" -v pw="$wall" -v pc="$cpu" -v prows="$peer_rows" \
    -v cores="$(nproc)" -v goal="$goal" -v scale="$scale" -v out="$out" '
BEGIN {
	ic = dc - gc
	printf "\n%-40s %10s %10s %12s\n", "", "seconds", "processor", "rows/s"
	printf "%-40s %10.1f %10.1f %12s\n", "reach demo, files alone", gw, gc, "-"
	printf "%-40s %10.1f %10.1f %12s\n", "reach demo, files and import", dw, dc, "-"
	printf "%-40s %10.1f %10.1f %12.0f\n", "reach import (" rows " rows)", steps, ic, rows / steps
	printf "%-40s %10.1f %10.1f %12.0f\n", "sqlite3 .import, bare (" prows " rows)", pw, pc, prows / pw
	printf "\npeak memory of the demo: %.0f MB\n", dp / 1024
	printf "reach import / bare sqlite3 load (wall): %.2f\n", steps / pw
	printf "processor budget for the goal: %d cores x %d s = %d s; the import used %.0f s, the bare load %.0f s\n",
		cores, goal, cores * goal, ic, pc
	printf "goal import < %d s:  %s\n", goal, steps < goal ? "PASS" : "FAIL"
	printf "{\"scale\":\"%s\",\"cores\":%d,\"rows\":%d,\"import\":{\"seconds\":%.1f,\"cpu_s\":%.1f,\"peak_mb\":%.0f},", scale, cores, rows, steps, ic, dp / 1024 > out
	printf "\"files\":{\"seconds\":%.1f,\"cpu_s\":%.1f},\"sqlite3_bare\":{\"rows\":%d,\"seconds\":%.1f,\"cpu_s\":%.1f}}\n", gw, gc, prows, pw, pc > out
	exit steps < goal ? 0 : 3
}' || { [ "${BENCH_STRICT:-0}" = 1 ] && exit 1; }
exit 0
