/*
 * figures.c — the figures of a region as a struct, as the JSON object of
 * docs/formats.md, and as a flat list of named values for downloads.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/jw.h"
#include "dashboard/dashboard_int.h"
#include "registry/registry.h"
#include "base/banned.h"

static const char *const kinds[] = {"boarding", "nomadic", "rural"};

void figures_add(struct figures *a, const struct figures *b)
{
	int64_t *pa = (int64_t *)a;
	const int64_t *pb = (const int64_t *)b;

	/* struct figures is nothing but int64_t counters. */
	for (size_t i = 0; i < sizeof *a / sizeof(int64_t); i++)
		pa[i] += pb[i];
}

void figures_json(const struct figures *f, struct buf *out)
{
	struct jw w;
	const int64_t kind[] = {f->boarding, f->nomadic, f->rural};

	jw_init(&w, out);
	jw_obj(&w);
	jw_kint(&w, "learners", f->learners);
	jw_kint(&w, "teachers", f->teachers);
	jw_kint(&w, "guardians", f->guardians);
	jw_kint(&w, "schools", f->schools);
	jw_key(&w, "schools_by_kind");
	jw_obj(&w);
	for (int i = 0; i < 3; i++)
		jw_kint(&w, kinds[i], kind[i]);
	jw_end(&w);
	jw_kint(&w, "schools_connected", f->connected);
	jw_kint(&w, "schools_equipped", f->equipped);
	jw_kint(&w, "learners_device", f->learners_device);
	jw_kint(&w, "learners_internet", f->learners_internet);
	jw_key(&w, "teachers_by_skill");
	jw_arr(&w);
	for (int i = 0; i < SKILL_LEVELS; i++)
		jw_int(&w, f->skill[i]);
	jw_end(&w);
	jw_kint(&w, "teachers_device", f->teachers_device);
	jw_key(&w, "by_connectivity");
	jw_obj(&w);
	for (int i = 0; i < CONN__COUNT; i++)
		jw_kint(&w, registry_connectivity[i], f->conn[i]);
	jw_end(&w);
	jw_end(&w);
}

/* Where each member of the JSON goes. The nested members (schools_by_kind,
 * by_connectivity) have names found nowhere else, so one flat table serves. */
#define F(m) offsetof(struct figures, m)
static const struct {
	const char *name;
	size_t len, at;
} slots[] = {
	{"learners", 8, F(learners)}, {"teachers", 8, F(teachers)}, {"guardians", 9, F(guardians)},
	{"schools", 7, F(schools)}, {"boarding", 8, F(boarding)}, {"nomadic", 7, F(nomadic)},
	{"rural", 5, F(rural)}, {"schools_connected", 17, F(connected)}, {"schools_equipped", 16, F(equipped)},
	{"learners_device", 15, F(learners_device)}, {"learners_internet", 17, F(learners_internet)},
	{"teachers_device", 15, F(teachers_device)}, {"none", 4, F(conn[CONN_NONE])}, {"2g", 2, F(conn[CONN_2G])},
	{"3g", 2, F(conn[CONN_3G])}, {"4g", 2, F(conn[CONN_4G])}, {"fibre", 5, F(conn[CONN_FIBRE])},
	{"satellite", 9, F(conn[CONN_SATELLITE])},
};
#undef F

/* The slot of the member named k (n bytes); the names figures_json writes
 * come in the table's order, so the search starts after the last found. */
static int64_t *slot(struct figures *f, const char *k, size_t n, size_t *from)
{
	const size_t count = sizeof slots / sizeof slots[0];

	for (size_t j = 0; j < count; j++) {
		size_t i = (*from + j) % count;
		if (slots[i].len == n && k[0] == slots[i].name[0] && !memcmp(slots[i].name, k, n)) {
			*from = i + 1;
			return (int64_t *)((char *)f + slots[i].at);
		}
	}
	return NULL;
}

/* A non-negative decimal integer at *p (what figures_json writes); -1 and
 * *p unmoved when there is none. */
static int64_t uint_at(const char **p)
{
	const char *s = *p;
	int64_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9' && v < INT64_MAX / 10)
		v = v * 10 + (*s++ - '0');
	*p = s;
	return v;
}

/*
 * Reads what figures_json wrote without building a JSON tree: a dashboard
 * page reads the figures of every child region, and a parser that
 * allocates per value made that the dearest part of the page. It walks
 * the text once, taking "name": integer and "teachers_by_skill": [...];
 * anything else (a member added later, another type) is passed over.
 */
bool figures_parse(const char *json, struct figures *f)
{
	const char *p = json;
	size_t from = 0;

	memset(f, 0, sizeof *f);
	while (p && isspace((unsigned char)*p))
		p++;
	if (!p || *p != '{')
		return false;
	while ((p = strchr(p, '"'))) {
		const char *k = ++p, *end = strchr(k, '"');
		int64_t *dst, v;
		if (!end)
			break;
		p = end + 1;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != ':')
			continue; /* a string value, not a name */
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '[' && end - k == 17 && !memcmp(k, "teachers_by_skill", 17)) {
			for (int i = 0; i < SKILL_LEVELS && *p != ']' && *p; i++) {
				p++;
				while (isspace((unsigned char)*p))
					p++;
				if ((v = uint_at(&p)) >= 0)
					f->skill[i] = v;
				while (isspace((unsigned char)*p))
					p++;
			}
			continue;
		}
		if ((dst = slot(f, k, (size_t)(end - k), &from)) && (v = uint_at(&p)) >= 0)
			*dst = v;
	}
	return true;
}

int figures_items(const struct figures *f, struct figure_item *it)
{
	static const char *const skill_keys[SKILL_LEVELS] = {
		"teachers_by_skill.0", "teachers_by_skill.1", "teachers_by_skill.2",
		"teachers_by_skill.3", "teachers_by_skill.4"};
	static const char *const skill_labels[SKILL_LEVELS] = {
		N_("Teachers with no digital skills"), N_("Teachers with beginner digital skills"),
		N_("Teachers with basic digital skills"), N_("Teachers with intermediate digital skills"),
		N_("Teachers with advanced digital skills")};
	static const char *const conn_keys[CONN__COUNT] = {
		"by_connectivity.none", "by_connectivity.2g", "by_connectivity.3g",
		"by_connectivity.4g", "by_connectivity.fibre", "by_connectivity.satellite"};
	static const char *const conn_labels[CONN__COUNT] = {
		N_("Schools with no connection"), N_("Schools connected by 2G"), N_("Schools connected by 3G"),
		N_("Schools connected by 4G"), N_("Schools connected by fibre"), N_("Schools connected by satellite")};
	int n = 0;

#define ITEM(k, l, v) (it[n++] = (struct figure_item){(k), (l), (v)})
	ITEM("learners", N_("Learners"), f->learners);
	ITEM("teachers", N_("Teachers"), f->teachers);
	ITEM("guardians", N_("Guardians"), f->guardians);
	ITEM("schools", N_("Schools"), f->schools);
	ITEM("schools_by_kind.boarding", N_("Boarding schools"), f->boarding);
	ITEM("schools_by_kind.nomadic", N_("Nomadic and mobile schools"), f->nomadic);
	ITEM("schools_by_kind.rural", N_("Rural schools"), f->rural);
	ITEM("schools_connected", N_("Schools connected"), f->connected);
	ITEM("schools_equipped", N_("Schools equipped to the standard"), f->equipped);
	ITEM("learners_device", N_("Learners with a device at home"), f->learners_device);
	ITEM("learners_internet", N_("Learners with internet at home"), f->learners_internet);
	for (int i = 0; i < SKILL_LEVELS; i++)
		ITEM(skill_keys[i], skill_labels[i], f->skill[i]);
	ITEM("teachers_device", N_("Teachers with their own device"), f->teachers_device);
	for (int i = 0; i < CONN__COUNT; i++)
		ITEM(conn_keys[i], conn_labels[i], f->conn[i]);
#undef ITEM
	if (n != FIGURE_ITEMS)
		BUG("figures_items: FIGURE_ITEMS is out of date");
	return n;
}
