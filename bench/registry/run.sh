#!/bin/sh
# bench/registry/run.sh BIN — the registry pages at province scale (issue 3,
# "Performance": wrk on a school page and a region dashboard, p99 <= 20 ms).
#
# Builds a province-scale instance with `reach demo --scale province` (about
# a million learners, two million guardians, 60,000 teachers, 9,000 schools;
# two minutes), or, when the demo cannot run, with the SQL generator below
# (the same counts, made straight in the store). Then times the dashboard
# refresh (the job, warm), starts the server, signs in, makes an API token
# (POST /api/v1/tokens) and runs wrk with it against
#   school    GET /schools/ID     a school page (the registry's)
#   province  GET /regions/CODE   the province's dashboard (charts, map, districts)
#   village   GET /regions/CODE   a village's dashboard (with its schools)
# printing requests/s, p99 and the server's CPU time per request, and PASS or
# FAIL against the goal. The figures also go to bench/out/registry.json.
#
# Environment (all optional):
#   BENCH_DATA         a data directory to use (and keep); made on the first run
#   BENCH_SCALE        demo scale (province)
#   BENCH_GEN=sql      skip the demo and use the SQL generator
#   BENCH_DURATION     seconds per wrk run (10)
#   BENCH_CONNECTIONS  wrk connections (64)
#   BENCH_WRK_THREADS  wrk threads (2)
#   BENCH_THREADS      reach serve --threads (unset: one per core)
#   BENCH_OUT          the JSON file (bench/out/registry.json)
#   BENCH_STRICT=1     exit 1 when a goal fails
set -eu

bin="${1:?usage: bench/registry/run.sh BIN}"
case "$bin" in /*) ;; *) bin="$(pwd)/$bin" ;; esac
duration="${BENCH_DURATION:-10}"
conns="${BENCH_CONNECTIONS:-64}"
wthreads="${BENCH_WRK_THREADS:-2}"
scale="${BENCH_SCALE:-province}"
out="${BENCH_OUT:-bench/out/registry.json}"
goal_ms=20

for tool in wrk curl sqlite3; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "bench: $tool is missing (make deps-bench installs wrk; sqlite3 and curl come with make deps-test)" >&2
		exit 1
	}
done
[ -x "$bin" ] || { echo "bench: $bin is not an executable (run make first)" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/reach-bench-registry.XXXXXX")"
data="${BENCH_DATA:-$tmp/data}"
reach_pid=""
cleanup() {
	trap - EXIT INT TERM HUP
	[ -n "$reach_pid" ] && kill -TERM "$reach_pid" 2>/dev/null && wait "$reach_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap 'cleanup; exit 129' HUP

export REACH_PASSWORD_MEMLIMIT=65536 REACH_PASSWORD_OPSLIMIT=1
db="$data/reach.db"
q() { sqlite3 -cmd '.timeout 5000' "$db" "$1"; }

# gen_sql P D V S L T G: SQL that fills a fresh store with a synthetic
# country XC: P provinces of D districts of V villages, S schools a
# village, L learners and T teachers a school, G guardians a learner; the
# schools' kinds, power, connection, devices and places vary with their ids.
gen_sql() {
	P=$1 D=$2 V=$3 S=$4 L=$5 T=$6 G=$7
	max=$((L > T ? L : T)); max=$((max > 100 ? max : 100))
	t0="'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1"
	cat <<SQL
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE seq (n INTEGER PRIMARY KEY);
WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $max) INSERT INTO seq SELECT n FROM s;
INSERT INTO regions (rid, id, code, parent_rid, level, depth, path, name, name_fold, names, created_at, updated_at, seq)
VALUES (1, '00000001-0000-7000-8000-000000000001', 'XC', NULL, 'country', 0, '/XC/', 'Xcountry', 'xcountry',
        '{"en":"Xcountry","fa":"کشور نمونه"}', $t0);
INSERT INTO regions (id, code, parent_rid, level, depth, path, name, name_fold, names, created_at, updated_at, seq)
SELECT printf('00000002-0000-7000-8000-%012d', p.n), printf('XC-%02d', p.n), 1, 'province', 1,
       printf('/XC/XC-%02d/', p.n), printf('Province %d', p.n), printf('province %d', p.n),
       printf('{"en":"Province %d","fa":"استان %d"}', p.n, p.n), $t0
FROM seq p WHERE p.n <= $P;
INSERT INTO regions (id, code, parent_rid, level, depth, path, name, name_fold, names, created_at, updated_at, seq)
SELECT printf('00000003-0000-7000-8000-%06d%06d', p.n, d.n), printf('XC-%02d-%02d', p.n, d.n), r.rid, 'district', 2,
       printf('/XC/XC-%02d/XC-%02d-%02d/', p.n, p.n, d.n), printf('District %d.%d', p.n, d.n),
       printf('district %d %d', p.n, d.n), printf('{"en":"District %d.%d","fa":"شهرستان %d.%d"}', p.n, d.n, p.n, d.n), $t0
FROM seq p JOIN seq d ON d.n <= $D JOIN regions r ON r.code = printf('XC-%02d', p.n) WHERE p.n <= $P;
INSERT INTO regions (id, code, parent_rid, level, depth, path, name, name_fold, names, created_at, updated_at, seq)
SELECT printf('00000004-0000-7000-8000-%04d%04d%04d', p.n, d.n, v.n), printf('XC-%02d-%02d-%03d', p.n, d.n, v.n),
       r.rid, 'village', 3, printf('/XC/XC-%02d/XC-%02d-%02d/XC-%02d-%02d-%03d/', p.n, p.n, d.n, p.n, d.n, v.n),
       printf('Village %d.%d.%d', p.n, d.n, v.n), printf('village %d %d %d', p.n, d.n, v.n),
       printf('{"en":"Village %d.%d.%d","fa":"روستای %d.%d.%d"}', p.n, d.n, v.n, p.n, d.n, v.n), $t0
FROM seq p JOIN seq d ON d.n <= $D JOIN seq v ON v.n <= $V JOIN regions r ON r.code = printf('XC-%02d-%02d', p.n, d.n)
WHERE p.n <= $P;
INSERT INTO schools (id, code, name, name_fold, region_rid, boarding, nomadic, rural, lat, lon, learners, teachers,
                     electricity, connectivity, computers, tablets, created_at, updated_at, seq)
SELECT printf('00000005-0000-7000-8000-%012d', r.rid * 1000 + s.n), printf('S%s-%02d', substr(r.code, 4), s.n),
       printf('School %s-%d', substr(r.code, 4), s.n), printf('school %s %d', substr(r.code, 4), s.n), r.rid,
       (r.rid + s.n) % 10 = 0, (r.rid * 3 + s.n) % 17 = 0, (r.rid + s.n) % 3 <> 0,
       34.0 + CAST(substr(r.code, 4, 2) AS INTEGER) * 1.1 + (CAST(substr(r.code, 7, 2) AS INTEGER) % 5) * 0.2
            + (CAST(substr(r.code, 10, 3) AS INTEGER) % 4) * 0.045 + ((s.n * 37 + r.rid * 11) % 100) * 0.0004,
       46.0 + (CAST(substr(r.code, 7, 2) AS INTEGER) / 5) * 0.35 + (CAST(substr(r.code, 10, 3) AS INTEGER) / 4) * 0.06
            + ((s.n * 53 + r.rid * 7) % 100) * 0.0005,
       CASE WHEN (r.rid + s.n) % 9 = 0 THEN NULL ELSE $L END, $T,
       CASE (r.rid + s.n) % 5 WHEN 0 THEN 'none' WHEN 1 THEN 'solar' ELSE 'grid' END,
       CASE (r.rid * 7 + s.n * 3) % 6 WHEN 0 THEN 'none' WHEN 1 THEN '2g' WHEN 2 THEN '3g' WHEN 3 THEN '4g'
            WHEN 4 THEN 'fibre' ELSE 'satellite' END,
       (r.rid + s.n * 5) % 13, (r.rid + s.n) % 7, $t0
FROM regions r JOIN seq s ON s.n <= $S WHERE r.level = 'village';
INSERT INTO people (id, role, given_name, family_name, name_fold, region_rid, school_sid, has_device, has_internet,
                    birth_date, created_at, updated_at, seq)
SELECT printf('00000006-0000-7000-8000-%012d', sc.sid * 10000 + n.n), 'learner', 'Given' || n.n, 'Family' || sc.sid,
       'family given', sc.region_rid, sc.sid, (sc.sid + n.n) % 3 <> 0, (sc.sid + n.n) % 4 = 0, '2015-01-01', $t0
FROM schools sc JOIN seq n ON n.n <= $L;
INSERT INTO people (id, role, given_name, family_name, name_fold, region_rid, school_sid, has_device, digital_skills,
                    created_at, updated_at, seq)
SELECT printf('00000007-0000-7000-8000-%012d', sc.sid * 10000 + n.n), 'teacher', 'Teacher' || n.n, 'Family' || sc.sid,
       'family teacher', sc.region_rid, sc.sid, (sc.sid + n.n) % 2,
       CASE WHEN (sc.sid + n.n) % 7 = 0 THEN NULL ELSE (sc.sid * 3 + n.n) % 5 END, $t0
FROM schools sc JOIN seq n ON n.n <= $T;
INSERT INTO people (id, role, given_name, family_name, name_fold, region_rid, created_at, updated_at, seq)
SELECT printf('00000008-0000-7000-8000-%012d', l.pid * 10 + g.n), 'guardian', 'Guardian' || g.n, l.family_name,
       'family guardian', l.region_rid, $t0
FROM people l JOIN seq g ON g.n <= $G WHERE l.role = 'learner';
COMMIT;
SQL
}

# --- the instance -----------------------------------------------------------
made=""
if [ ! -f "$db" ] || [ "$(q 'SELECT COUNT(*) FROM schools' 2>/dev/null || echo 0)" = 0 ]; then
	mkdir -p "$data"
	printf 'bench-password-1\n' > "$tmp/pw"
	"$bin" --data "$data" user add bench --role admin --password-file "$tmp/pw" >"$tmp/setup.log" 2>&1 ||
		{ cat "$tmp/setup.log" >&2; exit 1; }
	t0=$(date +%s)
	if [ "${BENCH_GEN:-demo}" != sql ] && "$bin" --data "$data" demo --scale "$scale" --quiet >"$tmp/demo.log" 2>&1; then
		made="reach demo --scale $scale"
	else
		[ "${BENCH_GEN:-demo}" = sql ] || { echo "bench: the demo failed; making the data with SQL:" >&2; tail -3 "$tmp/demo.log" >&2; }
		# 1 province, 20 districts, 10 villages each, 20 schools a village:
		# 4,000 schools, 1,000,000 learners, 60,000 teachers, 2,000,000 guardians.
		gen_sql 1 20 10 20 250 15 2 | sqlite3 "$db"
		made="SQL generator (1,000,000 learners)"
	fi
	echo "bench: made the instance with the $made in $(( $(date +%s) - t0 )) s" >&2
else
	made="existing data ($data)"
	printf 'bench-password-1\n' > "$tmp/pw"
	"$bin" --data "$data" user add bench --role admin --password-file "$tmp/pw" >/dev/null 2>&1 ||
		"$bin" --data "$data" user passwd bench --password-file "$tmp/pw" >/dev/null 2>&1 || true
fi

# --- the server -------------------------------------------------------------
free_port() {
	while :; do
		p=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 + 20000 ))
		curl -s -o /dev/null "http://127.0.0.1:$p/" || { echo "$p"; return; }
	done
}
port="$(free_port)"
threads_opt=""
[ -n "${BENCH_THREADS:-}" ] && threads_opt="--threads $BENCH_THREADS"
# shellcheck disable=SC2086
"$bin" --data "$data" serve --listen "127.0.0.1:$port" $threads_opt >"$tmp/serve.out" 2>"$tmp/serve.log" &
reach_pid=$!
url="http://127.0.0.1:$port"
i=0
until curl -sf -o /dev/null "$url/healthz"; do
	i=$((i + 1))
	kill -0 "$reach_pid" 2>/dev/null && [ $i -lt 100 ] || { echo "bench: reach did not start:" >&2; tail "$tmp/serve.log" >&2; exit 1; }
	sleep 0.1
done

curl -sf -c "$tmp/cookies" -H 'Content-Type: application/json' \
	-d '{"login":"bench","password":"bench-password-1"}' "$url/api/v1/auth/login" > "$tmp/login.json"
csrf="$(sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p' "$tmp/login.json")"
token="$(curl -sf -b "$tmp/cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
	-d '{"name":"bench"}' "$url/api/v1/tokens" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
[ -n "$token" ] || { echo "bench: could not sign in and make a token" >&2; exit 1; }
auth="Authorization: Bearer $token"

# The refresh, twice: the first reads the people from disk, the second
# from the page cache (what the job after an import sees).
refresh() {
	job="$(curl -sf -X POST -H "$auth" "$url/api/v1/dashboards/refresh" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')"
	while :; do
		r="$(curl -sf -H "$auth" "$url/api/v1/jobs/$job")"
		case "$r" in *'"state":"done"'*) break ;; *'"state":"failed"'*) echo "bench: refresh failed: $r" >&2; exit 1 ;; esac
		sleep 0.2
	done
	echo "$r" | sed -n 's/.*"total_ms":\([0-9]*\).*/\1/p'
}
refresh_cold="$(refresh)"
refresh_warm="$(refresh)"

province="$(q "SELECT code FROM regions WHERE level = 'province' ORDER BY code LIMIT 1")"
village="$(q "SELECT r.code FROM regions r JOIN schools s ON s.region_rid = r.rid WHERE r.level = 'village'
	GROUP BY r.rid ORDER BY COUNT(*) DESC, r.code LIMIT 1")"
school="$(q "SELECT s.id FROM schools s JOIN regions r ON r.rid = s.region_rid WHERE r.code = '$village' ORDER BY s.sid LIMIT 1")"
people="$(q 'SELECT COUNT(*) FROM people')"
learners="$(q "SELECT COUNT(*) FROM people WHERE role = 'learner'")"
schools="$(q 'SELECT COUNT(*) FROM schools')"

# --- wrk --------------------------------------------------------------------
ticks() { awk '{ print $14 + $15 }' "/proc/$reach_pid/stat"; }
rows=""
run() {
	name=$1 path=$2
	st="$(curl -s -o "$tmp/$name.body" -w '%{http_code}' -H "$auth" "$url$path")"
	if [ "$st" != 200 ]; then
		echo "bench: $path answers $st; not measured" >&2
		rows="$rows$name $path $st 0 0 0 0
"
		return
	fi
	echo "bench: wrk -t$wthreads -c$conns -d${duration}s --latency $path" >&2
	c0="$(ticks)"
	wrk -t"$wthreads" -c"$conns" -d"${duration}s" --latency -H "$auth" "$url$path" > "$tmp/$name.wrk"
	c1="$(ticks)"
	rows="$rows$name $path $st $(awk -v cpu=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v bytes="$(wc -c < "$tmp/$name.body")" '
	function ms(v) {
		if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
		if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
		if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
		return v + 0
	}
	/^Requests\/sec:/ { rps = $2 }
	/^ *99%/ { p99 = ms($2) }
	/requests in/ { n = $1 }
	END { printf "%.0f %.2f %.0f %d", rps, p99, n ? cpu / hz * 1e6 / n : 0, bytes }' "$tmp/$name.wrk")
"
}
run school "/schools/$school"
run province "/regions/$province"
run village "/regions/$village"

# --- report -----------------------------------------------------------------
mkdir -p "$(dirname "$out")"
printf '%s' "$rows" | awk -v out="$out" -v goal="$goal_ms" -v made="$made" -v people="$people" \
	-v learners="$learners" -v schools="$schools" -v cold="$refresh_cold" -v warm="$refresh_warm" \
	-v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v cores="$(nproc)" -v conns="$conns" -v wthreads="$wthreads" \
	-v duration="$duration" '
	function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
	{ n++; name[n] = $1; path[n] = $2; st[n] = $3; rps[n] = $4; p99[n] = $5; us[n] = $6; bytes[n] = $7 }
	END {
		printf "\ninstance: %s; %d people (%d learners), %d schools; %d cores\n", made, people, learners, schools, cores
		printf "dashboard refresh: %d ms (first, from disk), %d ms (again)\n", cold, warm
		printf "wrk -t%d -c%d -d%ds with an API token\n\n", wthreads, conns, duration
		printf "%-9s %11s %8s %8s %8s  %-6s %s\n", "name", "requests/s", "p99 ms", "CPU us", "bytes", "goal", "path"
		fails = 0
		for (i = 1; i <= n; i++) {
			ok = st[i] == 200 && p99[i] <= goal
			fails += !ok
			printf "%-9s %11s %8.2f %8d %8d  %-6s %s%s\n", name[i], rps[i], p99[i], us[i], bytes[i],
				st[i] != 200 ? "-" : ok ? "PASS" : "FAIL", path[i], st[i] != 200 ? " (answered " st[i] ")" : ""
		}
		printf "\ngoal (issue 3): p99 <= %d ms on each page\n", goal
		printf "{\n  \"date\": %s, \"cores\": %d, \"instance\": %s, \"people\": %d, \"learners\": %d, \"schools\": %d,\n",
			jstr(date), cores, jstr(made), people, learners, schools > out
		printf "  \"refresh_ms\": {\"first\": %d, \"again\": %d},\n", cold, warm > out
		printf "  \"wrk\": {\"threads\": %d, \"connections\": %d, \"duration_s\": %d},\n  \"results\": [\n",
			wthreads, conns, duration > out
		for (i = 1; i <= n; i++)
			printf "    {\"name\": %s, \"path\": %s, \"status\": %d, \"requests_per_s\": %d, \"p99_ms\": %.2f, " \
				"\"server_cpu_us_per_request\": %d, \"bytes\": %d, \"pass\": %s}%s\n", jstr(name[i]), jstr(path[i]),
				st[i], rps[i], p99[i], us[i], bytes[i], (st[i] == 200 && p99[i] <= goal) ? "true" : "false",
				i < n ? "," : "" > out
		printf "  ]\n}\n" > out
		close(out)
		printf "written to %s\n", out
		exit fails ? 3 : 0
	}' && status=0 || status=$?

case $status in
0) exit 0 ;;
3) [ "${BENCH_STRICT:-0}" = 1 ] && exit 1; exit 0 ;;
*) echo "bench: the report failed" >&2; exit 1 ;;
esac
