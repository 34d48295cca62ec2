/*
 * embed.h — the files built into the binary by tools/embed.c: migrations
 * ("src/store/migrations/0001_core.sql"), templates ("templates/x.html"),
 * static files ("static/reach.css") and catalogs ("mo/fa.mo"). The data is
 * read-only, lives as long as the program, and is NUL-terminated.
 */
#ifndef BASE_EMBED_H
#define BASE_EMBED_H

#include <stddef.h>

struct embedded {
	const char *name;
	const unsigned char *data;
	size_t len;
};

/* The table, ending with an entry whose name is NULL. Sorted by name. */
extern const struct embedded embedded_files[];

/* The file with this exact name, or NULL. */
const struct embedded *embed_find(const char *name);

#endif
