/*
 * write.c — the transactions of an import run and its rejected rows.
 *
 * Every transaction takes one change-sequence value: the rows it writes
 * all carry it, and they become visible together, so "what changed since
 * N" stays exact while a million rows cost one sequence step per
 * IMPORT_TX_ROWS rows instead of one each.
 */
#include <stdio.h>
#include <string.h>

#include "base/csv.h"
#include "import/import_int.h"
#include "store/store.h"
#include "base/banned.h"

static const char SQL_REJECT[] =
	"INSERT INTO import_rejects (import_uid, file, row, col, reason) VALUES (?1, ?2, ?3, ?4, ?5)";

enum err tx_begin(struct imp *im)
{
	enum err rc;

	if (im->in_tx)
		return OK;
	if ((rc = store_begin(im->c->store)) != OK)
		return rc;
	if ((rc = store_seq_next(im->c->store, &im->seq)) != OK) {
		store_rollback(im->c->store);
		return rc;
	}
	time_now_iso(im->now);
	im->in_tx = true;
	im->tx_rows = 0;
	return OK;
}

enum err tx_commit(struct imp *im)
{
	enum err rc;

	if (!im->in_tx)
		return OK;
	if ((rc = rows_flush(im)) != OK)
		return rc;
	im->in_tx = false;
	if ((rc = store_commit(im->c->store)) != OK)
		store_rollback(im->c->store);
	return rc;
}

void tx_rollback(struct imp *im)
{
	rows_drop(im);
	if (im->in_tx)
		store_rollback(im->c->store);
	im->in_tx = false;
}

enum err tx_step(struct imp *im)
{
	enum err rc;

	if (++im->tx_rows < IMPORT_TX_ROWS || im->one_tx)
		return OK;
	if ((rc = tx_commit(im)) != OK)
		return rc;
	return tx_begin(im);
}

void counted(struct imp *im)
{
	im->res->written++;
}

static void report_line(FILE *f, const char *file, int64_t row, const char *col, const char *reason)
{
	csv_fput_field(f, file);
	fprintf(f, ",%lld,", (long long)row);
	csv_fput_field(f, col);
	fputc(',', f);
	csv_fput_field(f, reason);
	fputc('\n', f);
}

enum err reject(struct imp *im, int64_t row, const char *col, const char *reason)
{
	if (im->report)
		report_line(im->report, im->file, row, col ? col : "", reason);
	if (im->one_tx) {
		report_line(im->spool, im->file, row, col ? col : "", reason);
		return OK;
	}
	return store_exec(im->c->store, SQL_REJECT, "ititt", im->uid, im->file, row, col ? col : "", reason);
}

bool reject_rec(struct imp *im, struct batch *b, struct rec *r, enum err *rc)
{
	*rc = OK;
	if (!r->nprob)
		return false;
	for (int i = 0; i < r->nprob && *rc == OK; i++)
		*rc = reject(im, r->row, r->prob[i].col, b->text.p + r->prob[i].reason);
	im->res->rejected++;
	return true;
}

enum err row_store_err(struct imp *im, struct rec *r, enum err rc)
{
	if (rc != ERR_EXISTS && rc != ERR_STORE)
		return rc;
	im->res->rejected++;
	return reject(im, r->row, "", "the store refused this row (it breaks a rule of the registry)");
}

/* Reads one spooled field back (the spool is our own CSV). */
static int spool_field(FILE *f, struct buf *out)
{
	int c = fgetc(f);
	bool quoted = c == '"';

	buf_reset(out);
	if (c == EOF)
		return EOF;
	if (!quoted)
		ungetc(c, f);
	while ((c = fgetc(f)) != EOF) {
		if (quoted && c == '"') {
			c = fgetc(f);
			if (c != '"')
				break;
		} else if (!quoted && (c == ',' || c == '\n'))
			break;
		buf_addc(out, (char)c);
	}
	return c;
}

enum err reject_unspool(struct imp *im)
{
	struct buf fld[4];
	enum err rc = OK;
	int64_t row;

	if (!im->spool)
		return OK;
	rewind(im->spool);
	for (int i = 0; i < 4; i++)
		buf_init(&fld[i], 1 << 16);
	if ((rc = store_begin(im->c->store)) != OK)
		goto out;
	for (;;) {
		int i;
		for (i = 0; i < 4; i++)
			if (spool_field(im->spool, &fld[i]) == EOF && i < 3)
				break;
		if (i < 4)
			break;
		if (conf_parse_int(fld[1].p, 0, INT64_MAX, &row) != OK)
			row = 0;
		if ((rc = store_exec(im->c->store, SQL_REJECT, "ititt", im->uid, fld[0].p, row, fld[2].p,
				     fld[3].p)) != OK)
			break;
	}
	if (rc == OK)
		rc = store_commit(im->c->store);
	else
		store_rollback(im->c->store);
out:
	for (int i = 0; i < 4; i++)
		buf_release(&fld[i]);
	return rc;
}
