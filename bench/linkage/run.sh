#!/bin/sh
# bench/linkage/run.sh BIN — the record-linkage benchmark (`reach link`,
# "Speed (bench/linkage)").
#
# Makes a register of school-age children and an enrolment file from three
# `reach demo` countries (Iran, Vietnam, Azerbaijan: BENCH_LEARNERS learners
# split three ways; the register comes out about 5% larger than the
# learners asked, the enrolment file about 2% smaller), then links them
# twice on the same files and cores:
#   reach    `reach link` under GNU time (seconds, peak memory)
#   peer     bench/linkage/peer.mjs: the same linkage as Splink would run it,
#            in DuckDB SQL (@duckdb/node-api), on Reach's normalised files
#            and with the model Reach trained (blocking rules, comparison
#            levels, m, u, λ), greedy one-to-one; the raw files give it the
#            word forms of names, which the normalised files lack
# and scores both against the demo's truth with bench/linkage/eval.mjs:
# pairwise precision, recall and F1; the out-of-school list's precision and
# recall; recall per culture. Then, when bench/linkage/febrl4.json exists,
# `reach link --config` on FEBRL 4 (5,000 x 5,000) and its F1. Prints the
# table and the goals with PASS or FAIL; the figures go to
# bench/out/linkage.json. Everything else is removed at exit.
#
# The peer's input comes from a second, untimed `reach link --normalised`
# run with the same seed, so the timed run is the command as a user runs
# it; BENCH_NORMALISED=same times the --normalised run instead (one run
# fewer; Reach's time then includes writing the two normalised files).
#
# Environment (all optional):
#   BENCH_LEARNERS    learners asked of the demo, all countries (970000:
#                     about 1,020,000 register rows x 950,000 enrolments;
#                     9500000 for the 10M x 9.2M goal; 30000 for a quick run)
#   BENCH_THREADS     threads for both engines (one per core)
#   BENCH_SEED        demo and link seed (1)
#   BENCH_NORMALISED  separate (default) or same, as above
#   BENCH_FEBRL       the FEBRL 4 directory (../shared/data/febrl4 beside the repo)
#   BENCH_FEBRL_CONFIG  its --config (bench/linkage/febrl4.json)
#   BENCH_OUT         the JSON file (bench/out/linkage.json)
#   BENCH_STRICT=1    exit 1 when a goal fails (default: exit 0 once measured)
set -eu

bin="${1:?usage: bench/linkage/run.sh BIN}"
case "$bin" in /*) ;; *) bin="$(pwd)/$bin" ;; esac
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
n="${BENCH_LEARNERS:-970000}"
threads="${BENCH_THREADS:-$(nproc)}"
seed="${BENCH_SEED:-1}"
normalised="${BENCH_NORMALISED:-separate}"
febrl="${BENCH_FEBRL:-$root/../shared/data/febrl4}"
febrl_config="${BENCH_FEBRL_CONFIG:-$here/febrl4.json}"
out="${BENCH_OUT:-bench/out/linkage.json}"

[ -x "$bin" ] || { echo "bench: $bin is not an executable (run make first)" >&2; exit 1; }
"$bin" help 2>&1 | grep -q '^ *link ' ||
	{ echo "bench: $bin has no link command (src/linkage is not built in yet)" >&2; exit 1; }
for tool in node npm; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (make deps-test installs it)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (make deps-bench installs time)" >&2; exit 1; }
case "$normalised" in separate|same) ;; *) echo "bench: BENCH_NORMALISED is separate or same" >&2; exit 1 ;; esac

# The peer's one npm package, pinned in package.json; nothing else.
if [ ! -d "$here/node_modules/@duckdb/node-api" ]; then
	echo "bench: installing @duckdb/node-api (npm)"
	(cd "$here" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/reach-bench-linkage.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
# One binary for every run, even if the tree is rebuilt meanwhile.
cp "$bin" "$tmp/reach-bin"
bin="$tmp/reach-bin"

. "$here/../measure.sh"

# The data: one demo per country, joined (the ids carry the country).
mkdir "$tmp/data"
per=$((n / 3)); i=0
for c in ir vn az; do
	count=$per
	[ "$c" = az ] && count=$((n - 2 * per))
	"$bin" --data "$tmp/demo-data" --log /dev/null demo --scale tiny --country "$c" --learners "$count" \
		--seed $((seed + i)) --out "$tmp/$c" --no-import --no-oneroster --quiet >"$tmp/demo.log" 2>&1 ||
		{ cat "$tmp/demo.log" >&2; exit 1; }
	i=$((i + 1))
done
for f in register learners truth; do
	head -n 1 "$tmp/ir/$f.csv" > "$tmp/data/$f.csv"
	for c in ir vn az; do tail -n +2 "$tmp/$c/$f.csv" >> "$tmp/data/$f.csv"; done
done
rm -rf "$tmp/ir" "$tmp/vn" "$tmp/az" "$tmp/demo-data"
reg="$tmp/data/register.csv"; enr="$tmp/data/learners.csv"
echo "bench: $n learners asked; $(($(wc -l < "$reg") - 1)) register rows x $(($(wc -l < "$enr") - 1)) enrolment rows" \
	"($(du -sh "$tmp/data" | cut -f1)), $threads threads on $(nproc) cores"

# `reach link` on the demo files; the rest of its options follow.
set -- "$bin" --data "$tmp/reach-data" --log /dev/null link --register "$reg" --enrolment "$enr" \
	--threads "$threads" --seed "$seed"
if [ "$normalised" = same ]; then
	measure "$tmp/reach.log" "$@" --out "$tmp/reach" --normalised
	norm="$tmp/reach"
else
	measure "$tmp/reach.log" "$@" --out "$tmp/reach"
fi
reach_wall=$wall; reach_peak=$peak
echo "bench: reach ${reach_wall}s, peak $((reach_peak / 1024)) MB"
[ "$rc" = 3 ] && echo "bench: reach: $(($(wc -l < "$tmp/reach/problems.csv") - 1)) problems in the input (problems.csv)"
if [ "$normalised" = separate ]; then
	norm="$tmp/norm"
	rc=0
	"$@" --out "$norm" --normalised >"$tmp/norm.log" 2>&1 || rc=$?
	case $rc in 0|3) ;; *) tail -20 "$tmp/norm.log" >&2; exit 1 ;; esac
	cmp -s "$tmp/reach/model.json" "$norm/model.json" ||
		echo "bench: note: the two reach runs trained different models (the peer uses the timed run's)"
fi
[ -f "$tmp/reach/model.json" ] || { echo "bench: reach link wrote no model.json" >&2; exit 1; }
if [ ! -f "$norm/register.norm.csv" ] || [ ! -f "$norm/enrolment.norm.csv" ]; then
	echo "bench: reach link --normalised wrote no register.norm.csv or enrolment.norm.csv" >&2
	exit 1
fi

# The raw files give the peer the word forms of names (the normalised files
# carry the compact forms only).
measure "$tmp/peer.log" node "$here/peer.mjs" --register "$norm/register.norm.csv" \
	--enrolment "$norm/enrolment.norm.csv" --model "$tmp/reach/model.json" --out "$tmp/peer" --threads "$threads" \
	--register-raw "$reg" --enrolment-raw "$enr"
peer_wall=$wall; peer_peak=$peak
sed 's/^/bench: /' "$tmp/peer.log"
echo "bench: peer ${peer_wall}s, peak $((peer_peak / 1024)) MB"

for e in reach peer; do
	oos=""
	[ -f "$tmp/$e/out_of_school.csv" ] && oos="--out-of-school $tmp/$e/out_of_school.csv"
	# shellcheck disable=SC2086
	node "$here/eval.mjs" --name "$e" --matches "$tmp/$e/matches.csv" $oos --truth "$tmp/data/truth.csv" \
		--enrolment "$enr" --json "$tmp/$e/eval.json" | sed 's/^/bench: /'
done

set -- --learners "$n" --cores "$(nproc)" --threads "$threads" --out "$out" \
	--reach "$tmp/reach" --reach-wall "$reach_wall" --reach-peak "$reach_peak" \
	--peer "$tmp/peer" --peer-wall "$peer_wall" --peer-peak "$peer_peak"
if [ -f "$febrl_config" ] && [ -f "$febrl/dataset4a.csv" ]; then
	if measure "$tmp/febrl.log" "$bin" --data "$tmp/reach-data" --log /dev/null link \
		--register "$febrl/dataset4a.csv" --enrolment "$febrl/dataset4b.csv" --config "$febrl_config" \
		--out "$tmp/febrl" --threads "$threads" --seed "$seed"; then
		node "$here/eval.mjs" --febrl --name "FEBRL 4" --matches "$tmp/febrl/matches.csv" \
			--register "$febrl/dataset4a.csv" --enrolment "$febrl/dataset4b.csv" --json "$tmp/febrl/eval.json" |
			sed 's/^/bench: /'
		set -- "$@" --febrl "$tmp/febrl" --febrl-wall "$wall" --febrl-peak "$peak"
	else
		echo "bench: reach link --config $febrl_config failed" >&2
		mkdir -p "$tmp/febrl"
		set -- "$@" --febrl "$tmp/febrl" --febrl-wall 0 --febrl-peak 0
	fi
else
	echo "bench: FEBRL 4 skipped (no $febrl_config, or no $febrl/dataset4a.csv)"
fi

mkdir -p "$(dirname "$out")"
rc=0
node "$here/report.mjs" "$@" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] || exit 1
[ "$rc" = 3 ] && [ "${BENCH_STRICT:-0}" = 1 ] && exit 1
exit 0
