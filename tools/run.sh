#!/bin/sh
# make run: creates the data directory with demo content on first start,
# then serves on http://127.0.0.1:8080 until Ctrl-C.
set -e
bin="$1"
data="$2"
if [ ! -f "$data/reach.db" ]; then
	"$bin" --data "$data" init
	# The registry issue adds demo regions, schools and people here:
	# reach demo --scale town
fi
echo "reach: open http://127.0.0.1:8080/ in a browser (Ctrl-C stops)"
exec "$bin" --data "$data" serve --listen 127.0.0.1:8080
