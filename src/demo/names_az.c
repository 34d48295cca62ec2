/*
 * names_az.c — Azerbaijan: the 14 economic regions, Azerbaijani names
 * (family names in -ov/-ova, -yev/-yeva, -li/-lı, -zadə; patronymics with
 * oğlu and qızı), places and schools, the 7-character FİN, and the ways a
 * register writes them differently (without ə/ı/ğ/ş/ç, in passport Latin,
 * the patronymic without oğlu/qızı).
 *
 * Every name is a common one put together at random: no real person's
 * data. Region names, boxes and figures are public facts, rounded.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"
#include "base/banned.h"

static const struct province_def prov[] = {
	{"Bakı", "Baku", 40.3f, 40.6f, 49.6f, 50.4f, 23, 10, 15, 0, "ru", 15, NULL, 0},
	{"Abşeron-Xızı", "Absheron-Khizi", 40.4f, 41.0f, 48.9f, 49.9f, 6, 25, 35, 0, "ru", 8, NULL, 0},
	{"Dağlıq Şirvan", "Mountainous Shirvan", 40.3f, 40.9f, 47.9f, 49.2f, 3, 55, 75, 20, NULL, 0, NULL, 0},
	{"Gəncə-Daşkəsən", "Ganja-Dashkasan", 40.4f, 40.8f, 45.8f, 46.5f, 5, 30, 45, 5, "ru", 5, NULL, 0},
	{"Qarabağ", "Karabakh", 39.6f, 40.4f, 46.4f, 47.5f, 9, 55, 75, 10, NULL, 0, NULL, 0},
	{"Qazax-Tovuz", "Gazakh-Tovuz", 40.7f, 41.3f, 45.0f, 46.2f, 7, 45, 70, 10, NULL, 0, NULL, 0},
	{"Quba-Xaçmaz", "Guba-Khachmaz", 41.0f, 41.9f, 47.9f, 49.0f, 6, 45, 72, 20, NULL, 0, NULL, 0},
	{"Lənkəran-Astara", "Lankaran-Astara", 38.4f, 39.2f, 48.0f, 49.0f, 10, 60, 75, 5, "tly", 5, NULL, 0},
	{"Mərkəzi Aran", "Central Aran", 39.9f, 40.8f, 46.7f, 48.0f, 8, 50, 72, 10, NULL, 0, NULL, 0},
	{"Mil-Muğan", "Mil-Mughan", 39.2f, 40.1f, 47.3f, 48.5f, 6, 55, 75, 10, NULL, 0, NULL, 0},
	{"Şəki-Zaqatala", "Shaki-Zagatala", 40.9f, 41.9f, 46.2f, 47.8f, 6, 45, 66, 20, "ka", 3, NULL, 0},
	{"Şərqi Zəngəzur", "East Zangezur", 39.2f, 39.9f, 45.9f, 46.8f, 4, 60, 80, 20, NULL, 0, NULL, 0},
	{"Naxçıvan", "Nakhchivan", 38.8f, 39.7f, 44.8f, 46.1f, 5, 40, 65, 10, NULL, 0, NULL, 0},
	{"Şirvan-Salyan", "Shirvan-Salyan", 39.5f, 40.2f, 48.4f, 49.4f, 6, 50, 70, 5, NULL, 0, NULL, 0},
};

static const struct wname male[] = {
	{"Əli", NULL, 40}, {"Məhəmməd", NULL, 35}, {"Hüseyn", NULL, 30}, {"Məmməd", NULL, 25}, {"Həsən", NULL, 25},
	{"Elvin", NULL, 22}, {"Orxan", NULL, 22}, {"Tural", NULL, 20}, {"Rəşad", NULL, 18}, {"Murad", NULL, 18},
	{"Yusif", NULL, 18}, {"Elçin", NULL, 16}, {"Emin", NULL, 16}, {"Ömər", NULL, 16}, {"Kamran", NULL, 14},
	{"Cavid", NULL, 14}, {"Fərid", NULL, 14}, {"Ayxan", NULL, 14}, {"Nicat", NULL, 14}, {"Nihad", NULL, 12},
	{"Ramil", NULL, 12}, {"Elnur", NULL, 12}, {"Kənan", NULL, 12}, {"Rauf", NULL, 10}, {"Namiq", NULL, 10},
	{"Vüqar", NULL, 10}, {"İlqar", NULL, 10}, {"Şahin", NULL, 10}, {"Samir", NULL, 10}, {"Ülvi", NULL, 10},
	{"Vüsal", NULL, 10}, {"Ceyhun", NULL, 10}, {"Əmir", NULL, 10}, {"Rövşən", NULL, 8}, {"Səbuhi", NULL, 8},
	{"Aqil", NULL, 8}, {"Eldar", NULL, 8}, {"Rüstəm", NULL, 8}, {"Zaur", NULL, 8}, {"Anar", NULL, 8},
	{"Fuad", NULL, 8}, {"Elşən", NULL, 8}, {"Rəsul", NULL, 8}, {"Toğrul", NULL, 8}, {"Tofiq", NULL, 6},
	{"Əkbər", NULL, 6}, {"Qasım", NULL, 6}, {"Mirzə", NULL, 4}, {"Tərlan", NULL, 4}, {"Ağa", NULL, 4},
	{"Tamerlan", NULL, 4}, {"İbrahim", NULL, 6}, {"Çingiz", NULL, 3}, {"Fəxrəddin", NULL, 3},
};

static const struct wname female[] = {
	{"Aysel", NULL, 25}, {"Leyla", NULL, 25}, {"Günel", NULL, 22}, {"Zəhra", NULL, 20}, {"Nigar", NULL, 18},
	{"Fidan", NULL, 18}, {"Fatimə", NULL, 16}, {"Nərmin", NULL, 16}, {"Səbinə", NULL, 14}, {"Aynur", NULL, 14},
	{"Aysu", NULL, 14}, {"Aylin", NULL, 14}, {"Aytən", NULL, 12}, {"Lalə", NULL, 12}, {"Sevinc", NULL, 12},
	{"Mədinə", NULL, 12}, {"Gülnar", NULL, 10}, {"Kəmalə", NULL, 10}, {"Şəbnəm", NULL, 10},
	{"Ülviyyə", NULL, 10}, {"Xədicə", NULL, 10}, {"Nərgiz", NULL, 10}, {"Ləman", NULL, 10}, {"Ayan", NULL, 10},
	{"Mələk", NULL, 10}, {"Gülşən", NULL, 8}, {"İlahə", NULL, 8}, {"Türkan", NULL, 8}, {"Könül", NULL, 8},
	{"Röya", NULL, 8}, {"Sara", NULL, 8}, {"Arzu", NULL, 8}, {"Zərifə", NULL, 6}, {"Çiçək", NULL, 6},
	{"Səidə", NULL, 6}, {"Nurlana", NULL, 6}, {"Gülər", NULL, 6}, {"Samirə", NULL, 6}, {"Nailə", NULL, 6},
	{"Xanım", NULL, 4}, {"Tünzalə", NULL, 4}, {"Şəhla", NULL, 4}, {"Dilarə", NULL, 4},
};

/* Stems for family names: Məmməd → Məmmədov, Əli → Əliyev, … */
static const struct wname fam_base[] = {
	{"Məmməd", NULL, 100}, {"Əli", NULL, 90}, {"Həsən", NULL, 60}, {"Hüseyn", NULL, 55}, {"Quli", NULL, 35},
	{"İsmayıl", NULL, 30}, {"Abbas", NULL, 28}, {"Cəfər", NULL, 28}, {"Rəhim", NULL, 22}, {"Baba", NULL, 22},
	{"Əhməd", NULL, 18}, {"Musa", NULL, 18}, {"Süleyman", NULL, 16}, {"Vəli", NULL, 16}, {"Kərim", NULL, 14},
	{"Qasım", NULL, 14}, {"Mustafa", NULL, 14}, {"Bağır", NULL, 12}, {"Rza", NULL, 12}, {"İbrahim", NULL, 12},
	{"Oruc", NULL, 10}, {"Heydər", NULL, 10}, {"Əsgər", NULL, 10}, {"Nəbi", NULL, 10}, {"Xəlil", NULL, 10},
	{"Nəsir", NULL, 8}, {"Şükür", NULL, 8}, {"Səfər", NULL, 8}, {"Hacı", NULL, 8}, {"Nəcəf", NULL, 8},
	{"Əzim", NULL, 6}, {"Qafar", NULL, 6}, {"Sadıq", NULL, 6}, {"Ağa", NULL, 6}, {"Tağı", NULL, 6},
	{"Mirzə", NULL, 6}, {"Zeynal", NULL, 6}, {"Şirin", NULL, 4}, {"Namaz", NULL, 4}, {"Allahverdi", NULL, 4},
	{"Çələbi", NULL, 3}, {"Ələsgər", NULL, 4},
};

static const struct wname place_a[] = {
	{"Ağ", NULL, 6}, {"Qara", NULL, 8}, {"Göy", NULL, 5}, {"Sarı", NULL, 5}, {"Yeni", NULL, 7},
	{"Köhnə", NULL, 4}, {"Böyük", NULL, 5}, {"Kiçik", NULL, 4}, {"Şıx", NULL, 3}, {"Bala", NULL, 4},
	{"Qız", NULL, 3}, {"Xan", NULL, 4}, {"Daş", NULL, 4}, {"Dəmir", NULL, 3}, {"Gül", NULL, 4},
	{"Qızıl", NULL, 4}, {"Bəy", NULL, 3}, {"Şah", NULL, 3}, {"Qaz", NULL, 2}, {"Ata", NULL, 2},
	{"Qoşa", NULL, 3}, {"Çal", NULL, 3}, {"Dəvə", NULL, 2}, {"Qoyun", NULL, 2}, {"Ceyran", NULL, 2},
	{"Ərəb", NULL, 2}, {"Çinar", NULL, 3}, {"Armud", NULL, 2}, {"Alma", NULL, 2}, {"Sumaq", NULL, 2},
};

static const struct wname place_b[] = {
	{"dağ", NULL, 6}, {"çay", NULL, 8}, {"kənd", NULL, 10}, {"su", NULL, 4}, {"bulaq", NULL, 7},
	{"təpə", NULL, 4}, {"oba", NULL, 4}, {"qala", NULL, 4}, {"yurd", NULL, 3}, {"dərə", NULL, 4},
	{"bağ", NULL, 4}, {"abad", NULL, 5}, {"arx", NULL, 3}, {"düz", NULL, 3}, {"qaya", NULL, 3},
	{"göl", NULL, 3}, {"yal", NULL, 2}, {"lı", NULL, 4}, {"li", NULL, 4},
};

static const struct wname honour[] = {
	{"Nizami Gəncəvi", NULL, 6}, {"Məhəmməd Füzuli", NULL, 6}, {"Üzeyir Hacıbəyli", NULL, 5},
	{"Səməd Vurğun", NULL, 5}, {"Mirzə Ələkbər Sabir", NULL, 4}, {"Cəlil Məmmədquluzadə", NULL, 4},
	{"Xurşidbanu Natəvan", NULL, 4}, {"Hüseyn Cavid", NULL, 4}, {"Abbasqulu ağa Bakıxanov", NULL, 3},
	{"Mirzə Fətəli Axundzadə", NULL, 3}, {"Həsən bəy Zərdabi", NULL, 4}, {"Nəsimi", NULL, 4},
};

static bool is_vowel(uint32_t cp)
{
	static const uint32_t v[] = {'a', 'e', 'i', 'o', 'u', 0x259, 0x131, 0xF6, 0xFC};

	for (size_t i = 0; i < COUNT(v); i++)
		if (cp == v[i])
			return true;
	return false;
}

/* The last vowel of s, and whether s ends in a vowel. */
static uint32_t last_vowel(const char *s, bool *ends)
{
	uint32_t cp, last = 'a';

	*ends = false;
	while (*s) {
		s += utf8_next(s, &cp);
		*ends = is_vowel(cp);
		if (*ends)
			last = cp;
	}
	return last;
}

static void given_az(const struct demo *d, struct rng *r, int sex, struct name *out)
{
	const struct wname *g = wlist_pick(&d->lists[sex == SEX_M ? NL_MALE : NL_FEMALE], r);

	name_set(out, g->s, NULL);
}

static void family_az(const struct demo *d, struct rng *r, struct name *m, struct name *f)
{
	const char *b = wlist_pick(&d->lists[NL_FAM_BASE], r)->s;
	bool ends;
	uint32_t v = last_vowel(b, &ends);
	int k = (int)rng_below(r, 100);
	bool back = v == 'a' || v == 0x131 || v == 'o' || v == 'u';

	if (k < 80 || (k < 92 && ends)) {
		name_fmt(m, "%s%s", b, ends ? "yev" : "ov");
		name_fmt(f, "%s%s", b, ends ? "yeva" : "ova");
	} else if (k < 92) {
		name_fmt(m, "%s%s", b, back ? "lı" : "li");
		name_fmt(f, "%s", m->s);
	} else {
		name_fmt(m, "%szadə", b);
		name_fmt(f, "%s", m->s);
	}
	m->latin[0] = f->latin[0] = '\0';
	m->cut = m->cutlen = f->cut = f->cutlen = 0;
}

static void patronym_az(const struct name *given, const struct name *family, int sex, struct name *out)
{
	struct name s;

	(void)family;
	name_set(&s, sex == SEX_M ? "oğlu" : "qızı", NULL);
	name_join(out, given, &s, " ", "");
}

static void place_az(const struct demo *d, struct rng *r, int level, bool urban, struct name *out)
{
	const char *a = wlist_pick(&d->lists[NL_PLACE_A], r)->s, *b = wlist_pick(&d->lists[NL_PLACE_B], r)->s;

	if (level == 2)
		name_fmt(out, "%s%s rayonu", a, b);
	else
		name_fmt(out, "%s%s%s", a, b, urban ? " qəsəbəsi" : "");
}

static void school_name_az(const struct demo *d, struct rng *r, int levels, int kind, const struct name *village,
			   struct name *out)
{
	const char *type = levels & LVL_UPPER ? "tam orta məktəbi" : levels & LVL_LOWER ? "ümumi orta məktəbi"
											: "ibtidai məktəbi";
	static const char town[] = " qəsəbəsi";
	const size_t k = sizeof town - 1;
	char place[NAME_BYTES];
	size_t n;

	snprintf(place, sizeof place, "%s", village->s);
	n = strlen(place);
	if (n > k && strcmp(place + n - k, town) == 0)
		place[n - k] = '\0';
	if (kind & KIND_NOMADIC)
		name_fmt(out, "%s köçəri ibtidai məktəbi", place);
	else if (kind & KIND_BOARDING)
		name_fmt(out, "%s internat məktəbi", place);
	else if (rng_chance(r, 0.25))
		name_fmt(out, "%s adına %s %s", wlist_pick(&d->lists[NL_HONOUR], r)->s, place, type);
	else
		name_fmt(out, "%s kənd %s", place, type);
}

static void map_name(struct name *n, void (*fn)(const char *, char *, size_t))
{
	char t[NAME_BYTES];

	fn(n->s, t, sizeof t);
	memcpy(n->s, t, sizeof t);
	n->cut = n->cutlen = 0;
}

static void variant_az(const struct demo *d, struct rng *r, struct name *g, struct name *f, struct name *p)
{
	(void)d;
	if (p->cut && rng_chance(r, 0.15))
		p->s[p->cut] = '\0'; /* the father's name alone */
	if (rng_chance(r, 0.12)) {
		map_name(g, fold_ascii);
		map_name(f, fold_ascii);
		map_name(p, fold_ascii);
	} else if (rng_chance(r, 0.06)) {
		map_name(g, az_passport);
		map_name(f, az_passport);
		map_name(p, az_passport);
	}
}

/* FİN: seven letters and digits (no I or O), a bijection of the counter. */
static void national_id_az(struct demo *d, int p, int sex, int32_t birth, char out[24])
{
	static const char al[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	const uint64_t space = 34ULL * 34 * 34 * 34 * 34 * 34 * 34;
	uint64_t x = (d->nid_count++ * 3486784401ULL + 2718281828ULL) % space;

	(void)p;
	(void)sex;
	(void)birth;
	for (int i = 6; i >= 0; i--) {
		out[i] = al[x % 34];
		x /= 34;
	}
	out[7] = '\0';
}

const struct culture demo_az = {
	.code = "az",
	.cc = "AZ",
	.lang = "az",
	.name = "Azərbaycan",
	.latin = "Azerbaijan",
	.prov = prov,
	.nprov = (int)COUNT(prov),
	.demo_prov = 10,
	.max_grade = 11,
	.primary_last = 4,
	.lower_last = 9,
	.start_month = 9,
	.start_day = 15,
	.combined_pct = 75,
	.boarding_pct = 4,
	.female_teachers_pct = 75,
	.nid_school_pct = 75,
	.nid_register_pct = 92,
	.grade_word = "Sinif ",
	.alphabet = "abcçdeəfgğhxıijkqlmnoöprsştuüvyz",
	.lists = {male, female, NULL, fam_base, NULL, NULL, NULL, NULL, place_a, place_b, honour},
	.nlist = {COUNT(male), COUNT(female), 0, COUNT(fam_base), 0, 0, 0, 0, COUNT(place_a), COUNT(place_b),
		  COUNT(honour)},
	.given = given_az,
	.family = family_az,
	.patronym = patronym_az,
	.place = place_az,
	.school_name = school_name_az,
	.variant = variant_az,
	.national_id = national_id_az,
};
