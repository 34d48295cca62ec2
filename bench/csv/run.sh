#!/bin/sh
# The CSV reader's speed: makes a 1,000,000-row file of 8 fields
# (~106 bytes a row) and reads it three times, printing rows/s, MB/s
# (by wall and by CPU time: the machine may be shared) and peak RSS.
#   sh bench/csv/run.sh [ROWS]
set -e
cd "$(dirname "$0")/../.."
rows="${1:-1000000}"
out="${BUILD:-build}/bench"
mkdir -p "$out"
BASE="src/base/utf8.c src/base/err.c src/base/log.c src/base/jw.c src/base/timeutil.c src/base/xmalloc.c src/base/buf.c src/base/csv.c"
cc -std=c17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes \
   -Wmissing-prototypes -Wvla -Werror -Isrc -o "$out/csv_bench" \
   bench/csv/csv_bench.c $BASE -lcsv -pthread -lm
file="$out/csv_bench_$rows.csv"
[ -f "$file" ] || "$out/csv_bench" gen "$file" "$rows"
ls -l "$file"
for i in 1 2 3; do
	/usr/bin/time -f "  (time: %e s elapsed, max RSS %M KiB)" "$out/csv_bench" read "$file"
done
