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
#   BENCH_OUT          the JSON file (bench/out/http.json)
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
out="${BENCH_OUT:-bench/out/http.json}"

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
curl -sf -c "$tmp/cookies" -H 'Content-Type: application/json' \
	-d "{\"login\":\"bench\",\"password\":\"$password\"}" \
	"$reach/api/v1/auth/login" > "$tmp/login.json"
csrf="$(sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p' "$tmp/login.json")"
[ -n "$csrf" ] || { echo "bench: login failed: $(cat "$tmp/login.json")" >&2; exit 1; }
curl -sf -b "$tmp/cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
	-d '{"name":"bench"}' "$reach/api/v1/tokens" > "$tmp/token.json"
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
# run NAME URL [HEADER]: one wrk run; its output stays in $tmp/NAME.wrk.
run() {
	echo "bench: wrk -t$wthreads -c$conns -d${duration}s --latency $2" >&2
	if [ $# -ge 3 ]; then
		wrk -t"$wthreads" -c"$conns" -d"${duration}s" --latency -H "$3" "$2" > "$tmp/$1.wrk"
	else
		wrk -t"$wthreads" -c"$conns" -d"${duration}s" --latency "$2" > "$tmp/$1.wrk"
	fi
}

# figures NAME: "requests/s p99_ms non_2xx_3xx socket_errors" from wrk's output.
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
	END { printf "%.2f %.3f %d %d\n", rps, p99, bad, serr }
	' "$tmp/$1.wrk"
}

run healthz "$reach/healthz"
run nginx "$nginx/healthz.json"
run me "$reach/api/v1/me" "Authorization: Bearer $token"

set -- $(figures nginx); n_rps=$1; n_p99=$2
rows=""
for name in healthz nginx me; do
	set -- $(figures "$name")
	rows="$rows$name $1 $2 $3 $4
"
done

# --- report ------------------------------------------------------------------
date_utc="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
cpu="$(sed -n 's/^model name[^:]*: *//p' /proc/cpuinfo 2>/dev/null | head -1)"
server_threads="${BENCH_THREADS:-$cores}"
mkdir -p "$(dirname "$out")"
printf '%s' "$rows" | awk -v n_rps="$n_rps" -v n_p99="$n_p99" -v out="$out" \
	-v date="$date_utc" -v cores="$cores" -v cpu="$cpu" -v kernel="$(uname -sr)" \
	-v duration="$duration" -v conns="$conns" -v wthreads="$wthreads" \
	-v sthreads="$server_threads" -v workers="$workers" -v logto="$logto" '
	function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
	function ratio(a, b) { return b > 0 ? a / b : 0 }
	{
		name[NR] = $1; rps[$1] = $2; p99[$1] = $3; bad[$1] = $4; serr[$1] = $5; n = NR
	}
	function goal(i, label, value, op, target, valid) {
		g_label[i] = label; g_value[i] = value; g_op[i] = op; g_target[i] = target
		g_pass[i] = valid && (op == ">=" ? value >= target : value <= target)
	}
	END {
		what["healthz"] = "Reach GET /healthz"
		what["nginx"] = "nginx static file, same bytes"
		what["me"] = "Reach GET /api/v1/me (Bearer, SQLite)"
		printf "\nwrk -t%s -c%s -d%ss --latency; %s cores; reach --threads %s; nginx %s workers; reach log: %s\n\n",
			wthreads, conns, duration, cores, sthreads, workers, logto
		printf "%-8s %12s %9s %12s %10s  %s\n", "name", "requests/s", "p99 ms", "req/s÷nginx", "p99÷nginx", "what"
		for (i = 1; i <= n; i++) {
			k = name[i]
			rr[k] = ratio(rps[k], n_rps); pr[k] = ratio(p99[k], n_p99)
			note = (bad[k] || serr[k]) ? sprintf("  (!) %d non-2xx, %d socket errors", bad[k], serr[k]) : ""
			printf "%-8s %12.0f %9.2f %12.2f %10.2f  %s%s\n", k, rps[k], p99[k], rr[k], pr[k], what[k], note
		}
		ok_h = !bad["healthz"] && !serr["healthz"] && !bad["nginx"] && !serr["nginx"]
		ok_m = !bad["me"] && !serr["me"] && !bad["nginx"] && !serr["nginx"]
		goal(1, "healthz requests/s >= 0.8x nginx", rr["healthz"], ">=", 0.8, ok_h)
		goal(2, "healthz p99 <= 1.5x nginx", pr["healthz"], "<=", 1.5, ok_h)
		goal(3, "store read requests/s >= 0.4x nginx", rr["me"], ">=", 0.4, ok_m)
		printf "\ngoals\n"
		fails = 0
		for (i = 1; i <= 3; i++) {
			printf "  %-4s %-38s %.2f\n", g_pass[i] ? "PASS" : "FAIL", g_label[i], g_value[i]
			fails += !g_pass[i]
		}

		printf "{\n  \"date\": %s,\n", jstr(date) > out
		printf "  \"machine\": {\"cores\": %d, \"cpu\": %s, \"kernel\": %s},\n", cores, jstr(cpu), jstr(kernel) > out
		printf "  \"settings\": {\"wrk_threads\": %d, \"connections\": %d, \"duration_s\": %d, " \
			"\"reach_threads\": %d, \"nginx_workers\": %d, \"reach_log\": %s},\n",
			wthreads, conns, duration, sthreads, workers, jstr(logto) > out
		printf "  \"results\": [\n" > out
		for (i = 1; i <= n; i++) {
			k = name[i]
			printf "    {\"name\": %s, \"what\": %s, \"requests_per_s\": %.2f, \"p99_ms\": %.3f, " \
				"\"rps_ratio_to_nginx\": %.3f, \"p99_ratio_to_nginx\": %.3f, " \
				"\"non_2xx_3xx\": %d, \"socket_errors\": %d}%s\n",
				jstr(k), jstr(what[k]), rps[k], p99[k], rr[k], pr[k], bad[k], serr[k], i < n ? "," : "" > out
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
