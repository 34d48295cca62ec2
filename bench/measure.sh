# bench/measure.sh — sourced by the benchmarks: measure LOG CMD [ARG...]
#
# Runs CMD under GNU time with its output in LOG and sets, from time's
# report: wall (seconds), cpu (user plus system seconds, every thread) and
# peak (kB of resident memory at most). The disk is synced first: a load
# writes gigabytes, and the next one must not wait behind the write-back
# of the one before. Exit 0 and 3 (done, some input set aside: rejected
# rows, unused values) are success; any other status prints the end of the
# log and returns 1. Needs $tmp, a directory of the caller's.
measure() {
	_log="$1"; shift
	rc=0
	sync
	/usr/bin/time -v -o "$tmp/time" "$@" >"$_log" 2>&1 || rc=$?
	case $rc in 0|3) ;; *) tail -20 "$_log" >&2; return 1 ;; esac
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { print s }' "$tmp/time")
	peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
}
