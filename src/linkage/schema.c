/*
 * schema.c — the fields of a linkage run, their comparison levels and the
 * blocking rules: the defaults, a configuration or model read from JSON,
 * and the model written back (docs/formats.md, "Linkage configuration").
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "linkage/linkage.h"
#include "base/banned.h"

static const char *const type_names[] = {"name", "string", "date", "nid", "exact", "region"};
static const char *const xform_names[] = {"", "skeleton", "year", "parent", "prefix3", "parts", "fullname"};

/* The levels of each type, best first; the last is "else". */
static const char *const name_levels[] = {"exact_tones", "exact", "tokens", "skeleton", "jw1", "jw2", "else", NULL};
static const char *const string_levels[] = {"exact", "osa1", "jw1", "jw2", "else", NULL};
static const char *const date_levels[] = {"exact", "swap", "near", "one_edit", "year", "else", NULL};
static const char *const nid_levels[] = {"exact", "one_edit", "else", NULL};
static const char *const exact_levels[] = {"exact", "else", NULL};
static const char *const region_levels[] = {"exact", "near", "else", NULL};

static const char *const *const type_levels[] = {name_levels, string_levels, date_levels, nid_levels,
						  exact_levels, region_levels};

static void field_init(struct lk_field *f, const char *name, const char *column, enum lk_type type)
{
	const char *const *lv = type_levels[type];

	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", name);
	snprintf(f->column, sizeof f->column, "%s", column);
	f->type = type;
	f->compare = true;
	f->tf = type == LK_NAME;
	f->t1 = type == LK_NAME ? 0.92 : 0.9;
	f->t2 = 0.8;
	f->tf_slot = -1;
	for (f->nlevels = 0; lv[f->nlevels]; f->nlevels++) {
		struct lk_level *l = &f->level[f->nlevels];
		snprintf(l->label, sizeof l->label, "%s", lv[f->nlevels]);
		/* Starting values: matches mostly agree, non-matches mostly not. */
		l->m = f->nlevels == 0 ? 0.8 : 0.2 / (1 << f->nlevels);
		l->u = lv[f->nlevels + 1] ? 0.01 / (1 << f->nlevels) : 0.95;
	}
}

static int field_index(const struct lk_schema *s, const char *name)
{
	for (int i = 0; i < s->nfields; i++)
		if (!strcmp(s->f[i].name, name))
			return i;
	return -1;
}

/* Gives term-frequency slots to the fields that ask for them, names their
 * places among the names, and words of the hot line (lk_hot) to the
 * fields, in order, while there are some: dates have their place apart. */
static enum err slots(struct lk_schema *s, struct errinfo *ei)
{
	int k = 0, h = 0, nlen = 0;

	s->nnames = 0;
	for (int i = 0; i < s->nfields; i++) {
		enum lk_type t = s->f[i].type;
		s->f[i].name_k = t == LK_NAME ? s->nnames++ : -1;
		int need = t == LK_NAME || t == LK_NID ? 2 : t == LK_DATE ? 0 : 1;
		s->f[i].hot = s->f[i].hot_len = -1;
		if (!need || h + need > LK_HOT || (t == LK_NAME && nlen == LK_MAX_TF))
			continue;
		s->f[i].hot = h;
		h += need;
		if (t == LK_NAME)
			s->f[i].hot_len = nlen++;
	}
	for (int i = 0; i < s->nfields; i++) {
		s->f[i].tf_slot = -1;
		if (!s->f[i].tf)
			continue;
		if (s->f[i].type != LK_NAME && s->f[i].type != LK_STRING)
			return err_set(ei, ERR_INVALID, s->f[i].name, "%s: term frequencies apply to names and strings only",
				       s->f[i].name);
		if (k == LK_MAX_TF)
			return err_set(ei, ERR_INVALID, s->f[i].name, "at most %d fields can have \"tf\"", LK_MAX_TF);
		s->f[i].tf_slot = k++;
	}
	return OK;
}

static void rule(struct lk_schema *s, const char *name, bool swap, int n, ...)
{
	struct lk_rule *r = &s->rule[s->nrules++];
	va_list ap;

	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	r->swap = swap;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		int x;
		r->part[i].field = va_arg(ap, int);
		x = va_arg(ap, int);
		r->part[i].x = (enum lk_xform)(x % 100);
		r->part[i].n = x / 100;
	}
	va_end(ap);
	r->nparts = n;
}

/* A "partsN" key part for rule(). */
#define PARTS(n) (LK_X_PARTS + 100 * (n))

void lk_schema_default(struct lk_schema *s)
{
	enum { NID, GIVEN, FAMILY, FATHER, SEX, BIRTH, REGION };
	struct errinfo ei;

	memset(s, 0, sizeof *s);
	snprintf(s->id_column, sizeof s->id_column, "id");
	field_init(&s->f[NID], "national_id", "national_id", LK_NID);
	field_init(&s->f[GIVEN], "given_name", "given_name", LK_NAME);
	field_init(&s->f[FAMILY], "family_name", "family_name", LK_NAME);
	field_init(&s->f[FATHER], "father_name", "father_name", LK_NAME);
	field_init(&s->f[SEX], "sex", "sex", LK_EXACT);
	field_init(&s->f[BIRTH], "birth_date", "birth_date", LK_DATE);
	field_init(&s->f[REGION], "region_code", "region_code", LK_REGION);
	s->nfields = 7;
	s->given = GIVEN;
	s->family = FAMILY;
	/* Names and the year within a district; the names exchanged; a
	 * first name and the birth day within a province; a family name and
	 * the birth day within a district (a third of Vietnamese children
	 * are Nguyễn); all the words of the names, whatever their order or field;
	 * the family and the father; the birth day and sex within a district;
	 * the names and the father within a district, when the birth day is
	 * missing. */
	rule(s, "national_id", false, 1, NID, LK_X_VALUE);
	rule(s, "names_year", false, 4, GIVEN, LK_X_SKELETON, FAMILY, LK_X_SKELETON, BIRTH, LK_X_YEAR, REGION, PARTS(3));
	rule(s, "swapped_names_year", true, 4, GIVEN, LK_X_SKELETON, FAMILY, LK_X_SKELETON, BIRTH, LK_X_YEAR, REGION,
	     PARTS(3));
	rule(s, "given_birth", false, 3, GIVEN, LK_X_VALUE, BIRTH, LK_X_VALUE, REGION, PARTS(2));
	rule(s, "family_birth", false, 3, FAMILY, LK_X_SKELETON, BIRTH, LK_X_VALUE, REGION, PARTS(3));
	rule(s, "fullname_year", false, 3, GIVEN, LK_X_FULLNAME, BIRTH, LK_X_YEAR, REGION, PARTS(3));
	rule(s, "family_father_year", false, 4, FAMILY, LK_X_SKELETON, FATHER, LK_X_SKELETON, BIRTH, LK_X_YEAR, REGION,
	     PARTS(3));
	rule(s, "birth_sex_district", false, 3, BIRTH, LK_X_VALUE, SEX, LK_X_VALUE, REGION, PARTS(3));
	rule(s, "names_father_district", false, 4, GIVEN, LK_X_SKELETON, FAMILY, LK_X_SKELETON, FATHER, LK_X_SKELETON,
	     REGION, PARTS(3));
	s->lambda = 1e-6;
	s->threshold = 0.5;
	s->review_lo = 0.05;
	s->review_hi = 0.95;
	s->seed = 1;
	s->u_pairs = 1000000;
	s->em_pairs = 1000000;
	s->skew_pairs = 1000000;
	slots(s, &ei);
	lk_weights(s);
}

void lk_weights(struct lk_schema *s)
{
	for (int i = 0; i < s->nfields; i++) {
		struct lk_field *f = &s->f[i];
		/* The first level two different values can have: a name's
		 * words, anything else's second. */
		int differ = f->type == LK_NAME ? 2 : f->type == LK_DATE ? 0 : 1;
		f->w_any = 0;
		f->w_differ = -HUGE_VAL;
		f->log2u_tf = -HUGE_VAL;
		for (int l = 0; l < f->nlevels; l++) {
			struct lk_level *v = &f->level[l];
			v->weight = log2(v->m / v->u);
			v->log2u = log2(v->u);
			f->w_any = fmax(f->w_any, v->weight);
			if (l >= differ)
				f->w_differ = fmax(f->w_differ, v->weight);
			if (l < differ)
				f->log2u_tf = fmax(f->log2u_tf, v->log2u);
		}
		if (f->w_differ == -HUGE_VAL)
			f->w_differ = f->w_any;
	}
}

/* ---- Reading ------------------------------------------------------------ */

static enum err number(json_t *v, const char *key, double lo, double hi, double *out, struct errinfo *ei)
{
	if (!v)
		return OK;
	if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi)
		return err_set(ei, ERR_INVALID, key, "\"%s\" must be a number from %g to %g", key, lo, hi);
	*out = json_number_value(v);
	return OK;
}

static enum err text(json_t *v, const char *key, char *out, size_t max, struct errinfo *ei)
{
	if (!v)
		return OK;
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= max)
		return err_set(ei, ERR_INVALID, key, "\"%s\" must be a text of 1 to %zu bytes", key, max - 1);
	snprintf(out, max, "%s", json_string_value(v));
	return OK;
}

static enum err levels(struct lk_field *f, json_t *v, struct errinfo *ei)
{
	size_t i;
	json_t *e;

	if (!v)
		return OK;
	if (!json_is_array(v))
		return err_set(ei, ERR_INVALID, f->name, "%s: \"levels\" must be an array", f->name);
	json_array_foreach(v, i, e) {
		const char *label = json_string_value(json_object_get(e, "label"));
		struct lk_level *l = NULL;
		double m = -1, u = -1;
		enum err rc;
		for (int k = 0; label && k < f->nlevels; k++)
			if (!strcmp(f->level[k].label, label))
				l = &f->level[k];
		if (!l)
			return err_set(ei, ERR_INVALID, f->name, "%s: level %zu: \"label\" must be one of the %s levels",
				       f->name, i + 1, type_names[f->type]);
		if ((rc = number(json_object_get(e, "m"), "m", 1e-12, 1, &m, ei)) != OK ||
		    (rc = number(json_object_get(e, "u"), "u", 1e-12, 1, &u, ei)) != OK)
			return rc;
		if (m > 0)
			l->m = m;
		if (u > 0)
			l->u = u;
		l->fixed = json_is_true(json_object_get(e, "fixed"));
	}
	return OK;
}

static enum err field(struct lk_schema *s, json_t *v, struct errinfo *ei)
{
	const char *name = json_string_value(json_object_get(v, "name"));
	const char *type = json_string_value(json_object_get(v, "kind"));
	const char *column = json_string_value(json_object_get(v, "column"));
	json_t *th = json_object_get(v, "thresholds");
	struct lk_field *f;
	int t = -1;
	enum err rc;

	if (!name || !*name || strlen(name) >= sizeof f->name)
		return err_set(ei, ERR_INVALID, "name", "comparison %d: \"name\" is required (up to 31 bytes)",
			       s->nfields + 1);
	if (field_index(s, name) >= 0)
		return err_set(ei, ERR_INVALID, name, "comparison \"%s\" appears twice", name);
	if (s->nfields == LK_MAX_FIELDS)
		return err_set(ei, ERR_INVALID, name, "at most %d comparisons", LK_MAX_FIELDS);
	for (int k = 0; type && k < (int)(sizeof type_names / sizeof type_names[0]); k++)
		if (!strcmp(type, type_names[k]))
			t = k;
	if (t < 0)
		return err_set(ei, ERR_INVALID, name,
			       "%s: \"kind\" must be name, string, date, nid, exact or region", name);
	f = &s->f[s->nfields++];
	field_init(f, name, column ? column : name, (enum lk_type)t);
	if ((rc = text(json_object_get(v, "column"), "column", f->column, sizeof f->column, ei)) != OK)
		return rc;
	if (json_object_get(v, "tf"))
		f->tf = json_is_true(json_object_get(v, "tf"));
	if (t == LK_DATE) {
		const char *fmt = json_string_value(json_object_get(v, "format"));
		if (fmt && strcmp(fmt, "YYYYMMDD") && strcmp(fmt, "YYYY-MM-DD"))
			return err_set(ei, ERR_INVALID, name, "%s: \"format\" must be YYYY-MM-DD or YYYYMMDD", name);
		f->date_compact = fmt && !strcmp(fmt, "YYYYMMDD");
	}
	if (th) {
		if (!json_is_array(th) || json_array_size(th) != 2 ||
		    (rc = number(json_array_get(th, 0), "thresholds", 0, 1, &f->t1, ei)) != OK ||
		    (rc = number(json_array_get(th, 1), "thresholds", 0, 1, &f->t2, ei)) != OK || f->t2 > f->t1)
			return err_set(ei, ERR_INVALID, name, "%s: \"thresholds\" must be two similarities, higher first",
				       name);
	}
	return levels(f, json_object_get(v, "levels"), ei);
}

static enum err key_part(struct lk_schema *s, const char *rname, const char *spec, struct lk_part *p,
			 struct errinfo *ei)
{
	char fname[64];
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);

	if (n >= sizeof fname)
		return err_set(ei, ERR_INVALID, rname, "rule %s: key \"%s\" is too long", rname, spec);
	memcpy(fname, spec, n);
	fname[n] = '\0';
	if ((p->field = field_index(s, fname)) < 0)
		return err_set(ei, ERR_INVALID, rname, "rule %s: \"%s\" is not a comparison's name", rname, fname);
	p->x = LK_X_VALUE;
	if (!colon)
		return OK;
	for (int k = 1; k < (int)(sizeof xform_names / sizeof xform_names[0]); k++)
		if (!strcmp(colon + 1, xform_names[k]) && k != LK_X_PARTS)
			p->x = (enum lk_xform)k;
	if (!strncmp(colon + 1, "parts", 5) && colon[6] >= '1' && colon[6] <= '9' && !colon[7]) {
		p->x = LK_X_PARTS;
		p->n = colon[6] - '0';
	}
	if (p->x == LK_X_VALUE)
		return err_set(ei, ERR_INVALID, rname, "rule %s: \"%s\": after the colon: skeleton, year, parent, prefix3, parts1 to parts9 or fullname",
			       rname, spec);
	return OK;
}

static enum err rules(struct lk_schema *s, json_t *v, struct errinfo *ei)
{
	size_t i, j;
	json_t *e, *k;

	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > LK_MAX_RULES)
		return err_set(ei, ERR_INVALID, "blocking", "\"blocking\" must be an array of 1 to %d rules",
			       LK_MAX_RULES);
	s->nrules = 0;
	json_array_foreach(v, i, e) {
		struct lk_rule *r = &s->rule[s->nrules++];
		json_t *keys = json_object_get(e, "keys");
		enum err rc;
		memset(r, 0, sizeof *r);
		snprintf(r->name, sizeof r->name, "rule%zu", i + 1);
		if ((rc = text(json_object_get(e, "name"), "name", r->name, sizeof r->name, ei)) != OK)
			return rc;
		r->swap = json_is_true(json_object_get(e, "swap"));
		if (r->swap && (s->given < 0 || s->family < 0))
			return err_set(ei, ERR_INVALID, r->name, "rule %s: \"swap\" needs \"name_swap\"", r->name);
		if (!json_is_array(keys) || json_array_size(keys) == 0 || json_array_size(keys) > LK_MAX_PARTS)
			return err_set(ei, ERR_INVALID, r->name, "rule %s: \"keys\" must be an array of 1 to %d keys",
				       r->name, LK_MAX_PARTS);
		json_array_foreach(keys, j, k) {
			if (!json_is_string(k))
				return err_set(ei, ERR_INVALID, r->name, "rule %s: a key must be a text", r->name);
			if ((rc = key_part(s, r->name, json_string_value(k), &r->part[r->nparts++], ei)) != OK)
				return rc;
			if (r->part[r->nparts - 1].x == LK_X_FULLNAME && (s->given < 0 || s->family < 0))
				return err_set(ei, ERR_INVALID, r->name, "rule %s: \"fullname\" needs \"name_swap\"",
					       r->name);
		}
	}
	return OK;
}

enum err lk_schema_json(struct lk_schema *s, const char *json, size_t n, struct errinfo *ei)
{
	json_error_t je;
	json_t *root = json_loadb(json, n, JSON_REJECT_DUPLICATES, &je), *v, *e;
	enum err rc = OK;
	double d;
	size_t i;

	if (!root || !json_is_object(root)) {
		json_decref(root);
		return err_set(ei, ERR_INVALID, NULL, "line %d, column %d: %s", je.line, je.column,
			       root ? "the document must be an object" : je.text);
	}
	if ((rc = text(json_object_get(root, "id"), "id", s->id_column, sizeof s->id_column, ei)) != OK)
		goto out;
	if ((v = json_object_get(root, "comparisons"))) {
		if (!json_is_array(v) || json_array_size(v) == 0) {
			rc = err_set(ei, ERR_INVALID, "comparisons", "\"comparisons\" must be a non-empty array");
			goto out;
		}
		s->nfields = 0;
		s->given = s->family = -1;
		s->nrules = 0;
		json_array_foreach(v, i, e)
			if ((rc = field(s, e, ei)) != OK)
				goto out;
		s->given = field_index(s, "given_name");
		s->family = field_index(s, "family_name");
	}
	if ((v = json_object_get(root, "name_swap"))) {
		if (json_is_false(v) || json_is_null(v))
			s->given = s->family = -1;
		else if (!json_is_array(v) || json_array_size(v) != 2 ||
			 (s->given = field_index(s, json_string_value(json_array_get(v, 0)) ?: "")) < 0 ||
			 (s->family = field_index(s, json_string_value(json_array_get(v, 1)) ?: "")) < 0 ||
			 s->f[s->given].type != LK_NAME || s->f[s->family].type != LK_NAME) {
			rc = err_set(ei, ERR_INVALID, "name_swap",
				     "\"name_swap\" must name two name comparisons (given, family), or be false");
			goto out;
		}
	}
	if ((v = json_object_get(root, "blocking")) && (rc = rules(s, v, ei)) != OK)
		goto out;
	if (s->nrules == 0) {
		rc = err_set(ei, ERR_INVALID, "blocking", "\"blocking\" is required with \"comparisons\"");
		goto out;
	}
	if ((v = json_object_get(root, "lambda"))) {
		if ((rc = number(v, "lambda", 1e-15, 0.5, &s->lambda, ei)) != OK)
			goto out;
		s->lambda_fixed = true;
	}
	if ((rc = number(json_object_get(root, "threshold"), "threshold", 1e-9, 1, &s->threshold, ei)) != OK)
		goto out;
	if ((v = json_object_get(root, "review"))) {
		if (!json_is_array(v) || json_array_size(v) != 2 ||
		    (rc = number(json_array_get(v, 0), "review", 0, 1, &s->review_lo, ei)) != OK ||
		    (rc = number(json_array_get(v, 1), "review", 0, 1, &s->review_hi, ei)) != OK ||
		    s->review_lo > s->review_hi) {
			rc = err_set(ei, ERR_INVALID, "review", "\"review\" must be two probabilities, lower first");
			goto out;
		}
	}
	d = (double)s->seed;
	if ((rc = number(json_object_get(root, "seed"), "seed", 0, 4294967295.0, &d, ei)) != OK)
		goto out;
	s->seed = (uint64_t)d;
	d = (double)s->u_pairs;
	if ((rc = number(json_object_get(root, "u_pairs"), "u_pairs", 1000, 1e9, &d, ei)) != OK)
		goto out;
	s->u_pairs = (int64_t)d;
	d = (double)s->em_pairs;
	if ((rc = number(json_object_get(root, "em_pairs"), "em_pairs", 1000, 1e9, &d, ei)) != OK)
		goto out;
	s->em_pairs = (int64_t)d;
	d = (double)s->skew_pairs;
	if ((rc = number(json_object_get(root, "skew_pairs"), "skew_pairs", 1, 1e15, &d, ei)) != OK)
		goto out;
	s->skew_pairs = (int64_t)d;
	s->trained = json_is_true(json_object_get(root, "trained"));
	if ((rc = slots(s, ei)) != OK)
		goto out;
	lk_weights(s);
out:
	json_decref(root);
	return rc;
}

/* ---- Writing ------------------------------------------------------------ */

void lk_schema_write(const struct lk_schema *s, struct buf *out)
{
	json_t *root = json_object(), *cmp = json_array(), *blk = json_array();
	const size_t flags = JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10);
	char *text;
	size_t n;

	json_object_set_new(root, "reach_link_model", json_integer(1));
	json_object_set_new(root, "trained", json_boolean(s->trained));
	json_object_set_new(root, "id", json_string(s->id_column));
	json_object_set_new(root, "lambda", json_real(s->lambda));
	json_object_set_new(root, "prior_weight", json_real(lk_prior_bits(s)));
	json_object_set_new(root, "threshold", json_real(s->threshold));
	json_object_set_new(root, "review", json_pack("[ff]", s->review_lo, s->review_hi));
	json_object_set_new(root, "seed", json_integer((json_int_t)s->seed));
	json_object_set_new(root, "u_pairs", json_integer(s->u_pairs));
	json_object_set_new(root, "em_pairs", json_integer(s->em_pairs));
	json_object_set_new(root, "skew_pairs", json_integer(s->skew_pairs));
	if (s->given >= 0 && s->family >= 0)
		json_object_set_new(root, "name_swap", json_pack("[ss]", s->f[s->given].name, s->f[s->family].name));
	else
		json_object_set_new(root, "name_swap", json_false());
	for (int i = 0; i < s->nfields; i++) {
		const struct lk_field *f = &s->f[i];
		json_t *c = json_object(), *lv = json_array();
		json_object_set_new(c, "name", json_string(f->name));
		json_object_set_new(c, "field", json_string(f->name));
		json_object_set_new(c, "column", json_string(f->column));
		json_object_set_new(c, "kind", json_string(type_names[f->type]));
		if (f->type == LK_DATE)
			json_object_set_new(c, "format", json_string(f->date_compact ? "YYYYMMDD" : "YYYY-MM-DD"));
		json_object_set_new(c, "tf", json_boolean(f->tf));
		if (f->type == LK_NAME || f->type == LK_STRING)
			json_object_set_new(c, "thresholds", json_pack("[ff]", f->t1, f->t2));
		for (int l = 0; l < f->nlevels; l++)
			json_array_append_new(lv, json_pack("{s:s,s:f,s:f,s:f,s:b}", "label", f->level[l].label, "m",
							    f->level[l].m, "u", f->level[l].u, "weight",
							    f->level[l].weight, "fixed", f->level[l].fixed));
		json_object_set_new(c, "levels", lv);
		json_array_append_new(cmp, c);
	}
	json_object_set_new(root, "comparisons", cmp);
	for (int i = 0; i < s->nrules; i++) {
		const struct lk_rule *r = &s->rule[i];
		json_t *keys = json_array();
		for (int k = 0; k < r->nparts; k++) {
			const struct lk_part *p = &r->part[k];
			char spec[64];
			if (p->x == LK_X_PARTS)
				snprintf(spec, sizeof spec, "%s:parts%d", s->f[p->field].name, p->n);
			else
				snprintf(spec, sizeof spec, "%s%s%s", s->f[p->field].name, p->x ? ":" : "",
					 xform_names[p->x]);
			json_array_append_new(keys, json_string(spec));
		}
		json_array_append_new(blk, json_pack("{s:s,s:o,s:b}", "name", r->name, "keys", keys, "swap", r->swap));
	}
	json_object_set_new(root, "blocking", blk);
	/* Straight into out (json_dumps's text would be jansson's memory). */
	n = json_dumpb(root, NULL, 0, flags);
	if (n && (text = buf_space(out, n)) && json_dumpb(root, text, n, flags) == n) {
		out->len += n;
		out->p[out->len] = '\0';
	} else if (out->err == OK)
		out->err = ERR_LIMIT;
	buf_addc(out, '\n');
	json_decref(root);
}
