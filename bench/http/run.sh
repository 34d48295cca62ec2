#!/bin/sh
# bench/http/run.sh BIN — the HTTP benchmark (issue 2, "Benchmark").
#
# Starts BIN on a fresh data directory and, beside it, Debian's nginx serving
# a static file with exactly the bytes of Reach's /healthz body; runs wrk with
# the same settings against
#   healthz  Reach  GET /healthz       (a small constant JSON answer)
#   nginx    nginx  GET /healthz.json  (a static file of the same size)
#   me       Reach  GET /api/v1/me     (Bearer token: token and user read from SQLite)
# and prints requests/s, p99 latency, the ratios to nginx and the goals with
# PASS/FAIL. The same figures go to bench/out/http.json. Everything started
# here is stopped on exit, Ctrl-C included.
#
# Environment (all optional):
#   BENCH_DURATION     seconds per wrk run (10)
#   BENCH_CONNECTIONS  wrk connections (64)
#   BENCH_WRK_THREADS  wrk threads (2)
#   BENCH_THREADS      reach serve --threads (unset: the server's default, one per core)
#   BENCH_WORKERS      nginx worker_processes (the number of cores)
#   BENCH_LOG          where Reach's log (one access line per request) goes:
#                      "file" (a file in the temp dir, default) or "null" (/dev/null)
#   BENCH_ROUNDS       rounds of the three runs; the medians are reported (1)
#   BENCH_QUIET_WAIT   seconds to wait, before each run, for the machine to be
#                      idle (under 10% busy for a second) (60; 0: do not wait)
#   BENCH_OUT          the JSON file (bench/out/http.json beside this script)
#   BENCH_STRICT=1     exit 1 when a goal fails (default: exit 0 once measured)
set -eu

bin="${1:?usage: bench/http/run.sh BIN}"
case "$bin" in /*) ;; *) bin="$(pwd)/$bin" ;; esac
duration="${BENCH_DURATION:-10}"
conns="${BENCH_CONNECTIONS:-64}"
wthreads="${BENCH_WRK_THREADS:-2}"
cores="$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
workers="${BENCH_WORKERS:-$cores}"
logto="${BENCH_LOG:-file}"
rounds="${BENCH_ROUNDS:-1}"
quiet_wait="${BENCH_QUIET_WAIT:-60}"
out="${BENCH_OUT:-$(cd "$(dirname "$0")/.." && pwd)/out/http.json}"

for tool in wrk nginx curl; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
		echo "bench: $tool is missing (make deps-bench installs wrk, nginx-light and curl)" >&2
		exit 1
	}
done
nginx_bin="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
[ -x "$bin" ] || { echo "bench: $bin is not an executable (run make first)" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/reach-bench.XXXXXX")"
reach_pid=""
nginx_pid=""

cleanup() {
	trap - EXIT INT TERM HUP
	for p in $reach_pid $nginx_pid; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $reach_pid $nginx_pid; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap 'cleanup; exit 129' HUP

# A loopback TCP port nobody listens on (checked again by starting on it).
free_port() {
	used="$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk 'NR > 1 && $4 == "0A" { split($2, a, ":"); print a[2] }')"
	while :; do
		p=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 + 20000 ))
		hex="$(printf '%04X' "$p")"
		case " $(echo $used) " in *" $hex "*) continue ;; esac
		echo "$p"
		return
	done
}

# Waits until URL answers 200 while process PID lives; 1 if it does not.
wait_up() {
	i=0
	while [ $i -lt 100 ]; do
		kill -0 "$2" 2>/dev/null || return 1
		curl -sf -o /dev/null "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# --- Reach -------------------------------------------------------------------
export REACH_PASSWORD_MEMLIMIT=65536 REACH_PASSWORD_OPSLIMIT=1
data="$tmp/data"
password="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
printf '%s\n' "$password" > "$tmp/password"
"$bin" --data "$data" user add bench --role admin --password-file "$tmp/password" >"$tmp/setup.log" 2>&1 ||
	{ cat "$tmp/setup.log" >&2; exit 1; }

case "$logto" in
file) reach_log="$tmp/reach.log" ;;
null) reach_log=/dev/null ;;
*) echo "bench: BENCH_LOG is file or null" >&2; exit 1 ;;
esac
threads_opt=""
[ -n "${BENCH_THREADS:-}" ] && threads_opt="--threads $BENCH_THREADS"
tries=0
while :; do
	reach_port="$(free_port)"
	# shellcheck disable=SC2086
	"$bin" --data "$data" serve --listen "127.0.0.1:$reach_port" $threads_opt \
		>"$tmp/reach.out" 2>"$reach_log" &
	reach_pid=$!
	wait_up "http://127.0.0.1:$reach_port/healthz" "$reach_pid" && break
	kill "$reach_pid" 2>/dev/null || true
	wait "$reach_pid" 2>/dev/null || true
	reach_pid=""
	tries=$((tries + 1))
	if [ $tries -ge 5 ]; then
		echo "bench: reach did not start; its output:" >&2
		cat "$tmp/reach.out" >&2
		[ "$reach_log" = /dev/null ] || tail -20 "$reach_log" >&2
		exit 1
	fi
done
reach="http://127.0.0.1:$reach_port"

# Sign in, then make an API token: GET /api/v1/me with it reads the token
# and its user from the store on every request.
curl -s -c "$tmp/cookies" -H 'Content-Type: application/json' \
	-d "{\"login\":\"bench\",\"password\":\"$password\"}" \
	"$reach/api/v1/auth/login" > "$tmp/login.json" || true
csrf="$(sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p' "$tmp/login.json")"
[ -n "$csrf" ] || { echo "bench: login failed: $(cat "$tmp/login.json")" >&2; exit 1; }
curl -s -b "$tmp/cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
	-d '{"name":"bench"}' "$reach/api/v1/tokens" > "$tmp/token.json" || true
token="$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$tmp/token.json")"
[ -n "$token" ] || { echo "bench: token creation failed: $(cat "$tmp/token.json")" >&2; exit 1; }
curl -sf -o /dev/null -H "Authorization: Bearer $token" "$reach/api/v1/me" ||
	{ echo "bench: GET /api/v1/me with the token failed" >&2; exit 1; }

# --- nginx -------------------------------------------------------------------
# The temp dir is private; nginx's workers may run as another user (nobody
# when we are root), so the document root alone is made readable.
chmod 711 "$tmp"
mkdir -p "$tmp/www" "$tmp/nginx"
curl -sf -o "$tmp/www/healthz.json" "$reach/healthz"
chmod 755 "$tmp/www"
chmod 644 "$tmp/www/healthz.json"
tries=0
while :; do
	nginx_port="$(free_port)"
	cat > "$tmp/nginx/nginx.conf" <<EOF
worker_processes $workers;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 100000000;
	keepalive_timeout 65;
	default_type application/json;
	types { }
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	server {
		listen 127.0.0.1:$nginx_port;
		root $tmp/www;
	}
}
EOF
	"$nginx_bin" -e "$tmp/nginx/error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" \
		>"$tmp/nginx/stdout" 2>&1 &
	nginx_pid=$!
	wait_up "http://127.0.0.1:$nginx_port/healthz.json" "$nginx_pid" && break
	kill "$nginx_pid" 2>/dev/null || true
	wait "$nginx_pid" 2>/dev/null || true
	nginx_pid=""
	tries=$((tries + 1))
	if [ $tries -ge 5 ]; then
		echo "bench: nginx did not start; its error log:" >&2
		cat "$tmp/nginx/stdout" "$tmp/nginx/error.log" >&2 2>/dev/null || true
		exit 1
	fi
done
nginx="http://127.0.0.1:$nginx_port"
curl -sf "$nginx/healthz.json" | cmp -s - "$tmp/www/healthz.json" ||
	{ echo "bench: nginx does not serve the same bytes as /healthz" >&2; exit 1; }

# --- wrk -------------------------------------------------------------------
# What each run costs is counted too, because on a shared machine a figure
# means little without it: the server's CPU time per request, and the CPU
# the machine spent on anything but the server and wrk (other processes, and
# the kernel's loopback network work, which no process is charged for).
hz="$(getconf CLK_TCK)"

# ticks PID...: user + system clock ticks used so far by the processes (all
# their threads) and their children (nginx's workers, looked up each time).
ticks() {
	for f in /proc/[0-9]*/stat; do cat "$f" 2>/dev/null; done | awk -v pids=" $* " '
	{
		# The command sits in parentheses and may hold spaces: count from after it.
		rest = substr($0, index($0, ") ") + 2); split(rest, f, " ")
		if (index(pids, " " $1 " ") || index(pids, " " f[2] " ")) t += f[12] + f[13]
	}
	END { print t + 0 }'
}

# The machine's clock ticks: all, idle (with I/O wait), stolen by the hypervisor.
cpu_stat() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6, $9 }' /proc/stat; }

# Waits (up to BENCH_QUIET_WAIT seconds) until the machine has been nearly
# idle for a second, so a run does not start in the middle of someone
# else's build or test.
wait_quiet() {
	waited=0
	while [ "$waited" -lt "$quiet_wait" ]; do
		a="$(cpu_stat)"
		sleep 1
		b="$(cpu_stat)"
		echo "$a $b" | awk '{ all = $4 - $1; exit !(all > 0 && (all - ($5 - $2) - ($6 - $3)) / all < 0.10) }' && return 0
		waited=$((waited + 1))
	done
	[ "$quiet_wait" -eq 0 ] ||
		echo "bench: the machine is still busy after ${quiet_wait}s; measuring anyway" >&2
}

# run NAME PIDS URL [HEADER]: one wrk run. Its output goes to $tmp/NAME.ROUND.wrk,
# and to $tmp/NAME.ROUND.acct: the server's ticks, the machine's ticks before
# and after (cpu_stat), and wrk's CPU time from the shell's `times` (which
# must run in this shell, not in a $(...) subshell).
run() {
	name=$1 pids=$2 url=$3
	shift 3
	wait_quiet
	echo "bench: round $round: wrk -t$wthreads -c$conns -d${duration}s --latency $url" >&2
	t0="$(ticks $pids)"
	s0="$(cpu_stat)"
	times > "$tmp/times0"
	if [ $# -ge 1 ]; then
		wrk -t"$wthreads" -c"$conns" -d"${duration}s" --latency -H "$1" "$url" > "$tmp/$name.$round.wrk"
	else
		wrk -t"$wthreads" -c"$conns" -d"${duration}s" --latency "$url" > "$tmp/$name.$round.wrk"
	fi
	times > "$tmp/times1"
	s1="$(cpu_stat)"
	t1="$(ticks $pids)"
	w="$(cat "$tmp/times0" "$tmp/times1" | awk '
		FNR == 2 || NR == 4 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); s += a[1] * 60 + a[2] } v[NR] = s }
		END { printf "%.3f", v[4] - v[2] }')"
	echo "$((t1 - t0)) $s0 $s1 $w" > "$tmp/$name.$round.acct"
}

# figures FILE: "requests/s p99_ms non_2xx_3xx socket_errors" from wrk's output.
figures() {
	awk '
	function ms(v) {
		if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
		if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
		if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
		if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
		return v + 0
	}
	/^Requests\/sec:/ { rps = $2 }
	/^ *99%/ { p99 = ms($2) }
	/Non-2xx or 3xx responses:/ { bad = $NF }
	/Socket errors:/ { for (i = 3; i <= NF; i += 2) { v = $(i + 1); sub(/,$/, "", v); serr += v } }
	/requests in/ { n = $1 }
	END { printf "%.2f %.3f %d %d %d\n", rps, p99, bad, serr, n }
	' "$1"
}

# Each round runs the three one after the other, so the ratios compare runs
# made under the same conditions; with several rounds the medians count.
round=1
while [ $round -le "$rounds" ]; do
	run healthz "$reach_pid" "$reach/healthz"
	run nginx "$nginx_pid" "$nginx/healthz.json"
	run me "$reach_pid" "$reach/api/v1/me" "Authorization: Bearer $token"
	round=$((round + 1))
done

rows=""
for name in healthz nginx me; do
	round=1
	while [ $round -le "$rounds" ]; do
		rows="$rows$name $round $(figures "$tmp/$name.$round.wrk") $(cat "$tmp/$name.$round.acct")
"
		round=$((round + 1))
	done
done

# --- report ------------------------------------------------------------------
date_utc="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
cpu="$(sed -n 's/^model name[^:]*: *//p' /proc/cpuinfo 2>/dev/null | head -1)"
server_threads="${BENCH_THREADS:-$cores}"
mkdir -p "$(dirname "$out")"
printf '%s' "$rows" | awk -v out="$out" -v rounds="$rounds" -v hz="$hz" \
	-v date="$date_utc" -v cores="$cores" -v cpu="$cpu" -v kernel="$(uname -sr)" \
	-v duration="$duration" -v conns="$conns" -v wthreads="$wthreads" \
	-v sthreads="$server_threads" -v workers="$workers" -v logto="$logto" '
	function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
	function ratio(a, b) { return b > 0 ? a / b : 0 }
	# The median of the values in v[k, 1..n] (insertion sort: n is small).
	function median(v, k, n,    i, j, t, a) {
		for (i = 1; i <= n; i++) a[i] = v[k, i]
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function goal(i, label, value, op, target, valid) {
		g_label[i] = label; g_value[i] = value; g_op[i] = op; g_target[i] = target
		g_pass[i] = valid && (op == ">=" ? value >= target : value <= target)
	}
	{
		if (!($1 in seen)) { seen[$1] = 1; name[++n] = $1 }
		# name round rps p99 non2xx sockerr requests | server_ticks
		# machine_before(all idle steal) machine_after(all idle steal) wrk_seconds
		R[$1, $2] = $3; P[$1, $2] = $4; bad[$1] += $5; serr[$1] += $6
		all = $12 - $9; busy = all - ($13 - $10) - ($14 - $11)
		U[$1, $2] = $7 > 0 ? $8 / hz * 1e6 / $7 : 0           # server CPU us per request
		W[$1, $2] = $7 > 0 ? $15 * 1e6 / $7 : 0               # wrk CPU us per request
		O[$1, $2] = all > 0 ? 100 * (busy / hz - $8 / hz - $15) / (all / hz) : 0
		if (O[$1, $2] < 0) O[$1, $2] = 0   # tick rounding
		S[$1, $2] = all > 0 ? 100 * ($14 - $11) / all : 0
	}
	END {
		what["healthz"] = "Reach GET /healthz"
		what["nginx"] = "nginx, static file of the same bytes"
		what["me"] = "Reach GET /api/v1/me (Bearer token, SQLite)"
		for (i = 1; i <= n; i++) { k = name[i]; rps[k] = median(R, k, rounds); p99[k] = median(P, k, rounds); us[k] = median(U, k, rounds)
			wus[k] = median(W, k, rounds); oth[k] = median(O, k, rounds); st[k] = median(S, k, rounds)
			if (oth[k] > 25 || st[k] > 10) noisy = 1 }
		printf "\nwrk -t%s -c%s -d%ss --latency, %d round(s)%s; %s cores; reach --threads %s; " \
			"nginx %s workers; reach log: %s\n", wthreads, conns, duration, rounds,
			(rounds > 1 ? " (medians)" : ""), cores, sthreads, workers, logto
		printf "\n"
		printf "%-8s %10s %7s %11s %9s %6s %7s %6s  %s\n", "name", "requests/s", "p99 ms",
			"req/s:nginx", "p99:nginx", "CPU us", "other%", "steal%", "what"
		for (i = 1; i <= n; i++) {
			k = name[i]
			rr[k] = ratio(rps[k], rps["nginx"]); pr[k] = ratio(p99[k], p99["nginx"])
			note = (bad[k] || serr[k]) ? sprintf("  (!) %d non-2xx, %d socket errors", bad[k], serr[k]) : ""
			printf "%-8s %10.0f %7.2f %11.2f %9.2f %6.1f %7.1f %6.1f  %s%s\n", k, rps[k], p99[k],
				rr[k], pr[k], us[k], oth[k], st[k], what[k], note
		}
		ok_h = !bad["healthz"] && !serr["healthz"] && !bad["nginx"] && !serr["nginx"]
		ok_m = !bad["me"] && !serr["me"] && !bad["nginx"] && !serr["nginx"]
		goal(1, "healthz requests/s >= 0.8x nginx", rr["healthz"], ">=", 0.8, ok_h)
		goal(2, "healthz p99 <= 1.5x nginx", pr["healthz"], "<=", 1.5, ok_h)
		goal(3, "store read requests/s >= 0.4x nginx", rr["me"], ">=", 0.4, ok_m)
		printf "CPU us: CPU time the server used per request (all threads or workers).\n"
		printf "other%%: CPU of the machine used by neither the server nor wrk (other processes,\n"
		printf "        loopback network work in the kernel); steal%%: taken by the hypervisor.\n"
		if (noisy)
			printf "(!) the machine was busy with other work: these figures are not reliable.\n"
		printf "\ngoals (issue 2)\n"
		fails = 0
		for (i = 1; i <= 3; i++) {
			printf "  %-4s %-38s %.2f\n", g_pass[i] ? "PASS" : "FAIL", g_label[i], g_value[i]
			fails += !g_pass[i]
		}

		printf "{\n  \"date\": %s,\n", jstr(date) > out
		printf "  \"machine\": {\"cores\": %d, \"cpu\": %s, \"kernel\": %s, \"busy_with_other_work\": %s},\n",
			cores, jstr(cpu), jstr(kernel), noisy ? "true" : "false" > out
		printf "  \"settings\": {\"wrk_threads\": %d, \"connections\": %d, \"duration_s\": %d, \"rounds\": %d, " \
			"\"reach_threads\": %d, \"nginx_workers\": %d, \"reach_log\": %s},\n",
			wthreads, conns, duration, rounds, sthreads, workers, jstr(logto) > out
		printf "  \"results\": [\n" > out
		for (i = 1; i <= n; i++) {
			k = name[i]
			rl = ""; pl = ""; ol = ""
			for (j = 1; j <= rounds; j++) {
				rl = rl (j > 1 ? ", " : "") sprintf("%.2f", R[k, j])
				pl = pl (j > 1 ? ", " : "") sprintf("%.3f", P[k, j])
				ol = ol (j > 1 ? ", " : "") sprintf("%.1f", O[k, j])
			}
			printf "    {\"name\": %s, \"what\": %s, \"requests_per_s\": %.2f, \"p99_ms\": %.3f, \"server_cpu_us_per_request\": %.1f, " \
				"\"wrk_cpu_us_per_request\": %.1f, \"other_cpu_pct\": %.1f, \"steal_pct\": %.1f, " \
				"\"rps_ratio_to_nginx\": %.3f, \"p99_ratio_to_nginx\": %.3f, " \
				"\"non_2xx_3xx\": %d, \"socket_errors\": %d, " \
				"\"rounds_requests_per_s\": [%s], \"rounds_p99_ms\": [%s], \"rounds_other_cpu_pct\": [%s]}%s\n",
				jstr(k), jstr(what[k]), rps[k], p99[k], us[k], wus[k], oth[k], st[k], rr[k], pr[k], bad[k], serr[k],
				rl, pl, ol, i < n ? "," : "" > out
		}
		printf "  ],\n  \"goals\": [\n" > out
		for (i = 1; i <= 3; i++)
			printf "    {\"goal\": %s, \"value\": %.3f, \"op\": %s, \"target\": %.1f, \"pass\": %s}%s\n",
				jstr(g_label[i]), g_value[i], jstr(g_op[i]), g_target[i],
				g_pass[i] ? "true" : "false", i < 3 ? "," : "" > out
		printf "  ]\n}\n" > out
		close(out)
		printf "\nwritten to %s\n", out
		exit fails ? 3 : 0
	}' && status=0 || status=$?

case $status in
0) exit 0 ;;
3) [ "${BENCH_STRICT:-0}" = 1 ] && exit 1; exit 0 ;;
*) echo "bench: the report failed" >&2; exit 1 ;;
esac
