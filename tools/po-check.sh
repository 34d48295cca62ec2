#!/bin/sh
# po-check — every user-visible string has a translation.
#
#   sh tools/po-check.sh
#
# Collects the msgids the program uses: _("…") and N_("…") in the C sources
# (through xgettext) and {{_ "…"}} in templates/*.html. Fails (exit 1),
# listing file, line and msgid, when po/fa/, po/vi/ or po/az/ lacks a
# non-empty, non-fuzzy translation of one, or when msgfmt --check rejects any
# po/LANG/*.po (one file per module). Prints a count and exits 0 otherwise. Msgids are compared in their
# PO-escaped form (\" and \\), which is also how templates write them.
set -u
cd "$(dirname "$0")/.." || exit 2

LANGS="fa vi az"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0

# A PO file's entries as "location<TAB>msgid" (location: the first "#:" ref,
# or "-"), joining continued strings; the header entry is left out.
po_ids() {
	awk '
	function flush() { if (inid && id != "") print loc "\t" id; inid = 0; id = ""; loc = "-" }
	BEGIN { loc = "-" }
	/^#: / { if (loc == "-") { loc = $2 } next }
	/^msgid "/ { inid = 1; s = $0; sub(/^msgid "/, "", s); sub(/"$/, "", s); id = s; next }
	/^"/ && inid { s = $0; sub(/^"/, "", s); sub(/"$/, "", s); id = id s; next }
	/^msgstr/ { flush(); loc = "-" }
	' "$1"
}

# The msgids used in C, with their locations.
find src -name '*.[ch]' | sort > "$tmp/files"
if [ -s "$tmp/files" ]; then
	xgettext --keyword=_ --keyword=N_ --language=C --from-code=UTF-8 --force-po \
		--no-wrap --omit-header -o "$tmp/c.pot" -f "$tmp/files" || exit 2
	po_ids "$tmp/c.pot" > "$tmp/used"
else
	: > "$tmp/used"
fi

# The msgids used in templates: {{_ "…"}}, any number per line.
for f in templates/*.html; do
	[ -f "$f" ] || continue
	grep -no '{{ *_ *"\([^"\\]\|\\.\)*"' "$f" |
		sed 's/^\([0-9]*\):{{ *_ *"\(.*\)"$/\1\t\2/' |
		awk -v f="$f" -F '\t' '{ print f ":" $1 "\t" $2 }' >> "$tmp/used"
done

# Every catalog must compile.
for po in po/*/*.po; do
	[ -f "$po" ] || continue
	if ! msgfmt --check -o /dev/null "$po" 2> "$tmp/err"; then
		echo "$po: msgfmt --check failed:"
		sed 's/^/  /' "$tmp/err"
		status=1
	fi
done

# Every used msgid must be translated in each target catalog.
for l in $LANGS; do
	po="po/$l/*.po"
	if ! ls po/$l/*.po >/dev/null 2>&1; then
		echo "$po: missing"
		status=1
		continue
	fi
	msgcat --use-first -o "$tmp/$l-all.po" po/$l/*.po 2> /dev/null ||
		{ echo "$po: msgcat failed"; status=1; continue; }
	msgattrib --translated --no-fuzzy --no-obsolete --no-wrap -o "$tmp/$l.po" "$tmp/$l-all.po" 2> /dev/null ||
		{ echo "$po: msgattrib failed"; status=1; continue; }
	po_ids "$tmp/$l.po" | cut -f2 | sort -u > "$tmp/$l.ids"
	awk -F '\t' -v po="$po" '
		NR == FNR { have[$0] = 1; next }
		!($2 in have) { printf "%s: %s has no translation of \"%s\"\n", $1, po, $2; bad = 1 }
		END { exit bad }
	' "$tmp/$l.ids" "$tmp/used" || status=1
done

n=$(cut -f2 "$tmp/used" | sort -u | wc -l)
if [ "$status" -ne 0 ]; then
	echo "po-check: FAILED"
	exit 1
fi
echo "po-check: $n msgids used, all translated in $LANGS"
exit 0
