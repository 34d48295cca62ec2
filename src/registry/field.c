/*
 * field.c — the fields of each kind of record, as data: how each is
 * checked, stored and written out. The API handlers, the pages, the
 * audit details and (through registry_in) the importers all go through
 * this one table, so a rule or a message is written once.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/text.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "registry/registry_int.h"
#include "base/banned.h"

#define CODE_MAX 32
#define EXT_ID_MAX 64
#define TEXT_MAX 500
#define BIG 1e12

static const struct rfield region_fields[RG__N] = {
	[RG_ID] = {"id", FT_ID, RF_RO, 0, 0, NULL},
	[RG_CODE] = {"code", FT_CODE, RF_REQ | RF_FIXED, 0, CODE_MAX, NULL},
	[RG_PARENT_CODE] = {"parent_code", FT_REF, RF_FIXED | RF_EMPTY, 0, CODE_MAX, NULL},
	[RG_LEVEL] = {"level", FT_ENUM, RF_REQ | RF_FIXED, 0, 0, registry_levels},
	[RG_DEPTH] = {"depth", FT_SEQ, RF_RO, 0, 0, NULL},
	[RG_PATH] = {"path", FT_PATH, RF_RO, 0, 0, NULL},
	[RG_NAME] = {"name", FT_NAME, RF_REQ, 0, 0, NULL},
	[RG_NAME_EN] = {"name_en", FT_NAME, RF_EMPTY, 0, 0, NULL},
	[RG_NAME_FA] = {"name_fa", FT_NAME, RF_EMPTY, 0, 0, NULL},
	[RG_NAME_VI] = {"name_vi", FT_NAME, RF_EMPTY, 0, 0, NULL},
	[RG_NAME_AZ] = {"name_az", FT_NAME, RF_EMPTY, 0, 0, NULL},
	[RG_DEPRIVATION] = {"deprivation", FT_REAL, RF_EMPTY, 0, 1, NULL},
	[RG_POPULATION] = {"population", FT_INT, RF_EMPTY, 0, BIG, NULL},
	[RG_SCHOOL_AGE_POPULATION] = {"school_age_population", FT_INT, RF_EMPTY, 0, BIG, NULL},
	[RG_CREATED_AT] = {"created_at", FT_TIME, RF_RO, 0, 0, NULL},
	[RG_UPDATED_AT] = {"updated_at", FT_TIME, RF_RO, 0, 0, NULL},
	[RG_SEQ] = {"seq", FT_SEQ, RF_RO, 0, 0, NULL},
};

static const struct rfield school_fields[SC__N] = {
	[SC_ID] = {"id", FT_ID, RF_RO, 0, 0, NULL},
	[SC_CODE] = {"code", FT_CODE, RF_REQ | RF_FIXED, 0, CODE_MAX, NULL},
	[SC_NAME] = {"name", FT_NAME, RF_REQ, 0, 0, NULL},
	[SC_NAME_EN] = {"name_en", FT_NAME, RF_EMPTY, 0, 0, NULL},
	[SC_NAME_FA] = {"name_fa", FT_NAME, RF_EMPTY, 0, 0, NULL},
	[SC_NAME_VI] = {"name_vi", FT_NAME, RF_EMPTY, 0, 0, NULL},
	[SC_NAME_AZ] = {"name_az", FT_NAME, RF_EMPTY, 0, 0, NULL},
	[SC_REGION_CODE] = {"region_code", FT_REF, RF_REQ, 0, CODE_MAX, NULL},
	[SC_LEVELS] = {"levels", FT_LIST, RF_EMPTY, 0, 0, registry_school_levels},
	[SC_BOARDING] = {"boarding", FT_BOOL, 0, 0, 0, NULL},
	[SC_NOMADIC] = {"nomadic", FT_BOOL, 0, 0, 0, NULL},
	[SC_RURAL] = {"rural", FT_BOOL, 0, 0, 0, NULL},
	[SC_LANGUAGE] = {"language", FT_LANG, RF_EMPTY, 0, 0, NULL},
	[SC_LAT] = {"lat", FT_REAL, RF_EMPTY, -90, 90, NULL},
	[SC_LON] = {"lon", FT_REAL, RF_EMPTY, -180, 180, NULL},
	[SC_LEARNERS] = {"learners", FT_INT, RF_EMPTY, 0, 1000000, NULL},
	[SC_TEACHERS] = {"teachers", FT_INT, RF_EMPTY, 0, 100000, NULL},
	[SC_ELECTRICITY] = {"electricity", FT_ENUM, 0, 0, 0, registry_electricity},
	[SC_CONNECTIVITY] = {"connectivity", FT_ENUM, 0, 0, 0, registry_connectivity},
	[SC_DOWNLOAD_MBPS] = {"download_mbps", FT_REAL, RF_EMPTY, 0, 100000, NULL},
	[SC_MEASURED_AT] = {"measured_at", FT_DATE, RF_EMPTY | RF_PAST, 0, 0, NULL},
	[SC_COMPUTERS] = {"computers", FT_INT, 0, 0, 1000000, NULL},
	[SC_TABLETS] = {"tablets", FT_INT, 0, 0, 1000000, NULL},
	[SC_PROJECTORS] = {"projectors", FT_INT, 0, 0, 1000000, NULL},
	[SC_COMPUTER_CENTRE] = {"computer_centre", FT_BOOL, 0, 0, 0, NULL},
	[SC_CREATED_AT] = {"created_at", FT_TIME, RF_RO, 0, 0, NULL},
	[SC_UPDATED_AT] = {"updated_at", FT_TIME, RF_RO, 0, 0, NULL},
	[SC_SEQ] = {"seq", FT_SEQ, RF_RO, 0, 0, NULL},
};

static const struct rfield person_fields[PE__N] = {
	[PE_ID] = {"id", FT_ID, RF_RO, 0, 0, NULL},
	[PE_EXT_ID] = {"ext_id", FT_CODE, RF_EMPTY, 0, EXT_ID_MAX, NULL},
	[PE_ROLE] = {"role", FT_ENUM, RF_REQ, 0, 0, registry_roles},
	[PE_GIVEN_NAME] = {"given_name", FT_NAME, RF_REQ, 0, 0, NULL},
	[PE_FAMILY_NAME] = {"family_name", FT_NAME, RF_REQ, 0, 0, NULL},
	[PE_FATHER_NAME] = {"father_name", FT_NAME, RF_EMPTY, 0, 0, NULL},
	[PE_SEX] = {"sex", FT_ENUM, RF_EMPTY, 0, 0, registry_sexes},
	[PE_BIRTH_DATE] = {"birth_date", FT_BIRTH, RF_EMPTY | RF_PAST, 0, 0, NULL},
	[PE_NATIONAL_ID] = {"national_id", FT_CODE, RF_EMPTY, 0, CODE_MAX, NULL},
	[PE_REGION_CODE] = {"region_code", FT_REF, RF_EMPTY, 0, CODE_MAX, NULL},
	[PE_SCHOOL_CODE] = {"school_code", FT_REF, RF_EMPTY, 0, 64, NULL},
	[PE_SCHOOL_ID] = {"school_id", FT_ID, RF_RO, 0, 0, NULL},
	[PE_SUBJECTS] = {"subjects", FT_LIST, RF_EMPTY, 0, TEXT_MAX, NULL},
	[PE_DIGITAL_SKILLS] = {"digital_skills", FT_INT, RF_EMPTY, 0, 4, NULL},
	[PE_HAS_DEVICE] = {"has_device", FT_BOOL, RF_EMPTY, 0, 0, NULL},
	[PE_HAS_INTERNET] = {"has_internet", FT_BOOL, RF_EMPTY, 0, 0, NULL},
	[PE_RETIRED_AT] = {"retired_at", FT_TIME, RF_RO, 0, 0, NULL},
	[PE_CREATED_AT] = {"created_at", FT_TIME, RF_RO, 0, 0, NULL},
	[PE_UPDATED_AT] = {"updated_at", FT_TIME, RF_RO, 0, 0, NULL},
	[PE_SEQ] = {"seq", FT_SEQ, RF_RO, 0, 0, NULL},
};

static const struct rfield enrolment_fields[EN__N] = {
	[EN_ID] = {"id", FT_ID, RF_RO, 0, 0, NULL},
	[EN_EXT_ID] = {"ext_id", FT_CODE, RF_EMPTY, 0, EXT_ID_MAX, NULL},
	[EN_LEARNER_ID] = {"learner_id", FT_REF, RF_REQ | RF_FIXED, 0, 64, NULL},
	[EN_SCHOOL_CODE] = {"school_code", FT_REF, RF_REQ, 0, 64, NULL},
	[EN_SCHOOL_ID] = {"school_id", FT_ID, RF_RO, 0, 0, NULL},
	[EN_GRADE] = {"grade", FT_CODE, RF_REQ, 0, 16, NULL},
	[EN_SCHOOL_YEAR] = {"school_year", FT_YEAR, RF_REQ, 0, 0, NULL},
	[EN_STATUS] = {"status", FT_ENUM, 0, 0, 0, registry_statuses},
	[EN_START_DATE] = {"start_date", FT_DATE, RF_EMPTY, 0, 0, NULL},
	[EN_END_DATE] = {"end_date", FT_DATE, RF_EMPTY, 0, 0, NULL},
	[EN_CREATED_AT] = {"created_at", FT_TIME, RF_RO, 0, 0, NULL},
	[EN_UPDATED_AT] = {"updated_at", FT_TIME, RF_RO, 0, 0, NULL},
	[EN_SEQ] = {"seq", FT_SEQ, RF_RO, 0, 0, NULL},
};

const struct rkind rkinds[REG__KINDS] = {
	[REG_REGION] = {"region", region_fields, RG__N, ACT_REGISTRY_READ, ACT_REGISTRY_WRITE},
	[REG_SCHOOL] = {"school", school_fields, SC__N, ACT_REGISTRY_READ, ACT_REGISTRY_WRITE},
	[REG_PERSON] = {"person", person_fields, PE__N, ACT_PERSON_READ, ACT_PERSON_WRITE},
	[REG_ENROLMENT] = {"enrolment", enrolment_fields, EN__N, ACT_PERSON_READ, ACT_PERSON_WRITE},
};

const char *registry_field_name(enum registry_kind k, int i)
{
	return (unsigned)k < REG__KINDS && i >= 0 && i < rkinds[k].n ? rkinds[k].f[i].name : NULL;
}

int registry_field_index(enum registry_kind k, const char *name)
{
	for (int i = 0; name && (unsigned)k < REG__KINDS && i < rkinds[k].n; i++)
		if (strcmp(rkinds[k].f[i].name, name) == 0)
			return i;
	return -1;
}

int registry_nfields(enum registry_kind k)
{
	return (unsigned)k < REG__KINDS ? rkinds[k].n : 0;
}

/* ---- checks ---- */

static const char *set_text(struct ctx *c, const char *const *set)
{
	struct buf b;
	const char *s;

	buf_init(&b, 1024);
	for (int i = 0; set[i]; i++) {
		if (i)
			buf_puts(&b, ", ");
		buf_puts(&b, set[i]);
	}
	s = arena_strdup(c->arena, b.p);
	buf_release(&b);
	return s;
}

static const char *trim(struct ctx *c, const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return arena_strndup(c->arena, s, n);
}

static bool code_char(unsigned char ch)
{
	return isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
}

static enum err check_code(struct ctx *c, const struct rfield *f, const char *s, const char **out)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if (!code_char((unsigned char)s[i]))
			n = 0;
	if (n == 0 || n > (size_t)f->max)
		return ctx_fail(c, ERR_INVALID, f->name,
				_("Use only letters, digits, dots, hyphens and underscores, at most %d characters."),
				(int)f->max);
	*out = s;
	return OK;
}

static enum err check_text(struct ctx *c, const struct rfield *f, const char *s, const char **out)
{
	size_t n = strlen(s);
	int max = f->max > 0 ? (int)f->max : TEXT_MAX;

	if (!utf8_valid(s, n, NULL) || utf8_len(s, n) > (size_t)max)
		return ctx_fail(c, ERR_INVALID, f->name, _("This text is too long: at most %d characters."), max);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return ctx_fail(c, ERR_INVALID, f->name, "%s", _("This text must not contain control characters."));
	*out = s;
	return OK;
}

static enum err check_name(struct ctx *c, const struct rfield *f, const char *s, const char **out)
{
	struct errinfo ei = {0};

	if (text_valid_name(s, strlen(s), &ei) != OK)
		return ctx_fail(c, ERR_INVALID, f->name,
				_("Write a name of 1 to %d characters, without control characters."), TEXT_NAME_MAX);
	*out = s;
	return OK;
}

static enum err check_int(struct ctx *c, const struct rfield *f, const char *s, const char **out)
{
	int64_t v;

	if (conf_parse_int(s, (int64_t)f->min, (int64_t)f->max, &v) != OK)
		return ctx_fail(c, ERR_INVALID, f->name, _("Write a whole number from %lld to %lld."),
				(long long)f->min, (long long)f->max);
	*out = arena_printf(c->arena, "%lld", (long long)v);
	return OK;
}

/* Reads a plain decimal (no hex, no exponent, no inf or nan). */
static bool parse_decimal(const char *s, double *out)
{
	const char *p = s;
	char *end;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return false;
	*out = strtod(s, &end);
	return *end == '\0' && isfinite(*out);
}

static enum err check_real(struct ctx *c, const struct rfield *f, const char *s, const char **out)
{
	double v;

	if (!parse_decimal(s, &v) || v < f->min || v > f->max)
		return ctx_fail(c, ERR_INVALID, f->name, _("Write a number from %g to %g."), f->min, f->max);
	*out = arena_printf(c->arena, "%.15g", v);
	return OK;
}

static enum err check_bool(struct ctx *c, const struct rfield *f, const char *s, const char **out)
{
	bool b;

	if (!registry_parse_bool(s, &b))
		return ctx_fail(c, ERR_INVALID, f->name, "%s", _("Write true or false."));
	*out = b ? "1" : "0";
	return OK;
}

static enum err check_enum(struct ctx *c, const struct rfield *f, const char *s, const char **out)
{
	int i = registry_index(f->set, s);

	if (i < 0)
		return ctx_fail(c, ERR_INVALID, f->name, _("Choose one of: %s."), set_text(c, f->set));
	*out = f->set[i];
	return OK;
}

/* A list: items separated by , or ; trimmed, stored joined by ",". */
static enum err check_list(struct ctx *c, const struct rfield *f, const char *s, const char **out)
{
	struct buf b;
	const char *p = s;
	enum err rc = OK;

	buf_init(&b, TEXT_MAX * 4);
	while (*p && rc == OK) {
		size_t n = strcspn(p, ",;");
		const char *item = trim(c, arena_strndup(c->arena, p, n)), *ok = item;
		if (*item && f->set) {
			int i = registry_index(f->set, item);
			if (i < 0)
				rc = ctx_fail(c, ERR_INVALID, f->name, _("%s is not one of the choices: %s."), item, set_text(c, f->set));
			else
				ok = f->set[i];
		} else if (*item)
			rc = check_text(c, f, item, &ok);
		if (*item && rc == OK) {
			if (b.len)
				buf_addc(&b, ',');
			buf_puts(&b, ok);
		}
		p += n;
		if (*p)
			p++;
	}
	if (rc == OK && b.err)
		rc = ctx_fail(c, ERR_INVALID, f->name, _("This text is too long: at most %d characters."), TEXT_MAX);
	*out = arena_strdup(c->arena, b.p);
	buf_release(&b);
	return rc;
}

static enum err check_date(struct ctx *c, const struct rfield *f, const char *s, const char **out)
{
	struct errinfo ei = {0};
	struct date d;
	char iso[DATE_ISO_LEN], today[TIME_ISO_LEN];
	enum err rc;

	if (f->type == FT_BIRTH)
		rc = date_parse_year_or_date(s, DATE_AUTO, &d, &ei);
	else
		rc = date_parse(s, DATE_AUTO, &d, &ei);
	if (rc != OK && f->type == FT_BIRTH)
		return ctx_fail(c, ERR_INVALID, f->name,
				_("%s is not a valid date. Write YYYY-MM-DD, YYYY/MM/DD in the Solar Hijri calendar, or the year alone."),
				s);
	if (rc != OK)
		return ctx_fail(c, ERR_INVALID, f->name,
				_("%s is not a valid date. Write YYYY-MM-DD, or YYYY/MM/DD in the Solar Hijri calendar."), s);
	date_iso(d, iso);
	time_now_iso(today);
	if ((f->flags & RF_PAST) && strncmp(iso, today, strlen(iso)) > 0)
		return ctx_fail(c, ERR_INVALID, f->name, "%s", _("This date is in the future."));
	*out = arena_strdup(c->arena, iso);
	return OK;
}

/* A school year: "2026-2027" (the second year follows the first) or a
 * Solar Hijri year ("1405", in any digits: the date parser reads them). */
static enum err check_year(struct ctx *c, const struct rfield *f, const char *s, const char **out)
{
	struct errinfo ei = {0};
	struct date d;
	int64_t a, b;

	if (strlen(s) == 9 && s[4] == '-') {
		char y1[5] = {s[0], s[1], s[2], s[3], 0};
		if (conf_parse_int(y1, DATE_YEAR_MIN, DATE_YEAR_MAX, &a) == OK &&
		    conf_parse_int(s + 5, DATE_YEAR_MIN, DATE_YEAR_MAX, &b) == OK && b == a + 1) {
			*out = s;
			return OK;
		}
	} else if (date_parse_year_or_date(s, DATE_SOLAR_HIJRI, &d, &ei) == OK && d.m == 0) {
		*out = arena_printf(c->arena, "%d", d.y - 621);
		return OK;
	}
	return ctx_fail(c, ERR_INVALID, f->name, "%s",
			_("Write the school year as 2026-2027, or as a Solar Hijri year such as 1405."));
}

/* A language tag: 2–3 letters, then optional -subtags of 2–8 letters or
 * digits ("fa", "az-Latn", "ku"). */
static enum err check_lang(struct ctx *c, const struct rfield *f, const char *s, const char **out)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
	const char *p = s + n;
	bool ok = n >= 2 && n <= 3;

	while (ok && *p == '-') {
		size_t m = 0;
		while (isalnum((unsigned char)p[1 + m]))
			m++;
		ok = m >= 2 && m <= 8;
		p += 1 + m;
	}
	if (!ok || *p || strlen(s) > 35)
		return ctx_fail(c, ERR_INVALID, f->name, "%s", _("Write a language code such as fa, az, vi or ku."));
	*out = s;
	return OK;
}

enum err field_check(struct ctx *c, const struct rfield *f, const char *in, const char **out)
{
	const char *s = trim(c, in);

	*out = NULL;
	if (!*s) {
		if (!(f->flags & RF_EMPTY))
			return ctx_fail(c, ERR_INVALID, f->name, "%s", _("This field cannot be empty."));
		if (f->type == FT_NAME || f->type == FT_TEXT || f->type == FT_LIST)
			*out = "";
		return OK;
	}
	switch (f->type) {
	case FT_CODE: return check_code(c, f, s, out);
	case FT_REF: return check_text(c, f, s, out);
	case FT_TEXT: return check_text(c, f, s, out);
	case FT_NAME: return check_name(c, f, s, out);
	case FT_INT: return check_int(c, f, s, out);
	case FT_REAL: return check_real(c, f, s, out);
	case FT_BOOL: return check_bool(c, f, s, out);
	case FT_ENUM: return check_enum(c, f, s, out);
	case FT_LIST: return check_list(c, f, s, out);
	case FT_DATE:
	case FT_BIRTH: return check_date(c, f, s, out);
	case FT_YEAR: return check_year(c, f, s, out);
	case FT_LANG: return check_lang(c, f, s, out);
	case FT_ID:
	case FT_TIME:
	case FT_SEQ:
	case FT_PATH: break;
	}
	return ctx_fail(c, ERR_INVALID, f->name, "%s", _("This field is set by Reach and cannot be given."));
}

enum err fields_apply(struct ctx *c, enum registry_kind k, const struct registry_in *in, bool create,
		      struct registry_rec *rec)
{
	const struct rkind *K = &rkinds[k];
	enum err rc;

	for (int i = 0; i < K->n; i++) {
		const struct rfield *f = &K->f[i];
		const char *v = in->v[i];
		if (!v) {
			if (create && (f->flags & RF_REQ))
				return ctx_fail(c, ERR_INVALID, f->name, "%s", _("This field is required."));
			continue;
		}
		if (f->flags & RF_RO)
			return ctx_fail(c, ERR_INVALID, f->name, "%s", _("This field is set by Reach and cannot be given."));
		if (!create && (f->flags & RF_FIXED)) {
			/* Giving the same value again is not a change. */
			if (rec->v[i] && strcmp(trim(c, v), rec->v[i]) == 0)
				continue;
			return ctx_fail(c, ERR_INVALID, f->name, "%s", _("This field cannot be changed."));
		}
		if ((rc = field_check(c, f, v, &rec->v[i])) != OK)
			return rc;
	}
	return OK;
}

/* ---- reading and writing out ---- */

static const char *const name_langs[4] = {"en", "fa", "vi", "az"};

static int first_name_field(enum registry_kind k)
{
	return k == REG_REGION ? RG_NAME_EN : k == REG_SCHOOL ? SC_NAME_EN : -1;
}

static const char *dup_col(struct ctx *c, struct stmt *st, int col)
{
	const char *s = store_text(st, col);
	return s ? arena_strdup(c->arena, s) : NULL;
}

void rec_read(struct ctx *c, struct stmt *st, int first, enum registry_kind k, struct registry_rec *r)
{
	const struct rkind *K = &rkinds[k];
	int nf = first_name_field(k);

	memset(r, 0, sizeof *r);
	r->kind = k;
	r->key = store_int(st, first);
	r->region_rid = store_int(st, first + 1);
	r->school_sid = store_int(st, first + 2);
	r->learner_pid = store_int(st, first + 3);
	r->path = store_null(st, first + 4) ? "" : dup_col(c, st, first + 4);
	for (int i = 0; i < K->n; i++) {
		const char *s = dup_col(c, st, first + 5 + i);
		enum ftype t = K->f[i].type;
		if (s && !*s && t != FT_NAME && t != FT_TEXT && t != FT_LIST)
			s = NULL;
		r->v[i] = s;
	}
	if (nf >= 0) {
		json_t *names = json_loads(store_text(st, first + 5 + K->n) ? store_text(st, first + 5 + K->n) : "{}", 0, NULL);
		for (int j = 0; j < 4; j++) {
			const char *s = json_string_value(json_object_get(names, name_langs[j]));
			r->v[nf + j] = s ? arena_strdup(c->arena, s) : NULL;
		}
		json_decref(names);
	}
}

const char *names_json(struct ctx *c, const char *const *v4)
{
	json_t *o = json_object();
	size_t n;
	char *out;

	for (int j = 0; j < 4; j++)
		if (v4[j] && *v4[j])
			json_object_set_new(o, name_langs[j], json_string(v4[j]));
	/* Into the arena (json_dumps's text would be jansson's memory). */
	n = json_dumpb(o, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS);
	out = arena_alloc(c->arena, n + 1);
	if (!n || json_dumpb(o, out, n, JSON_COMPACT | JSON_SORT_KEYS) != n)
		out = arena_strdup(c->arena, "{}");
	json_decref(o);
	return out;
}

const char *fold(struct ctx *c, const char *text)
{
	struct buf b;
	const char *out;

	buf_init(&b, 4096);
	if (text_fold(text, strlen(text), &b) != OK)
		buf_reset(&b);
	out = arena_strdup(c->arena, b.p);
	buf_release(&b);
	return out;
}

/* Calls fn for each item of a stored list ("a,b"). */
static void list_items(const char *s, void (*fn)(void *arg, const char *p, size_t n), void *arg)
{
	while (s && *s) {
		size_t n = strcspn(s, ",");
		if (n)
			fn(arg, s, n);
		s += n;
		if (*s)
			s++;
	}
}

static void item_jw(void *arg, const char *p, size_t n)
{
	jw_strn(arg, p, n);
}

static void value_jw(struct jw *w, const struct rfield *f, const char *s)
{
	if (!s && f->type != FT_LIST) {
		jw_null(w);
		return;
	}
	switch (f->type) {
	case FT_INT:
	case FT_SEQ:
		jw_int(w, strtoll(s, NULL, 10));
		break;
	case FT_REAL:
		jw_num(w, strtod(s, NULL));
		break;
	case FT_BOOL:
		jw_bool(w, strcmp(s, "0") != 0);
		break;
	case FT_LIST:
		jw_arr(w);
		list_items(s, item_jw, w);
		jw_end(w);
		break;
	default:
		jw_str(w, s);
	}
}

/* A path "/IR/IR-07/" as the list "IR,IR-07" for the writers. */
static const char *path_as_list(const struct registry_rec *r, int i, char *tmp, size_t size)
{
	const char *s = r->v[i];
	size_t n = 0;

	if (!s)
		return NULL;
	for (s += (*s == '/'); *s && n + 1 < size; s++)
		tmp[n++] = *s == '/' ? ',' : *s;
	tmp[n] = '\0';
	return tmp;
}

void registry_rec_json(struct jw *w, const struct registry_rec *r)
{
	jw_obj(w);
	rec_json_fields(w, r);
	jw_end(w);
}

void rec_json_fields(struct jw *w, const struct registry_rec *r)
{
	const struct rkind *K = &rkinds[r->kind];
	char tmp[512];

	for (int i = 0; i < K->n; i++) {
		const struct rfield *f = &K->f[i];
		jw_key(w, f->name);
		if (f->type == FT_PATH) {
			struct rfield as_list = *f;
			as_list.type = FT_LIST;
			value_jw(w, &as_list, path_as_list(r, i, tmp, sizeof tmp));
		} else
			value_jw(w, f, r->v[i]);
	}
}

static void item_json(void *arg, const char *p, size_t n)
{
	json_array_append_new(arg, json_stringn(p, n));
}

json_t *registry_rec_jansson(const struct registry_rec *r)
{
	const struct rkind *K = &rkinds[r->kind];
	json_t *o = json_object(), *v;
	char tmp[512];

	for (int i = 0; i < K->n; i++) {
		const struct rfield *f = &K->f[i];
		const char *s = f->type == FT_PATH ? path_as_list(r, i, tmp, sizeof tmp) : r->v[i];
		if (!s && f->type != FT_LIST) {
			json_object_set_new(o, f->name, json_null());
			continue;
		}
		switch (f->type) {
		case FT_INT:
		case FT_SEQ: v = json_integer(strtoll(s, NULL, 10)); break;
		case FT_REAL: v = json_real(strtod(s, NULL)); break;
		case FT_BOOL: v = json_boolean(strcmp(s, "0") != 0); break;
		case FT_LIST:
		case FT_PATH:
			v = json_array();
			list_items(s, item_json, v);
			break;
		default: v = json_string(s);
		}
		json_object_set_new(o, f->name, v);
	}
	return o;
}

/* ---- audit details ---- */

static bool same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

const char *fields_diff(struct ctx *c, enum registry_kind k, const struct registry_rec *old,
			const struct registry_rec *new)
{
	const struct rkind *K = &rkinds[k];
	struct buf b;
	struct jw w;
	bool any = false;
	const char *out;

	buf_init(&b, 1 << 16);
	jw_init(&w, &b);
	jw_obj(&w);
	for (int i = 0; i < K->n; i++) {
		const struct rfield *f = &K->f[i];
		if ((f->flags & RF_RO) || (old ? same(old->v[i], new->v[i]) : !new->v[i]))
			continue;
		any = true;
		jw_key(&w, f->name);
		if (!old) {
			value_jw(&w, f, new->v[i]);
			continue;
		}
		jw_obj(&w);
		jw_key(&w, "from");
		value_jw(&w, f, old->v[i]);
		jw_key(&w, "to");
		value_jw(&w, f, new->v[i]);
		jw_end(&w);
	}
	jw_end(&w);
	out = any && !b.err ? arena_strdup(c->arena, b.p) : NULL;
	buf_release(&b);
	return out;
}
