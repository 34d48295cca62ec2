#!/bin/sh
# make run: creates the data directory with demo content on first start,
# then serves on http://127.0.0.1:8080 until Ctrl-C.
set -e
bin="$1"
data="$2"
if [ ! -f "$data/reach.db" ]; then
	login=$("$bin" --data "$data" init)
	echo "$login"
	# A synthetic country to look at: regions, schools, people (docs/demo.md).
	"$bin" --data "$data" demo --scale town --quiet ||
		echo "reach: the demo data was not fully loaded (see above); serving anyway"
	echo "$login" | grep -i "administrator"
fi
echo "reach: open http://127.0.0.1:8080/ in a browser (Ctrl-C stops)"
exec "$bin" --data "$data" serve --listen 127.0.0.1:8080
