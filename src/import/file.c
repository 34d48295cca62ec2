/*
 * file.c — reading one CSV file of an import: its header mapped to the
 * kind's columns by name, then its rows in batches through a pipeline of
 * two threads. The parser thread reads, validates and normalises the next
 * batch, and refuses the external ids the file repeats, while this thread
 * writes the current one in file order, so the store never waits for the
 * text work and the text work never waits for the store. Two batches (and
 * the set of ids seen) are all the memory there is, whatever the file.
 *
 * A file that fills an empty table (an initial load of people,
 * enrolments or guardian links) drops the table's indexes in its first
 * transaction (all but the public id's, which only ever grows at its end,
 * and those behind a primary key) and builds them at its end: one sort
 * costs much less than a million random inserts into each b-tree.
 * Meanwhile people and enrolments are inserted, not upserted (there is
 * nothing to update, and the duplicate set refuses an id the file
 * repeats). store.h says why a kill in between loses no index.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/csv.h"
#include "base/xmalloc.h"
#include "import/import_int.h"
#include "store/store.h"
#include "base/banned.h"

#define SLOTS 2

struct pipe {
	struct imp *im;
	const struct kind *k;
	struct csv_reader *rd;
	int fd;
	int64_t size;                      /* bytes of the file (0: unknown) */
	int map[IMPORT_MAX_VALUES + 8];    /* kind column → file column, -1 */
	size_t nheader;
	int64_t rows;                      /* data rows read (bad ones too) */
	struct dupset dups;                /* the ids seen (the parser's) */
	struct batch slot[SLOTS];
	bool full[SLOTS];
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Opens the file, or takes the open descriptor, and reads the header.
 * Every failure here means the file cannot be used at all. */
static enum err open_csv(struct imp *im, struct pipe *p, const char *path, int fd, const char *name)
{
	struct errinfo ei = {0};
	struct stat sb;

	p->fd = fd >= 0 ? fd : open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0)
		return ctx_fail(im->c, ERR_INVALID, NULL, "cannot read %s: %s", path, strerror(errno));
	if (fstat(p->fd, &sb) == 0 && S_ISDIR(sb.st_mode))
		return ctx_fail(im->c, ERR_INVALID, NULL, "%s is a directory, not a CSV file", path);
	p->size = fd < 0 && S_ISREG(sb.st_mode) ? (int64_t)sb.st_size : 0;
	if (!(p->rd = csv_open_fd(p->fd, NULL, &ei)))
		return ctx_fail(im->c, ERR_INVALID, NULL, "%s: %s", name, ei.msg);
	return OK;
}

static void close_csv(struct pipe *p, int fd)
{
	csv_close(p->rd);
	if (p->fd >= 0 && p->fd != fd)
		close(p->fd);
}

/* Maps the kind's columns onto the header; ERR_INVALID when a required
 * one is missing. */
static enum err header(struct imp *im, struct pipe *p, const char *name)
{
	const char *const *names = csv_header(p->rd, &p->nheader);
	struct buf have;
	enum err rc = OK;

	buf_init(&have, 2000);
	for (size_t i = 0; i < p->nheader && i < 40; i++)
		buf_printf(&have, "%s%.40s", i ? ", " : "", names[i]);
	for (int j = 0; p->k->cols[j].name; j++) {
		p->map[j] = csv_col(p->rd, p->k->cols[j].name);
		if (p->map[j] < 0 && p->k->cols[j].required && rc == OK)
			rc = ctx_fail(im->c, ERR_INVALID, p->k->cols[j].name,
				      "%s: the required column \"%s\" is missing (the header has: %s)", name,
				      p->k->cols[j].name, have.p);
	}
	buf_release(&have);
	return rc;
}

/* A row whose external id an earlier row of the file had is refused:
 * which of the two was meant cannot be told. */
static void repeated(struct pipe *p, struct batch *b, struct rec *r)
{
	const char *id = V(b, r, p->k->key);
	int64_t first;

	if (!id || !(first = dupset_add(&p->dups, id, r->row)))
		return;
	if (first < 0)
		problem(b, r, p->k->key_col, "cannot tell whether id \"%s\" came before: the ids seen could not "
			"be read back from %s (%s)", id, temp_dir(), strerror(errno));
	else
		problem(b, r, p->k->key_col, "duplicate id \"%s\", first seen at row %lld", id, (long long)first);
}

/* Parses one row (or notes why it cannot be read) into the batch. */
static void parse_row(struct pipe *p, struct batch *b, enum csv_next got, const struct csv_row *row)
{
	struct rec *r = &b->recs[b->n++];
	struct fields in;

	memset(r, 0, sizeof *r);
	for (int v = 0; v < IMPORT_MAX_VALUES; v++)
		r->off[v] = -1;
	r->row = (int64_t)row->row;
	if (got == CSV_BAD_ROW) {
		problem(b, r, row->col_name ? row->col_name : "", "line %llu: %s",
			(unsigned long long)(row->err_line ? row->err_line : row->line), row->error);
		return;
	}
	in.cols = p->k->cols;
	for (int j = 0; p->k->cols[j].name; j++) {
		in.has[j] = p->map[j] >= 0;
		in.f[j] = in.has[j] ? (struct slice){row->field[p->map[j]], row->len[p->map[j]]} :
				      (struct slice){"", 0};
	}
	p->k->parse(p->im, &in, b, r);
	if (p->k->key_col && !r->skip)
		repeated(p, b, r);
}

/* Fills a batch with the next rows. */
static void fill(struct pipe *p, struct batch *b)
{
	struct csv_row row;
	enum csv_next got = CSV_ROW;

	b->n = 0;
	b->last = false;
	buf_reset(&b->text);
	while (b->n < IMPORT_BATCH_ROWS && b->text.len < IMPORT_BATCH_TEXT) {
		got = csv_next(p->rd, &row);
		if (got == CSV_END || got == CSV_FAIL)
			break;
		p->rows = (int64_t)row.row;
		parse_row(p, b, got, &row);
	}
	if (got == CSV_END || got == CSV_FAIL)
		b->last = true;
	if (got == CSV_FAIL) {
		b->err = ERR_INVALID;
		err_set(&b->ei, ERR_INVALID, NULL, "%s: %s", p->im->file, row.error);
	}
}

static void *parser(void *arg)
{
	struct pipe *p = arg;

	for (int i = 0;; i = (i + 1) % SLOTS) {
		pthread_mutex_lock(&p->mu);
		while (p->full[i] && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (p->stop)
			break;
		fill(p, &p->slot[i]);
		pthread_mutex_lock(&p->mu);
		p->full[i] = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (p->slot[i].last)
			break;
	}
	return NULL;
}

static void report_progress(struct imp *im, struct pipe *p)
{
	int64_t rows = p->rows, done = im->progress_base + rows;
	off_t used = p->size > 0 ? lseek(p->fd, 0, SEEK_CUR) : 0;

	if (!im->o || !im->o->progress || im->again)
		return;
	/* The total is estimated from the share of the file read so far. */
	im->o->progress(im->o->arg, done,
			used > 0 ? im->progress_base + (int64_t)((double)rows * (double)p->size / (double)used) : 0);
}

static enum err write_batch(struct pipe *p, struct batch *b)
{
	struct imp *im = p->im;
	enum err rc = b->err;

	if (rc != OK) {
		im->c->err = b->ei;
		return rc;
	}
	for (int i = 0; i < b->n && rc == OK; i++) {
		struct rec *r = &b->recs[i];
		im->res->read++;
		if (r->skip)
			continue;
		if ((rc = p->k->write(im, b, r)) == OK)
			rc = tx_step(im);
	}
	/* Rows still waiting read their values from this batch, which goes
	 * back to the parser next. */
	return rc == OK ? rows_flush(im) : rc;
}

/* The writer's side of the pipeline: every batch, in order. */
static enum err drain(struct pipe *p)
{
	enum err rc = OK;

	for (int i = 0;; i = (i + 1) % SLOTS) {
		struct batch *b = &p->slot[i];
		bool last;
		pthread_mutex_lock(&p->mu);
		while (!p->full[i])
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		rc = write_batch(p, b);
		last = b->last;
		report_progress(p->im, p);
		pthread_mutex_lock(&p->mu);
		p->full[i] = false;
		if (rc != OK)
			p->stop = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (last || rc != OK)
			return rc;
	}
}

enum err file_check(struct imp *im, const struct kind *k, const char *path, int fd, const char *name)
{
	struct pipe p = {.im = im, .k = k, .fd = -1};
	enum err rc;

	name = name ? name : base_name(path);
	if ((rc = open_csv(im, &p, path, fd, name)) == OK)
		rc = header(im, &p, name);
	close_csv(&p, fd);
	return rc;
}

enum err file_import(struct imp *im, const struct kind *k, const char *path, int fd, const char *name)
{
	struct pipe p = {.im = im, .k = k, .fd = -1};
	pthread_t th;
	int deferred = 0;
	enum err rc;

	im->file = name ? name : base_name(path);
	if ((rc = open_csv(im, &p, path, fd, im->file)) != OK || (rc = header(im, &p, im->file)) != OK)
		goto out;
	dupset_init(&p.dups, DUP_MAX_SLOTS, DUP_FILTER_BYTES);
	for (int i = 0; i < SLOTS; i++) {
		p.slot[i].recs = xmalloc(sizeof *p.slot[i].recs * IMPORT_BATCH_ROWS);
		buf_init(&p.slot[i].text, IMPORT_BATCH_TEXT + 16 * CSV_MAX_ROW_DEFAULT);
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	if ((rc = tx_begin(im)) == OK && k->table)
		rc = store_defer_indexes(im->c->store, k->table, &deferred);
	im->initial = deferred > 0;
	if (rc == OK) {
		if (pthread_create(&th, NULL, parser, &p) != 0)
			BUG("cannot start the import parser thread");
		rc = drain(&p);
		pthread_join(th, NULL);
	}
	im->initial = false;
	/* Built again at the end of each file: the next file (and the
	 * second pass over this one) may look rows up by these indexes.
	 * Outside a strict or dry run, the rows are committed first and
	 * each index is built in a transaction of its own, so the
	 * write-ahead log holds one index at a time, not all of them. */
	if (rc == OK && deferred && !im->one_tx)
		rc = tx_commit(im);
	if (rc == OK && deferred && (rc = store_rebuild_indexes(im->c->store)) != OK)
		ctx_fail(im->c, rc, NULL, "%s: the indexes of %s could not be built again (did another client write "
			 "a duplicate external id meanwhile?); the store tries again each time it is opened",
			 im->file, k->table);
	if (rc == OK && deferred && !im->one_tx)
		rc = tx_begin(im);
	if (rc == OK && k->finish)
		rc = k->finish(im);
	im->progress_base += p.rows;

	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	dupset_free(&p.dups);
	for (int i = 0; i < SLOTS; i++) {
		free(p.slot[i].recs);
		buf_release(&p.slot[i].text);
	}
out:
	close_csv(&p, fd);
	return rc;
}
