/*
 * zip.c — members of a OneRoster zip read as streams, straight from the
 * archive (libzip decompresses as it is read; nothing is extracted to
 * disk). A member is found by its base name, so an archive whose files sit
 * in a folder reads the same as one whose files sit at the top.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zip.h>

#include "base/xmalloc.h"
#include "import/import_int.h"
#include "base/banned.h"

struct zsrc {
	zip_t *z;
	zip_file_t *zf;     /* the member being read */
	int wfd;            /* the pipe's writing end */
	pthread_t feeder;
};

enum err zsrc_open(const char *path, struct zsrc **out, struct errinfo *ei)
{
	int zerr = 0;
	zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);

	*out = NULL;
	if (!z) {
		zip_error_t e;
		zip_error_init_with_code(&e, zerr);
		err_set(ei, ERR_INVALID, NULL, "%s is not a readable zip archive: %s", path, zip_error_strerror(&e));
		zip_error_fini(&e);
		return ERR_INVALID;
	}
	*out = xcalloc(1, sizeof **out);
	(*out)->z = z;
	return OK;
}

void zsrc_close(struct zsrc *z)
{
	if (!z)
		return;
	zip_discard(z->z);
	free(z);
}

static zip_int64_t find(struct zsrc *z, const char *name)
{
	zip_int64_t n = zip_get_num_entries(z->z, 0);

	for (zip_int64_t i = 0; i < n; i++) {
		const char *m = zip_get_name(z->z, (zip_uint64_t)i, 0), *base;
		if (!m || strncmp(m, "__MACOSX/", 9) == 0)
			continue;
		base = strrchr(m, '/');
		base = base ? base + 1 : m;
		if (strcasecmp(base, name) == 0)
			return i;
	}
	return -1;
}

bool zsrc_has(struct zsrc *z, const char *name)
{
	return find(z, name) >= 0;
}

/* Decompresses the member into the pipe until the end, or until the
 * reader closes its end (then the write fails with EPIPE: SIGPIPE is
 * blocked in this thread). */
static void *feed(void *arg)
{
	struct zsrc *z = arg;
	char buf[64 * 1024];
	zip_int64_t n;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while ((n = zip_fread(z->zf, buf, sizeof buf)) > 0) {
		for (zip_int64_t off = 0; off < n;) {
			ssize_t w = write(z->wfd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				goto out;
			off += w;
		}
	}
out:
	close(z->wfd);
	return NULL;
}

int zsrc_member(struct zsrc *z, const char *name)
{
	zip_int64_t i = find(z, name);
	int fds[2];

	if (i < 0 || !(z->zf = zip_fopen_index(z->z, (zip_uint64_t)i, 0)))
		return -1;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		zip_fclose(z->zf);
		return -1;
	}
	z->wfd = fds[1];
	if (pthread_create(&z->feeder, NULL, feed, z) != 0)
		BUG("cannot start the zip reader thread");
	return fds[0];
}

void zsrc_member_close(struct zsrc *z, int fd)
{
	close(fd);
	pthread_join(z->feeder, NULL);
	zip_fclose(z->zf);
	z->zf = NULL;
}
