/*
 * export.c — a region's figures and its children's as tables, written as
 * CSV or as an XLSX workbook (libxlsxwriter, which writes only to files:
 * a private temporary file is made, read back and removed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/arena.h"
#include "base/csv.h"
#include "base/log.h"
#include "dashboard/dashboard_int.h"
#include "base/banned.h"

static struct table *table_new(struct ctx *c, const char *name, int ncols, int nrows)
{
	struct table *t = arena_alloc(c->arena, sizeof *t);

	t->name = name;
	t->ncols = ncols;
	t->nrows = nrows;
	t->head = arena_alloc(c->arena, (size_t)ncols * sizeof *t->head);
	t->text = arena_alloc(c->arena, (size_t)(nrows * ncols + 1) * sizeof *t->text);
	t->num = arena_alloc(c->arena, (size_t)(nrows * ncols + 1) * sizeof *t->num);
	return t;
}

static void set_text(struct table *t, int row, int col, const char *s)
{
	t->text[row * t->ncols + col] = s ? s : "";
}

static void set_num(struct table *t, int row, int col, int64_t v)
{
	t->text[row * t->ncols + col] = NULL;
	t->num[row * t->ncols + col] = v;
}

struct table *table_figures(struct ctx *c, const struct region *r)
{
	struct figure_item it[FIGURE_ITEMS];
	int n = figures_items(&r->f, it);
	struct table *t = table_new(c, "figures", 5, n);

	t->head[0] = "region";
	t->head[1] = "figure";
	t->head[2] = "label";
	t->head[3] = "value";
	t->head[4] = "refreshed_at";
	for (int i = 0; i < n; i++) {
		set_text(t, i, 0, r->code);
		set_text(t, i, 1, it[i].key);
		set_text(t, i, 2, _(it[i].label));
		set_num(t, i, 3, it[i].value);
		set_text(t, i, 4, r->refreshed_at);
	}
	return t;
}

struct table *table_children(struct ctx *c, const struct region *kids, int n)
{
	struct figure_item it[FIGURE_ITEMS];
	struct table *t = table_new(c, "regions", 3 + FIGURE_ITEMS, n);

	figures_items(&(struct figures){0}, it);
	t->head[0] = "code";
	t->head[1] = "name";
	t->head[2] = "level";
	for (int j = 0; j < FIGURE_ITEMS; j++)
		t->head[3 + j] = it[j].key;
	for (int i = 0; i < n; i++) {
		set_text(t, i, 0, kids[i].code);
		set_text(t, i, 1, kids[i].name);
		set_text(t, i, 2, kids[i].level);
		figures_items(&kids[i].f, it);
		for (int j = 0; j < FIGURE_ITEMS; j++)
			set_num(t, i, 3 + j, it[j].value);
	}
	return t;
}

/* ---- CSV ---- */

/* One text cell, quoted as base/csv.h quotes every field. A cell that a
 * spreadsheet would run as a formula is written as text, with a leading
 * apostrophe (names come from imports, so they may be anything). */
static void csv_text(struct buf *out, const char *s)
{
	struct buf tmp;

	if (!s[0] || !strchr("=+-@\t\r", s[0])) {
		csv_write_field(out, s, strlen(s));
		return;
	}
	buf_init(&tmp, BUF_MAX_DEFAULT);
	buf_addc(&tmp, '\'');
	buf_puts(&tmp, s);
	csv_write_field(out, tmp.p, tmp.len);
	buf_release(&tmp);
}

void table_csv(const struct table *t, struct buf *out)
{
	buf_puts(out, "\xEF\xBB\xBF");
	for (int j = 0; j < t->ncols; j++) {
		if (j)
			buf_addc(out, ',');
		csv_text(out, t->head[j]);
	}
	buf_puts(out, "\r\n");
	for (int i = 0; i < t->nrows; i++) {
		for (int j = 0; j < t->ncols; j++) {
			int k = i * t->ncols + j;
			if (j)
				buf_addc(out, ',');
			if (t->text[k])
				csv_text(out, t->text[k]);
			else
				buf_add_i64(out, t->num[k]);
		}
		buf_puts(out, "\r\n");
	}
}

/* ---- XLSX ---- */

static bool write_sheet(lxw_workbook *wb, const struct table *t)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, t->name);
	lxw_format *bold = workbook_add_format(wb);
	lxw_error e = LXW_NO_ERROR;

	if (!ws || !bold)
		return false;
	format_set_bold(bold);
	for (int j = 0; j < t->ncols && !e; j++)
		e = worksheet_write_string(ws, 0, (lxw_col_t)j, t->head[j], bold);
	for (int i = 0; i < t->nrows && !e; i++)
		for (int j = 0; j < t->ncols && !e; j++) {
			int k = i * t->ncols + j;
			if (t->text[k])
				e = worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)j, t->text[k], NULL);
			else
				e = worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)j, (double)t->num[k], NULL);
		}
	worksheet_freeze_panes(ws, 1, 0);
	return e == LXW_NO_ERROR;
}

static enum err slurp(struct ctx *c, const char *path, struct buf *out)
{
	enum err rc = buf_read_file(out, path);

	return rc == ERR_IO ? ctx_fail(c, ERR_IO, NULL, "cannot read %s: %s", path, strerror(errno)) : rc;
}

enum err table_xlsx(struct ctx *c, const struct table *t, struct buf *out)
{
	char *path = arena_printf(c->arena, "%s/reach-xlsx-XXXXXX", temp_dir());
	lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
	lxw_workbook *wb;
	bool ok;
	int fd;
	enum err rc;

	if ((fd = mkstemp(path)) < 0)
		return ctx_fail(c, ERR_IO, NULL, "cannot make a temporary file: %s", strerror(errno));
	close(fd);
	if (!(wb = workbook_new_opt(path, &opt))) {
		unlink(path);
		return ctx_fail(c, ERR_IO, NULL, "cannot start a workbook");
	}
	ok = write_sheet(wb, t);
	if (workbook_close(wb) != LXW_NO_ERROR || !ok) {
		unlink(path);
		return ctx_fail(c, ERR_IO, NULL, "cannot write the workbook");
	}
	rc = slurp(c, path, out);
	unlink(path);
	return rc;
}
