#!/bin/sh
# Runs every test: the unit tests beside the modules (cmocka), the catalog
# check, the HTTP tests (tests/http/NNN_*.mjs) and the browser tests
# (tests/browser/*.mjs). Counts cases, and ends with "N passed, N failed".
#   tests/run.sh BUILD_DIR        (make test / make asan call it)
#   TEST_FILTER=http tests/run.sh build   only files whose path has "http"
build="${1:-build}"
cd "$(dirname "$0")/.." || exit 2
export REACH_BUILD="$PWD/$build"
out="$PWD/tests/out"
mkdir -p "$out"
passed=0
failed=0
failures=""

# add PASSED FAILED NAME
add() {
	passed=$((passed + $1))
	failed=$((failed + $2))
	[ "$2" -gt 0 ] && failures="$failures $3"
	return 0
}

selected() {
	[ -z "$TEST_FILTER" ] && return 0
	case "$1" in *"$TEST_FILTER"*) return 0 ;; esac
	return 1
}

for t in $(find "$build/test" -type f -perm -u+x 2>/dev/null | sort); do
	selected "$t" || continue
	name=${t#"$build/test/"}
	log="$out/unit-$(echo "$name" | tr / -).log"
	"$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a crash is a failure
	echo "unit  $name: $p passed, $f failed"
	[ "$f" -gt 0 ] && grep -E "FAILED|ERROR|error|Assert|runtime error|Sanitizer" "$log" | head -20
	add "$p" "$f" "$name"
done

if selected po-check; then
	if sh tools/po-check.sh >"$out/po-check.log" 2>&1; then
		echo "po    catalogs complete"; add 1 0 po
	else
		echo "po    catalogs incomplete:"; tail -20 "$out/po-check.log"; add 0 1 po-check
	fi
fi

for t in tests/http/[0-9]*.mjs tests/browser/[0-9]*.mjs; do
	[ -f "$t" ] || continue
	selected "$t" || continue
	log="$out/$(basename "$t" .mjs).log"
	timeout 600 node "$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^# \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^# \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	echo "node  $t: $p passed, $f failed"
	[ "$f" -gt 0 ] && grep -A6 "^not ok" "$log" | head -40
	[ "$rc" -ne 0 ] && [ -z "$(grep '^not ok' "$log")" ] && tail -15 "$log"
	add "$p" "$f" "$t"
done

[ -n "$failures" ] && echo "failed in:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
