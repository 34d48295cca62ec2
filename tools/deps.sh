#!/bin/sh
# Installs the Debian packages named on the command line that are missing.
# As root it runs apt-get; otherwise it prints the exact line to run and
# stops. "package=command" means: the package is not needed when command
# is already on the PATH (node and npm may come with another nodejs build,
# whose package conflicts with Debian's npm).
missing=""
for p in "$@"; do
	pkg=${p%%=*}
	cmd=${p#*=}
	if [ "$cmd" != "$p" ] && command -v "$cmd" >/dev/null 2>&1; then
		continue
	fi
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "reach: these Debian packages are missing. Install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "reach: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || apt-get update
apt-get install -y -qq --no-install-recommends $missing >/dev/null || apt-get install -y $missing
