/*
 * link_cmd.c — `reach link`: reads the register and the enrolment files,
 * runs the engine (linkage.h) and writes the results in the output
 * directory (docs/formats.md, "Record linkage").
 *
 * Exit status: 0 when every row was used as it was, 3 when some rows or
 * values had to be set aside (listed in problems.csv), 2 when the input
 * cannot be used at all (a missing column, a bad configuration), 1 when
 * the output cannot be written.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/args.h"
#include "base/csv.h"
#include "base/jw.h"
#include "base/text.h"
#include "base/timeutil.h"
#include "base/xmalloc.h"
#include "linkage/link_cmd.h"
#include "linkage/linkage_int.h"
#include "base/banned.h"

enum phase { P_READ, P_NORMALISE, P_BLOCK, P_TRAIN, P_SCORE, P_ASSIGN, P_WRITE, P__N };
static const char *const phase_names[] = {"read", "normalise", "block", "train", "score", "assign", "write"};

struct run {
	struct lk_schema s;
	struct lk_side reg, enr;
	const char *reg_path, *enr_path, *out;
	int threads;
	bool quiet;
	FILE *problems;          /* problems.csv, opened at the first problem */
	struct buf problems_mem; /* problems before the output directory exists */
	struct buf side_problems[2];  /* each file's, while the two are read at once */
	int64_t nproblems, side_nproblems[2], rejected[2];
	int read_rc[2];
	double t[P__N];
	uint64_t t0;
};

static void say(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->quiet)
		return;
	va_start(ap, fmt);
	fputs("link: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static double lap(struct run *r)
{
	uint64_t now = time_mono_ns();
	double s = (double)(now - r->t0) / 1e9;

	r->t0 = now;
	return s;
}

/* Appends a problem to b: file, row, column, what, and what was done. */
static void problem_to(struct buf *b, const char *file, int64_t row, const char *col, const char *msg,
		       const char *action)
{
	char num[24];
	const char *field[5] = {file, num, col, msg, action};

	snprintf(num, sizeof num, "%lld", (long long)row);
	csv_write_row(b, field, NULL, 5);
}

static void problem(struct run *r, const char *file, int64_t row, const char *col, const char *msg,
		    const char *action)
{
	problem_to(&r->problems_mem, file, row, col, msg, action);
	r->nproblems++;
}

/* A problem of a file being read (which: 0 register, 1 enrolment). */
static void side_problem(struct run *r, int which, const char *file, int64_t row, const char *col, const char *msg)
{
	problem_to(&r->side_problems[which], file, row, col, msg, "row not used");
	r->side_nproblems[which]++;
	r->rejected[which]++;
}

/* ---- Reading --------------------------------------------------------------- */

/* The record with the same id as record i of d, or -1 (and i is added).
 * ids maps the hash of an id to its record. */
static int64_t id_seen(struct lk_map *ids, const struct lk_side *d, size_t i, const char *id)
{
	uint64_t h = lk_hash(id, strlen(id), 7) | 1;

	for (size_t k = lk_map_next(ids, h, LK_MAP_END); k != LK_MAP_END; k = lk_map_next(ids, h, k))
		if (!strcmp(d->raw + d->raw_off[ids->val[k]], id))
			return (int64_t)ids->val[k];
	lk_map_add(ids, h, i);
	return -1;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Reads one side. Returns 0, or 2 when the file cannot be used. */
static int read_side(struct run *r, struct lk_side *d, const char *path, int which)
{
	const char *file = base_name(path);
	struct errinfo ei = {0};
	struct csv_reader *rd = csv_open(path, NULL, &ei);
	int col[LK_MAX_FIELDS], idcol;
	struct csv_row row;
	enum csv_next got;
	struct lk_map ids = {0};

	if (!rd) {
		fprintf(stderr, "reach: link: %s: %s\n", path, ei.msg);
		return 2;
	}
	idcol = csv_col(rd, r->s.id_column);
	for (int f = 0; f < r->s.nfields; f++)
		col[f] = csv_col(rd, r->s.f[f].column);
	for (int f = -1; f < r->s.nfields; f++)
		if ((f < 0 ? idcol : col[f]) < 0) {
			size_t nh;
			const char *const *h = csv_header(rd, &nh);
			struct buf have;
			buf_init(&have, 4000);
			for (size_t i = 0; i < nh && i < 40; i++)
				buf_printf(&have, "%s%.40s", i ? "," : "", h[i]);
			fprintf(stderr, "reach: link: %s, row 1 (the header): the column \"%s\" is missing (the header has: %s)\n",
				path, f < 0 ? r->s.id_column : r->s.f[f].column, have.p);
			buf_release(&have);
			csv_close(rd);
			return 2;
		}
	lk_side_init(d, which ? "enrolment" : "register", r->s.nfields);
	{
		struct stat sb;
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			lk_side_reserve(d, (size_t)sb.st_size);
			lk_map_reserve(&ids, d->cap / 2);  /* cap counts 40 bytes a row, few are so short; the table grows if need be */
		}
	}
	while ((got = csv_next(rd, &row)) != CSV_END) {
		const char *v[LK_MAX_FIELDS];
		size_t len[LK_MAX_FIELDS];
		const char *id;
		int64_t dup;
		if (got == CSV_FAIL) {
			fprintf(stderr, "reach: link: %s: %s\n", path, row.error);
			csv_close(rd);
			lk_map_free(&ids);
			return 2;
		}
		if (got == CSV_BAD_ROW) {
			side_problem(r, which, file, (int64_t)row.row, row.col_name ? row.col_name : "", row.error);
			continue;
		}
		id = row.field[idcol];
		while (*id == ' ')
			id++;
		if (!*id) {
			side_problem(r, which, file, (int64_t)row.row, r->s.id_column, "the id is blank");
			continue;
		}
		if (d->n >= UINT32_MAX - 1) {
			fprintf(stderr, "reach: link: %s: more than 4 billion rows\n", path);
			csv_close(rd);
			lk_map_free(&ids);
			return 2;
		}
		for (int f = 0; f < r->s.nfields; f++) {
			v[f] = row.field[col[f]];
			len[f] = row.len[col[f]];
		}
		lk_side_add(d, (int64_t)row.row, id, v, len);
		if ((dup = id_seen(&ids, d, d->n - 1, id)) >= 0) {
			char msg[160];
			snprintf(msg, sizeof msg, "the id \"%.60s\" is already used at row %lld", id,
				 (long long)d->rec[dup].row);
			side_problem(r, which, file, (int64_t)row.row, r->s.id_column, msg);
			d->n--;
			d->raw_len = d->raw_off[d->n];
		}
	}
	lk_map_free(&ids);
	csv_close(rd);
	return 0;
}

static void read_thread(void *arg, int k)
{
	struct run *r = arg;

	buf_init(&r->side_problems[k], (size_t)1 << 34);
	r->read_rc[k] = read_side(r, k ? &r->enr : &r->reg, k ? r->enr_path : r->reg_path, k);
}

/* Reads both files at once; their problems follow in file order. */
static int read_both(struct run *r)
{
	lk_parallel(2, read_thread, r);
	for (int k = 0; k < 2; k++) {
		buf_add(&r->problems_mem, r->side_problems[k].p ? r->side_problems[k].p : "", r->side_problems[k].len);
		r->nproblems += r->side_nproblems[k];
		buf_release(&r->side_problems[k]);
	}
	return r->read_rc[0] ? r->read_rc[0] : r->read_rc[1];
}

/* ---- Writing --------------------------------------------------------------- */

struct out {
	FILE *f;
	char path[4096], tmp[4200];
};

static bool out_open(struct run *r, struct out *o, const char *name)
{
	snprintf(o->path, sizeof o->path, "%s/%s", r->out, name);
	snprintf(o->tmp, sizeof o->tmp, "%s.partial", o->path);
	if (!(o->f = fopen(o->tmp, "w"))) {
		fprintf(stderr, "reach: link: cannot write %s: %s\n", o->tmp, strerror(errno));
		return false;
	}
	return true;
}

static bool out_close(struct out *o)
{
	bool ok = !ferror(o->f);

	if (fclose(o->f) != 0)
		ok = false;
	if (ok && rename(o->tmp, o->path) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "reach: link: cannot write %s: %s\n", o->path, strerror(errno));
		unlink(o->tmp);
	}
	return ok;
}

/* The matches and the out-of-school rows of a range of register rows,
 * formatted by one thread each; written in order after. */
struct wjob {
	const struct run *r;
	const struct lk_scored *sc;
	const uint32_t *match;
	const float *mw;
	int n;
	struct buf m[64], o[64];
};

/*
 * Appends v with `decimals` digits (at most 6) after the point, as
 * printf's "%.*f" would, faster: the scaled value is rounded directly,
 * and printf is asked only when it lies too near a rounding tie for the
 * result to be sure, or is large.
 */
static void put_fixed(struct buf *b, double v, int decimals)
{
	static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
	double x = fabs(v) * scale[decimals], r = floor(x + 0.5), frac = x - floor(x);
	char tmp[32], *p = tmp + sizeof tmp;
	uint64_t n;

	if (!(x < 1e12) || fabs(frac - 0.5) < 1e-6) {
		buf_printf(b, "%.*f", decimals, v);
		return;
	}
	n = (uint64_t)r;
	for (int d = 0; d < decimals; d++) {
		*--p = (char)('0' + n % 10);
		n /= 10;
	}
	if (decimals)
		*--p = '.';
	do {
		*--p = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	if (signbit(v))
		*--p = '-';  /* as printf: -0.0000 for a small negative */
	buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

static void put_id(struct buf *b, const struct lk_side *d, uint32_t i)
{
	const char *id = lk_id(d, &d->rec[i]);

	csv_write_field(b, id, strlen(id));
}

static void write_thread(void *arg, int k)
{
	struct wjob *j = arg;
	const struct run *r = j->r;
	size_t lo = r->reg.n * (size_t)k / (size_t)j->n, hi = r->reg.n * (size_t)(k + 1) / (size_t)j->n;

	buf_init(&j->m[k], (size_t)1 << 36);
	buf_init(&j->o[k], (size_t)1 << 36);
	for (size_t a = lo; a < hi; a++) {
		uint64_t b = j->sc->best[a];
		if (j->match[a] != UINT32_MAX) {
			put_id(&j->m[k], &r->reg, (uint32_t)a);
			buf_addc(&j->m[k], ',');
			put_id(&j->m[k], &r->enr, j->match[a]);
			buf_addc(&j->m[k], ',');
			put_fixed(&j->m[k], lk_prob(j->mw[a]), 6);
			buf_addc(&j->m[k], ',');
			put_fixed(&j->m[k], (double)j->mw[a], 4);
			buf_puts(&j->m[k], "\r\n");
			continue;
		}
		put_id(&j->o[k], &r->reg, (uint32_t)a);
		if (b == LK_NONE)
			buf_puts(&j->o[k], ",,\r\n");
		else {
			buf_addc(&j->o[k], ',');
			put_id(&j->o[k], &r->enr, UINT32_MAX - lk_best_enrol(b));
			buf_addc(&j->o[k], ',');
			put_fixed(&j->o[k], lk_prob(lk_best_weight(b)), 6);
			buf_puts(&j->o[k], "\r\n");
		}
	}
}

static bool write_pairs(struct run *r, const struct lk_scored *sc, const uint32_t *match, size_t *nreview)
{
	struct out m, v, o;
	double lo = lk_bits(r->s.review_lo), hi = lk_bits(r->s.review_hi);
	float *mw = xmalloc((r->reg.n ? r->reg.n : 1) * sizeof *mw);
	struct wjob *j = xcalloc(1, sizeof *j);
	bool ok;

	if (!out_open(r, &m, "matches.csv") || !out_open(r, &v, "review.csv") || !out_open(r, &o, "out_of_school.csv"))
		return false;
	fputs("register_id,enrolment_id,probability,weight\r\n", m.f);
	fputs("register_id,enrolment_id,probability,weight,matched\r\n", v.f);
	fputs("register_id,best_enrolment_id,best_probability\r\n", o.f);
	*nreview = 0;
	/* The review band, strongest first (the pairs are sorted). */
	for (size_t i = 0; i < sc->n; i++) {
		const struct lk_pair *p = &sc->pairs[i];
		if (match[p->r] == p->e)
			mw[p->r] = p->weight;
		if (p->weight < lo || p->weight > hi)
			continue;
		csv_fput_field(v.f, lk_id(&r->reg, &r->reg.rec[p->r]));
		fputc(',', v.f);
		csv_fput_field(v.f, lk_id(&r->enr, &r->enr.rec[p->e]));
		fprintf(v.f, ",%.6f,%.4f,%s\r\n", lk_prob(p->weight), p->weight, match[p->r] == p->e ? "yes" : "no");
		++*nreview;
	}
	*j = (struct wjob){.r = r, .sc = sc, .match = match, .mw = mw, .n = r->threads < 1 ? 1 : r->threads > 64 ? 64 : r->threads};
	lk_parallel(j->n, write_thread, j);
	for (int k = 0; k < j->n; k++) {
		fwrite(j->m[k].p, 1, j->m[k].len, m.f);
		fwrite(j->o[k].p, 1, j->o[k].len, o.f);
		buf_release(&j->m[k]);
		buf_release(&j->o[k]);
	}
	free(j);
	free(mw);
	ok = out_close(&m);
	ok = out_close(&v) && ok;
	return out_close(&o) && ok;
}

static bool write_text(struct run *r, const char *name, const struct buf *b)
{
	struct out o;

	if (b->err != OK) {
		fprintf(stderr, "reach: link: %s could not be made in full (%s)\n", name, err_name(b->err));
		return false;
	}
	if (!out_open(r, &o, name))
		return false;
	fwrite(b->p, 1, b->len, o.f);
	return out_close(&o);
}

static void report(struct run *r, struct buf *b, const struct lk_rule_stats *rs, const struct lk_scored *sc,
		   const struct lk_train_stats *ts, size_t nmatch, size_t nreview, bool trained_here)
{
	const char *const side_key[2] = {"register", "enrolment"};
	const struct lk_side *side[2] = {&r->reg, &r->enr};
	const char *path[2] = {r->reg_path, r->enr_path};
	double total = 0;
	struct jw w;

	jw_init(&w, b);
	jw_obj(&w);
	for (int k = 0; k < 2; k++) {
		jw_key(&w, side_key[k]);
		jw_obj(&w);
		jw_kstr(&w, "file", path[k]);
		jw_kint(&w, "rows", (int64_t)side[k]->n);
		jw_kint(&w, "rejected", r->rejected[k]);
		jw_end(&w);
	}
	jw_kint(&w, "problems", r->nproblems);
	jw_kint(&w, "threads", r->threads);
	jw_key(&w, "candidates");
	jw_obj(&w);
	jw_kint(&w, "total", sc->scored);
	jw_key(&w, "rules");
	jw_arr(&w);
	for (int q = 0; q < r->s.nrules; q++) {
		jw_obj(&w);
		jw_kstr(&w, "name", r->s.rule[q].name);
		jw_kint(&w, "pairs", rs[q].pairs);
		jw_kint(&w, "new_pairs", sc->rule_scored[q]);
		jw_kint(&w, "blocks", rs[q].blocks);
		jw_kint(&w, "largest_block", rs[q].largest);
		jw_kstr(&w, "largest_key", rs[q].largest_key);
		jw_kint(&w, "skewed_blocks", rs[q].skewed);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	jw_kint(&w, "pairs_scored", sc->scored);
	jw_kint(&w, "pairs_settled_by_bound", sc->bounded);
	jw_key(&w, "pairs_per_second");
	jw_num(&w, r->t[P_SCORE] > 0 ? round((double)sc->scored / r->t[P_SCORE]) : 0);
	jw_key(&w, "training");
	jw_obj(&w);
	jw_kbool(&w, "trained", trained_here);
	jw_kint(&w, "u_pairs", ts->u_pairs);
	jw_kint(&w, "em_pairs", ts->em_pairs);
	jw_kint(&w, "patterns", ts->patterns);
	jw_kint(&w, "iterations", ts->iterations);
	jw_kint(&w, "deterministic_pairs", ts->deterministic);
	jw_key(&w, "em_match_share");
	jw_num(&w, ts->em_lambda);
	jw_key(&w, "lambda");
	jw_num(&w, r->s.lambda);
	jw_end(&w);
	jw_key(&w, "parameters");
	jw_obj(&w);
	for (int f = 0; f < r->s.nfields; f++) {
		jw_key(&w, r->s.f[f].name);
		jw_arr(&w);
		for (int l = 0; l < r->s.f[f].nlevels; l++) {
			const struct lk_level *v = &r->s.f[f].level[l];
			jw_obj(&w);
			jw_kstr(&w, "level", v->label);
			jw_key(&w, "m");
			jw_num(&w, v->m);
			jw_key(&w, "u");
			jw_num(&w, v->u);
			jw_key(&w, "weight");
			jw_num(&w, v->weight);
			jw_end(&w);
		}
		jw_end(&w);
	}
	jw_end(&w);
	jw_kint(&w, "matches", (int64_t)nmatch);
	jw_kint(&w, "out_of_school", (int64_t)(r->reg.n - nmatch));
	jw_kint(&w, "review", (int64_t)nreview);
	jw_key(&w, "seconds");
	jw_obj(&w);
	for (int p = 0; p < P__N; p++) {
		jw_key(&w, phase_names[p]);
		jw_num(&w, round(r->t[p] * 1000) / 1000);
		total += r->t[p];
	}
	jw_key(&w, "total");
	jw_num(&w, round(total * 1000) / 1000);
	jw_end(&w);
	jw_end(&w);
	buf_addc(b, '\n');
}

/* Writes register.norm.csv or enrolment.norm.csv: every field's forms. */
static bool write_norm(struct run *r, const struct lk_side *d, const char *name)
{
	struct out o;

	if (!out_open(r, &o, name))
		return false;
	fputs("id", o.f);
	for (int f = 0; f < r->s.nfields; f++) {
		const char *n = r->s.f[f].name;
		fprintf(o.f, ",%s", n);
		if (r->s.f[f].type == LK_NAME)
			fprintf(o.f, ",%s_tones,%s_skeleton,%s_words", n, n, n);
		if (r->s.f[f].type == LK_REGION)
			fprintf(o.f, ",%s_parent", n);
	}
	for (int f = 0; f < r->s.nfields; f++)
		if (r->s.f[f].tf_slot >= 0)
			fprintf(o.f, ",tf_%s", r->s.f[f].name);
	fputs("\r\n", o.f);
	for (size_t i = 0; i < d->n; i++) {
		const struct lk_rec *x = &d->rec[i];
		csv_fput_field(o.f, lk_id(d, x));
		for (int f = 0; f < r->s.nfields; f++) {
			fputc(',', o.f);
			csv_fput_field(o.f, lk_form(d, x, f, LK_FORM_VALUE));
			if (r->s.f[f].type == LK_NAME) {
				fputc(',', o.f);
				csv_fput_field(o.f, lk_form(d, x, f, LK_FORM_TONES));
				fputc(',', o.f);
				csv_fput_field(o.f, lk_form(d, x, f, LK_FORM_SKEL));
				fputc(',', o.f);
				csv_fput_field(o.f, lk_form(d, x, f, LK_FORM_WORDS));
			}
			if (r->s.f[f].type == LK_REGION) {
				fputc(',', o.f);
				csv_fput_field(o.f, lk_form(d, x, f, LK_FORM_WORDS));
			}
		}
		for (int f = 0; f < r->s.nfields; f++)
			if (r->s.f[f].tf_slot >= 0)
				fprintf(o.f, ",%.9g", (double)x->tf[r->s.f[f].tf_slot]);
		fputs("\r\n", o.f);
	}
	return out_close(&o);
}

/* ---- Explaining a pair ------------------------------------------------------ */

static int64_t find(const struct lk_side *d, const char *id)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(lk_id(d, &d->rec[i]), id))
			return (int64_t)i;
	return -1;
}

static void shown(const struct lk_schema *s, const struct lk_side *d, const struct lk_rec *x, int f, char *out,
		  size_t max)
{
	const char *w = s->f[f].type == LK_REGION ? "" : lk_form(d, x, f, LK_FORM_WORDS);
	const char *v = lk_form(d, x, f, LK_FORM_VALUE);

	snprintf(out, max, "%s", *w ? w : *v ? v : "-");
}

static int explain(struct run *r, const char *rid, const char *eid)
{
	int64_t a = find(&r->reg, rid), e = find(&r->enr, eid);
	int8_t lv[LK_MAX_FIELDS];
	double tf[LK_MAX_FIELDS], w, prior = lk_prior_bits(&r->s);
	bool sw;

	if (a < 0 || e < 0) {
		fprintf(stderr, "reach: link: --explain: no %s row has the id \"%s\"\n", a < 0 ? "register" : "enrolment",
			a < 0 ? rid : eid);
		return 2;
	}
	lk_levels(&r->s, &r->reg, &r->reg.rec[a], &r->enr, &r->enr.rec[e], lv, &sw);
	w = prior + lk_weight(&r->s, &r->reg.rec[a], lv, tf);
	printf("register %s (row %lld) ~ enrolment %s (row %lld)\n", rid, (long long)r->reg.rec[a].row, eid,
	       (long long)r->enr.rec[e].row);
	printf("%-14s %-24s %-24s %-12s %10s %10s %8s %8s\n", "comparison", "register", "enrolment", "level", "m", "u",
	       "weight", "tf");
	for (int f = 0; f < r->s.nfields; f++) {
		const struct lk_field *fd = &r->s.f[f];
		char va[128], vb[128];
		int fb = f;
		if (sw && f == r->s.given)
			fb = r->s.family;
		else if (sw && f == r->s.family)
			fb = r->s.given;
		shown(&r->s, &r->reg, &r->reg.rec[a], f, va, sizeof va);
		shown(&r->s, &r->enr, &r->enr.rec[e], fb, vb, sizeof vb);
		if (lv[f] < 0)
			printf("%-14s %-24s %-24s %-12s %10s %10s %+8.3f %8s\n", fd->name, va, vb, "null", "-", "-", 0.0, "-");
		else
			printf("%-14s %-24s %-24s %-12s %10.4g %10.4g %+8.3f %+8.3f\n", fd->name, va, vb,
			       fd->level[lv[f]].label, fd->level[lv[f]].m, fd->level[lv[f]].u,
			       fd->level[lv[f]].weight + tf[f], tf[f]);
	}
	if (sw)
		printf("(the given and family names compare better exchanged, and were)\n");
	printf("%-14s λ = %.6g %52s %+8.3f\n", "prior", r->s.lambda, "", prior);
	printf("match weight %.3f, probability %.6f: %s (threshold %.3g)\n", w, lk_prob(w),
	       lk_prob(w) >= r->s.threshold ? "a match if neither side is taken by a stronger pair" : "not a match",
	       r->s.threshold);
	return 0;
}

/* ---- The command ------------------------------------------------------------ */

static int usage(void)
{
	fprintf(stderr, "usage: reach link --register R.csv --enrolment E.csv --out DIR [--threads N]\n"
			"         [--threshold P] [--config link.json] [--model model.json] [--seed N]\n"
			"         [--normalised] [--quiet]\n"
			"       reach link --register R.csv --enrolment E.csv --explain REGISTER_ID ENROLMENT_ID\n"
			"         [--config link.json] [--model model.json]\n");
	return 2;
}

/* Refuses an option the command does not know ("--treshold" would
 * otherwise be the default threshold, silently). */
static int check_options(int argc, char **argv)
{
	static const char *const valued[] = {"register", "enrolment", "out", "threshold", "config", "model", "seed",
					     NULL};
	static const char *const flags[] = {"normalised", "quiet", NULL};

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool known = false;
		if (!strcmp(a, "--explain")) {
			i += 2;
			continue;
		}
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "reach: link: unexpected argument \"%s\"\n", a);
			return usage();
		}
		for (int k = 0; valued[k] && !known; k++)
			if (!strcmp(a + 2, valued[k]) ||
			    (!strncmp(a + 2, valued[k], strlen(valued[k])) && a[2 + strlen(valued[k])] == '=')) {
				known = true;
				if (!strchr(a, '='))
					i++;
			}
		for (int k = 0; flags[k] && !known; k++)
			known = !strcmp(a + 2, flags[k]);
		if (!known) {
			fprintf(stderr, "reach: link: unknown option \"%s\"\n", a);
			return usage();
		}
	}
	return 0;
}

static bool load_json(struct run *r, const char *path, const char *what)
{
	struct errinfo ei = {0};
	struct buf b;
	enum err rc;
	bool ok;

	buf_init(&b, 16 << 20);
	if ((rc = buf_read_file(&b, path)) == ERR_IO) {
		fprintf(stderr, "reach: link: cannot read the %s %s: %s\n", what, path, strerror(errno));
		buf_release(&b);
		return false;
	}
	ok = rc == OK && lk_schema_json(&r->s, b.p, b.len, &ei) == OK;
	if (!ok)
		fprintf(stderr, "reach: link: %s: %s\n", path, rc != OK ? "too large (over 16 MB)" : ei.msg);
	buf_release(&b);
	return ok;
}

static int parse_args(struct run *r, int argc, char **argv)
{
	const char *v;

	r->reg_path = args_opt(argc, argv, "register");
	r->enr_path = args_opt(argc, argv, "enrolment");
	r->out = args_opt(argc, argv, "out");
	r->quiet = args_flag(argc, argv, "quiet");
	if (r->threads < 1)
		r->threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (r->threads < 1)
		r->threads = 1;
	if (r->threads > 64)
		r->threads = 64;
	lk_schema_default(&r->s);
	if ((v = args_opt(argc, argv, "config")) && !load_json(r, v, "configuration"))
		return 2;
	if ((v = args_opt(argc, argv, "model"))) {
		if (!load_json(r, v, "model"))
			return 2;
		if (!r->s.trained) {
			fprintf(stderr, "reach: link: %s is not a trained model (\"trained\": true)\n", v);
			return 2;
		}
	}
	if ((v = args_opt(argc, argv, "threshold"))) {
		char *end;
		double t = strtod(v, &end);
		if (*end || !(t > 0 && t <= 1)) {
			fprintf(stderr, "reach: link: --threshold must be a probability above 0, up to 1\n");
			return 2;
		}
		r->s.threshold = t;
	}
	if ((v = args_opt(argc, argv, "seed"))) {
		char *end;
		unsigned long long s = strtoull(v, &end, 10);
		if (*end || !*v) {
			fprintf(stderr, "reach: link: --seed must be a whole number\n");
			return 2;
		}
		r->s.seed = s;
	}
	return 0;
}

int link_cmd(int argc, char **argv, int threads)
{
	struct run *r = xcalloc(1, sizeof *r);
	struct lk_rule_stats rs[LK_MAX_RULES] = {0};
	struct lk_train_stats ts = {0};
	struct lk_scored sc = {0};
	struct lk_problem *np = NULL;
	struct lk_blocks *bl = NULL;
	uint32_t *match = NULL;
	const char *explain_r = NULL, *explain_e = NULL;
	size_t nnp = 0, nmatch = 0, nreview = 0;
	bool trained_here = false;
	struct buf b;
	int rc;

	r->threads = threads;
	buf_init(&r->problems_mem, (size_t)1 << 34);
	buf_puts(&r->problems_mem, "file,row,column,problem,action\r\n");
	for (int i = 0; i + 2 < argc; i++)
		if (!strcmp(argv[i], "--explain")) {
			explain_r = argv[i + 1];
			explain_e = argv[i + 2];
		}
	if ((rc = check_options(argc, argv)) != 0 || (rc = parse_args(r, argc, argv)) != 0)
		goto out;
	if (!r->reg_path || !r->enr_path || (!r->out && !explain_r)) {
		rc = usage();
		goto out;
	}
	if (r->out && mkdir(r->out, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "reach: link: cannot create %s: %s\n", r->out, strerror(errno));
		rc = 1;
		goto out;
	}
	r->t0 = time_mono_ns();
	if ((rc = read_both(r)) != 0)
		goto out;
	r->t[P_READ] = lap(r);
	say(r, "read %zu register rows and %zu enrolment rows (%.1f s)", r->reg.n, r->enr.n, r->t[P_READ]);
	lk_normalise(&r->s, &r->reg, r->threads, &np, &nnp);
	for (size_t i = 0; i < nnp; i++)
		problem(r, base_name(r->reg_path), np[i].row, r->s.f[np[i].field].column, np[i].msg, "value not used");
	nnp = 0;
	lk_normalise(&r->s, &r->enr, r->threads, &np, &nnp);
	for (size_t i = 0; i < nnp; i++)
		problem(r, base_name(r->enr_path), np[i].row, r->s.f[np[i].field].column, np[i].msg, "value not used");
	lk_term_freq(&r->s, &r->reg, &r->enr, r->threads);
	r->t[P_NORMALISE] = lap(r);
	say(r, "normalised (%.1f s)", r->t[P_NORMALISE]);
	if (!r->reg.n || !r->enr.n)
		say(r, "one side has no usable rows: nothing can match");
	bl = lk_block(&r->s, &r->reg, &r->enr, r->threads, rs);
	r->t[P_BLOCK] = lap(r);
	for (int q = 0; q < r->s.nrules; q++) {
		say(r, "rule %s: %lld candidate pairs in %lld blocks (largest %lld)", r->s.rule[q].name,
		    (long long)rs[q].pairs, (long long)rs[q].blocks, (long long)rs[q].largest);
		if (rs[q].skewed)
			say(r, "warning: rule %s has %lld blocks of more than %lld pairs; the largest (%lld pairs) is \"%s\"",
			    r->s.rule[q].name, (long long)rs[q].skewed, (long long)r->s.skew_pairs,
			    (long long)rs[q].largest, rs[q].largest_key);
	}
	if (explain_r && (find(&r->reg, explain_r) < 0 || find(&r->enr, explain_e) < 0)) {
		rc = explain(r, explain_r, explain_e);
		goto out;
	}
	if (!r->s.trained && r->reg.n && r->enr.n) {
		lk_train(&r->s, &r->reg, &r->enr, bl, r->threads, &ts);
		trained_here = true;
	}
	r->t[P_TRAIN] = lap(r);
	say(r, "trained: λ = %.4g from %lld deterministic pairs, EM on %lld pairs in %lld patterns, %lld iterations "
	       "(%.1f s)", r->s.lambda, (long long)ts.deterministic, (long long)ts.em_pairs, (long long)ts.patterns,
	    (long long)ts.iterations, r->t[P_TRAIN]);
	if (explain_r) {
		rc = explain(r, explain_r, explain_e);
		goto out;
	}
	lk_score(&r->s, &r->reg, &r->enr, bl, r->threads, &sc);
	r->t[P_SCORE] = lap(r);
	say(r, "scored %lld pairs (%.0f a second, %.1f s); %lld settled by their bound alone", (long long)sc.scored,
	    r->t[P_SCORE] > 0 ? (double)sc.scored / r->t[P_SCORE] : 0, r->t[P_SCORE], (long long)sc.bounded);
	match = xmalloc((r->reg.n ? r->reg.n : 1) * sizeof *match);
	nmatch = lk_assign(&r->s, &sc, r->reg.n, r->enr.n, match);
	r->t[P_ASSIGN] = lap(r);
	say(r, "%zu matches, %zu register rows without one (%.1f s)", nmatch, r->reg.n - nmatch, r->t[P_ASSIGN]);
	if (!write_pairs(r, &sc, match, &nreview)) {
		rc = 1;
		goto out;
	}
	buf_init(&b, (size_t)1 << 26);
	lk_schema_write(&r->s, &b);
	rc = write_text(r, "model.json", &b) ? 0 : 1;
	buf_reset(&b);
	if (rc == 0)
		rc = write_text(r, "problems.csv", &r->problems_mem) ? 0 : 1;
	if (rc == 0 && args_flag(argc, argv, "normalised"))
		rc = write_norm(r, &r->reg, "register.norm.csv") && write_norm(r, &r->enr, "enrolment.norm.csv") ? 0 : 1;
	r->t[P_WRITE] = lap(r);
	if (rc == 0) {
		report(r, &b, rs, &sc, &ts, nmatch, nreview, trained_here);
		rc = write_text(r, "report.json", &b) ? 0 : 1;
	}
	buf_release(&b);
	if (rc == 0 && r->nproblems) {
		say(r, "%lld problems in the input (rows or values not used): see %s/problems.csv", (long long)r->nproblems,
		    r->out);
		rc = 3;
	}
out:
	free(np);
	free(match);
	lk_scored_free(&sc);
	lk_blocks_free(bl);
	lk_side_free(&r->reg);
	lk_side_free(&r->enr);
	buf_release(&r->problems_mem);
	text_thread_release();
	free(r);
	return rc;
}
