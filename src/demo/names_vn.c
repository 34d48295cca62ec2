/*
 * names_vn.c — Vietnam: the 34 provinces (2025), Vietnamese names (family,
 * middle, given; Nguyễn about 38%), places and schools, the 12-digit
 * citizen id (province, century and sex, birth year, serial), and the
 * ways a register writes them differently (no diacritics, decomposed,
 * the middle name moved or dropped).
 *
 * Every name is a common one put together at random: no real person's
 * data. Province names, boxes and figures are public facts, rounded.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"
#include "base/banned.h"

static const struct province_def prov[] = {
	{"Hà Nội", "Hanoi", 20.5f, 21.4f, 105.3f, 106.0f, 87, 10, 35, 0, NULL, 0, NULL, 0},
	{"Huế", "Hue", 15.9f, 16.8f, 107.0f, 108.2f, 12, 35, 55, 0, NULL, 0, NULL, 0},
	{"Lai Châu", "Lai Chau", 21.7f, 22.8f, 102.3f, 103.9f, 5, 85, 85, 10, "hmn", 25, NULL, 0},
	{"Điện Biên", "Dien Bien", 20.9f, 22.6f, 102.1f, 103.6f, 6, 85, 85, 10, "hmn", 20, "blt", 15},
	{"Sơn La", "Son La", 20.6f, 22.0f, 103.2f, 105.0f, 13, 75, 85, 5, "blt", 20, "hmn", 10},
	{"Lạng Sơn", "Lang Son", 21.3f, 22.5f, 106.1f, 107.4f, 8, 60, 80, 0, "tyz", 15, NULL, 0},
	{"Quảng Ninh", "Quang Ninh", 20.7f, 21.7f, 106.4f, 108.1f, 14, 20, 40, 0, NULL, 0, NULL, 0},
	{"Thanh Hóa", "Thanh Hoa", 19.3f, 20.7f, 104.4f, 106.1f, 37, 45, 80, 0, NULL, 0, NULL, 0},
	{"Nghệ An", "Nghe An", 18.5f, 20.0f, 103.9f, 105.8f, 34, 50, 72, 5, "blt", 8, NULL, 0},
	{"Hà Tĩnh", "Ha Tinh", 17.9f, 18.8f, 105.1f, 106.5f, 13, 45, 80, 0, NULL, 0, NULL, 0},
	{"Cao Bằng", "Cao Bang", 22.3f, 23.1f, 105.3f, 106.8f, 6, 75, 85, 5, "tyz", 25, NULL, 0},
	{"Tuyên Quang", "Tuyen Quang", 21.5f, 23.4f, 104.3f, 105.6f, 19, 75, 85, 5, "hmn", 20, NULL, 0},
	{"Lào Cai", "Lao Cai", 21.3f, 22.9f, 103.5f, 105.1f, 18, 70, 82, 5, "hmn", 20, NULL, 0},
	{"Thái Nguyên", "Thai Nguyen", 21.3f, 22.7f, 105.5f, 106.3f, 17, 40, 70, 0, "tyz", 5, NULL, 0},
	{"Phú Thọ", "Phu Tho", 20.3f, 21.7f, 104.8f, 105.8f, 40, 40, 75, 0, NULL, 0, NULL, 0},
	{"Bắc Ninh", "Bac Ninh", 21.0f, 21.7f, 105.9f, 107.0f, 36, 25, 65, 0, NULL, 0, NULL, 0},
	{"Hưng Yên", "Hung Yen", 20.3f, 21.0f, 105.9f, 106.7f, 35, 30, 75, 0, NULL, 0, NULL, 0},
	{"Hải Phòng", "Hai Phong", 20.5f, 21.2f, 106.0f, 107.0f, 47, 20, 55, 0, NULL, 0, NULL, 0},
	{"Ninh Bình", "Ninh Binh", 19.9f, 20.7f, 105.6f, 106.6f, 44, 35, 75, 0, NULL, 0, NULL, 0},
	{"Quảng Trị", "Quang Tri", 16.3f, 18.1f, 105.6f, 107.4f, 19, 55, 75, 5, NULL, 0, NULL, 0},
	{"Đà Nẵng", "Da Nang", 14.9f, 16.2f, 107.2f, 108.8f, 31, 30, 55, 0, NULL, 0, NULL, 0},
	{"Quảng Ngãi", "Quang Ngai", 14.0f, 15.5f, 107.3f, 109.1f, 22, 55, 78, 5, NULL, 0, NULL, 0},
	{"Gia Lai", "Gia Lai", 13.0f, 14.6f, 107.4f, 109.3f, 36, 55, 75, 5, "jra", 10, NULL, 0},
	{"Khánh Hòa", "Khanh Hoa", 11.3f, 12.9f, 108.3f, 109.5f, 22, 40, 60, 0, NULL, 0, NULL, 0},
	{"Lâm Đồng", "Lam Dong", 10.6f, 12.6f, 107.2f, 109.0f, 39, 45, 70, 5, NULL, 0, NULL, 0},
	{"Đắk Lắk", "Dak Lak", 12.2f, 13.7f, 107.5f, 109.5f, 33, 55, 75, 5, "rad", 10, NULL, 0},
	{"Hồ Chí Minh", "Ho Chi Minh City", 10.3f, 11.5f, 106.3f, 107.6f, 140, 10, 25, 0, NULL, 0, NULL, 0},
	{"Đồng Nai", "Dong Nai", 10.5f, 12.3f, 106.4f, 107.6f, 45, 30, 60, 0, NULL, 0, NULL, 0},
	{"Tây Ninh", "Tay Ninh", 10.4f, 11.8f, 105.8f, 106.8f, 33, 35, 70, 0, NULL, 0, NULL, 0},
	{"Cần Thơ", "Can Tho", 9.3f, 10.3f, 105.3f, 106.3f, 42, 40, 65, 5, "km", 8, NULL, 0},
	{"Vĩnh Long", "Vinh Long", 9.5f, 10.4f, 105.9f, 106.8f, 43, 40, 75, 5, "km", 8, NULL, 0},
	{"Đồng Tháp", "Dong Thap", 10.2f, 10.9f, 105.2f, 106.8f, 44, 40, 75, 5, NULL, 0, NULL, 0},
	{"Cà Mau", "Ca Mau", 8.6f, 9.6f, 104.7f, 105.8f, 26, 50, 75, 10, "km", 5, NULL, 0},
	{"An Giang", "An Giang", 9.6f, 10.9f, 103.9f, 105.6f, 49, 45, 75, 10, "km", 8, NULL, 0},
};

static const struct wname male[] = {
	{"Anh", NULL, 40}, {"Minh", NULL, 35}, {"Huy", NULL, 30}, {"Khang", NULL, 25}, {"Bảo", NULL, 25},
	{"Phúc", NULL, 22}, {"Nam", NULL, 20}, {"Đức", NULL, 20}, {"Hùng", NULL, 18}, {"Dũng", NULL, 18},
	{"Tuấn", NULL, 18}, {"Long", NULL, 16}, {"Quân", NULL, 16}, {"Hoàng", NULL, 14}, {"Khoa", NULL, 14},
	{"Hải", NULL, 14}, {"Đạt", NULL, 14}, {"Thắng", NULL, 12}, {"Sơn", NULL, 12}, {"Trung", NULL, 12},
	{"Hiếu", NULL, 12}, {"Duy", NULL, 12}, {"Khôi", NULL, 12}, {"Tùng", NULL, 10}, {"Phong", NULL, 10},
	{"Kiên", NULL, 10}, {"Nhật", NULL, 10}, {"Thành", NULL, 10}, {"Phát", NULL, 10}, {"Thịnh", NULL, 8},
	{"Lâm", NULL, 8}, {"Vinh", NULL, 8}, {"Tài", NULL, 8}, {"Tú", NULL, 8}, {"Quang", NULL, 8},
	{"Việt", NULL, 8}, {"Cường", NULL, 8}, {"Hưng", NULL, 8}, {"Trí", NULL, 8}, {"An", NULL, 8},
	{"Tâm", NULL, 6}, {"Lộc", NULL, 6}, {"Tiến", NULL, 6}, {"Hào", NULL, 6}, {"Nghĩa", NULL, 6},
	{"Toàn", NULL, 6}, {"Vũ", NULL, 6}, {"Tín", NULL, 4}, {"Thái", NULL, 4}, {"Định", NULL, 3},
};

static const struct wname female[] = {
	{"Linh", NULL, 35}, {"Anh", NULL, 35}, {"Trang", NULL, 25}, {"Ngọc", NULL, 22}, {"Hương", NULL, 20},
	{"Thảo", NULL, 20}, {"Vy", NULL, 20}, {"Hà", NULL, 18}, {"Mai", NULL, 18}, {"Hân", NULL, 18},
	{"Nhi", NULL, 18}, {"Lan", NULL, 14}, {"Chi", NULL, 14}, {"Phương", NULL, 14}, {"Thư", NULL, 14},
	{"Yến", NULL, 12}, {"Hoa", NULL, 12}, {"Huyền", NULL, 12}, {"Quỳnh", NULL, 12}, {"Ngân", NULL, 12},
	{"My", NULL, 12}, {"Trâm", NULL, 10}, {"Hằng", NULL, 10}, {"An", NULL, 10}, {"Uyên", NULL, 10},
	{"Giang", NULL, 10}, {"Dung", NULL, 8}, {"Nhung", NULL, 8}, {"Thủy", NULL, 8}, {"Vân", NULL, 8},
	{"Hạnh", NULL, 8}, {"Ly", NULL, 8}, {"Nga", NULL, 8}, {"Hiền", NULL, 8}, {"Diệp", NULL, 6},
	{"Tâm", NULL, 6}, {"Loan", NULL, 6}, {"Oanh", NULL, 6}, {"Tuyết", NULL, 6}, {"Thanh", NULL, 6},
	{"Duyên", NULL, 6}, {"Trinh", NULL, 6}, {"Khánh", NULL, 5},
};

/* Nguyễn is 380 of 981, about 38.7%. */
static const struct wname families[] = {
	{"Nguyễn", NULL, 380}, {"Trần", NULL, 110}, {"Lê", NULL, 95}, {"Phạm", NULL, 70}, {"Phan", NULL, 45},
	{"Hoàng", NULL, 30}, {"Vũ", NULL, 25}, {"Huỳnh", NULL, 21}, {"Đặng", NULL, 21}, {"Bùi", NULL, 20},
	{"Võ", NULL, 14}, {"Đỗ", NULL, 14}, {"Hồ", NULL, 13}, {"Ngô", NULL, 13}, {"Dương", NULL, 10},
	{"Đinh", NULL, 8}, {"Lý", NULL, 5}, {"Trịnh", NULL, 6}, {"Đoàn", NULL, 6}, {"Lương", NULL, 5},
	{"Mai", NULL, 4}, {"Cao", NULL, 4}, {"Lâm", NULL, 4}, {"Hà", NULL, 4}, {"Tạ", NULL, 3},
	{"Tô", NULL, 3}, {"Châu", NULL, 3}, {"Chu", NULL, 3}, {"Phùng", NULL, 3}, {"Lưu", NULL, 3},
	{"Vương", NULL, 3}, {"Nông", NULL, 3}, {"Quách", NULL, 2}, {"Kiều", NULL, 2}, {"Triệu", NULL, 2},
	{"Thái", NULL, 2}, {"Tăng", NULL, 2}, {"La", NULL, 2}, {"Lại", NULL, 2}, {"Hứa", NULL, 2},
	{"Đàm", NULL, 2}, {"Văn", NULL, 2}, {"Thân", NULL, 2}, {"Khúc", NULL, 1}, {"Mạc", NULL, 1},
	{"Tôn", NULL, 1}, {"Lục", NULL, 1},
};

static const struct wname mid_m[] = {
	{"Văn", NULL, 30}, {"Minh", NULL, 14}, {"Đức", NULL, 12}, {"Gia", NULL, 10}, {"Quang", NULL, 8},
	{"Hữu", NULL, 8}, {"Công", NULL, 6}, {"Thành", NULL, 6}, {"Hoàng", NULL, 6}, {"Anh", NULL, 6},
	{"Bảo", NULL, 6}, {"Đình", NULL, 6}, {"Quốc", NULL, 6}, {"Xuân", NULL, 5}, {"Ngọc", NULL, 5},
	{"Duy", NULL, 5}, {"Tuấn", NULL, 4}, {"Trọng", NULL, 4}, {"Mạnh", NULL, 4}, {"Thế", NULL, 4},
	{"Nhật", NULL, 4}, {"Khánh", NULL, 3},
};

static const struct wname mid_f[] = {
	{"Thị", NULL, 30}, {"Ngọc", NULL, 12}, {"Thu", NULL, 8}, {"Thanh", NULL, 8}, {"Bảo", NULL, 8},
	{"Minh", NULL, 6}, {"Phương", NULL, 6}, {"Hồng", NULL, 6}, {"Kim", NULL, 6}, {"Khánh", NULL, 6},
	{"Thùy", NULL, 6}, {"Mai", NULL, 5}, {"Gia", NULL, 5}, {"Quỳnh", NULL, 4}, {"Hoài", NULL, 4},
	{"Diệu", NULL, 4}, {"Hà", NULL, 4}, {"Ánh", NULL, 4}, {"Tường", NULL, 3}, {"Yến", NULL, 3},
	{"Lan", NULL, 3},
};

static const struct wname place_a[] = {
	{"Yên", NULL, 6}, {"Tân", NULL, 8}, {"Phú", NULL, 6}, {"Hòa", NULL, 6}, {"An", NULL, 6},
	{"Bình", NULL, 6}, {"Thanh", NULL, 5}, {"Vĩnh", NULL, 5}, {"Quảng", NULL, 4}, {"Hưng", NULL, 3},
	{"Đông", NULL, 4}, {"Tây", NULL, 3}, {"Nam", NULL, 3}, {"Bắc", NULL, 3}, {"Thạch", NULL, 3},
	{"Kim", NULL, 3}, {"Long", NULL, 4}, {"Phước", NULL, 4}, {"Đức", NULL, 3}, {"Gia", NULL, 3},
	{"Hải", NULL, 3}, {"Thuận", NULL, 3}, {"Lộc", NULL, 2}, {"Cẩm", NULL, 2}, {"Diễn", NULL, 2},
	{"Nghi", NULL, 2}, {"Quỳnh", NULL, 2}, {"Hương", NULL, 2}, {"Thái", NULL, 2}, {"Minh", NULL, 3},
	{"Xuân", NULL, 3}, {"Hoài", NULL, 2}, {"Mỹ", NULL, 3}, {"Tiên", NULL, 2}, {"Đại", NULL, 2},
	{"Châu", NULL, 2}, {"Hồng", NULL, 2}, {"Sơn", NULL, 2}, {"Trường", NULL, 2}, {"Cát", NULL, 1},
};

static const struct wname place_b[] = {
	{"Thành", NULL, 5}, {"Lập", NULL, 3}, {"Bình", NULL, 5}, {"Phú", NULL, 4}, {"Hòa", NULL, 5},
	{"Lạc", NULL, 3}, {"Sơn", NULL, 4}, {"Lâm", NULL, 3}, {"Hưng", NULL, 4}, {"Yên", NULL, 3},
	{"Xuân", NULL, 3}, {"Châu", NULL, 3}, {"Định", NULL, 3}, {"Lộc", NULL, 4}, {"Thịnh", NULL, 3},
	{"Thủy", NULL, 3}, {"Giang", NULL, 3}, {"Hà", NULL, 3}, {"Khánh", NULL, 3}, {"Phong", NULL, 3},
	{"Long", NULL, 3}, {"An", NULL, 5}, {"Trung", NULL, 4}, {"Tiến", NULL, 3}, {"Thuận", NULL, 3},
	{"Mỹ", NULL, 3}, {"Phước", NULL, 3}, {"Tân", NULL, 3}, {"Hải", NULL, 3}, {"Đông", NULL, 3},
	{"Lợi", NULL, 2}, {"Hiệp", NULL, 2}, {"Thạnh", NULL, 2}, {"Hội", NULL, 2}, {"Thọ", NULL, 2},
};

static const struct wname honour[] = {
	{"Lê Lợi", NULL, 6}, {"Nguyễn Du", NULL, 6}, {"Trần Hưng Đạo", NULL, 6}, {"Quang Trung", NULL, 5},
	{"Chu Văn An", NULL, 6}, {"Lê Quý Đôn", NULL, 6}, {"Kim Đồng", NULL, 6}, {"Võ Thị Sáu", NULL, 5},
	{"Nguyễn Trãi", NULL, 6}, {"Lý Thường Kiệt", NULL, 5}, {"Hai Bà Trưng", NULL, 5}, {"Nguyễn Huệ", NULL, 4},
	{"Phan Bội Châu", NULL, 4}, {"Lê Văn Tám", NULL, 4}, {"Nguyễn Bỉnh Khiêm", NULL, 4}, {"Trần Phú", NULL, 4},
	{"Ngô Quyền", NULL, 4}, {"Lương Thế Vinh", NULL, 4}, {"Đinh Tiên Hoàng", NULL, 3},
	{"Hoàng Hoa Thám", NULL, 3}, {"Nguyễn Đình Chiểu", NULL, 3}, {"Trần Quốc Toản", NULL, 3},
};

static void given_vn(const struct demo *d, struct rng *r, int sex, struct name *out)
{
	const struct wname *m, *g;
	struct name a, b;

	m = wlist_pick(&d->lists[sex == SEX_M ? NL_MID_M : NL_MID_F], r);
	do
		g = wlist_pick(&d->lists[sex == SEX_M ? NL_MALE : NL_FEMALE], r);
	while (strcmp(m->s, g->s) == 0);
	name_set(&a, m->s, NULL);
	name_set(&b, g->s, NULL);
	name_join(out, &a, &b, " ", "");
}

static void family_vn(const struct demo *d, struct rng *r, struct name *m, struct name *f)
{
	name_set(m, wlist_pick(&d->lists[NL_FAMILY], r)->s, NULL);
	*f = *m;
}

/* A Vietnamese register writes the father's full name. */
static void patronym_vn(const struct name *given, const struct name *family, int sex, struct name *out)
{
	(void)sex;
	name_join(out, family, given, " ", "");
	out->cut = 0;
	out->cutlen = 0;
}

static void place_vn(const struct demo *d, struct rng *r, int level, bool urban, struct name *out)
{
	const struct wname *a = wlist_pick(&d->lists[NL_PLACE_A], r), *b;
	const char *pre;

	do
		b = wlist_pick(&d->lists[NL_PLACE_B], r);
	while (strcmp(a->s, b->s) == 0);
	if (level == 2)
		pre = urban && rng_chance(r, 0.3) ? "Thị xã" : "Huyện";
	else
		pre = !urban ? "Xã" : rng_chance(r, 0.6) ? "Phường" : "Thị trấn";
	name_fmt(out, "%s %s %s", pre, a->s, b->s);
}

/* The place's name without "Xã", "Phường" …: its last two words. */
static const char *bare(const char *s)
{
	const char *p = s + strlen(s);
	int spaces = 0;

	while (p > s && spaces < 2)
		if (*--p == ' ')
			spaces++;
	return spaces == 2 ? p + 1 : s;
}

static void school_name_vn(const struct demo *d, struct rng *r, int levels, int kind, const struct name *village,
			   struct name *out)
{
	const char *pre, *after = rng_chance(r, 0.55) ? bare(village->s) : wlist_pick(&d->lists[NL_HONOUR], r)->s;

	if (kind & KIND_NOMADIC)
		pre = "Điểm trường";
	else if (kind & KIND_BOARDING)
		pre = "Trường Phổ thông Dân tộc Nội trú";
	else if (levels == LVL_ALL)
		pre = "Trường Phổ thông nhiều cấp";
	else if (levels == (LVL_PRIMARY | LVL_LOWER))
		pre = "Trường Tiểu học và THCS";
	else if (levels == LVL_PRIMARY)
		pre = "Trường Tiểu học";
	else if (levels & LVL_UPPER)
		pre = "Trường THPT";
	else
		pre = "Trường THCS";
	name_fmt(out, "%s %s", pre, after);
}

static void fold_name(struct name *n, void (*fn)(const char *, char *, size_t))
{
	char t[NAME_BYTES];

	fn(n->s, t, sizeof t);
	memcpy(n->s, t, sizeof t);
	n->cut = n->cutlen = 0;
}

/* Moves the middle name from the given name to the family name (as
 * "Họ và tên đệm" forms do), or drops it. */
static void shift_middle(struct rng *r, struct name *g, struct name *f)
{
	char mid[NAME_BYTES];
	size_t lf = strlen(f->s);

	if (!g->cut)
		return;
	memcpy(mid, g->s, g->cut);
	mid[g->cut] = '\0';
	memmove(g->s, g->s + g->cut + g->cutlen, strlen(g->s + g->cut + g->cutlen) + 1);
	g->cut = g->cutlen = 0;
	if (rng_chance(r, 0.45) || lf + 1 + strlen(mid) >= NAME_BYTES)
		return;
	f->s[lf] = ' ';
	memcpy(f->s + lf + 1, mid, strlen(mid) + 1);
}

static void variant_vn(const struct demo *d, struct rng *r, struct name *g, struct name *f, struct name *p)
{
	(void)d;
	if (rng_chance(r, 0.09))
		shift_middle(r, g, f);
	if (rng_chance(r, 0.12)) {
		fold_name(g, fold_ascii);
		fold_name(f, fold_ascii);
		fold_name(p, fold_ascii);
	} else if (rng_chance(r, 0.06)) {
		fold_name(g, vn_nfd);
		fold_name(f, vn_nfd);
		fold_name(p, vn_nfd);
	}
}

/* CCCD: province (3 digits), century and sex, birth year (2), serial (6,
 * a bijection of the serial within the group, so unique). */
static void national_id_vn(struct demo *d, int p, int sex, int32_t birth, char out[24])
{
	int y, m, dd;
	uint32_t s = next_serial(d, p, sex, birth);
	uint64_t x, group;

	ymd_from_days(birth, &y, &m, &dd);
	group = ((uint64_t)(p * 100 + y % 100) * 2 + (uint64_t)sex) * 7919ULL;
	x = ((uint64_t)s * 823543ULL + 314159ULL + group) % 1000000ULL;
	snprintf(out, 24, "%03d%d%02d%06u", p + 1, (y >= 2000 ? 2 : 0) + (sex == SEX_F), y % 100, (unsigned)x);
}

const struct culture demo_vn = {
	.code = "vn",
	.cc = "VN",
	.lang = "vi",
	.name = "Việt Nam",
	.latin = "Vietnam",
	.prov = prov,
	.nprov = (int)COUNT(prov),
	.demo_prov = 8,
	.max_grade = 12,
	.primary_last = 5,
	.lower_last = 9,
	.start_month = 9,
	.start_day = 5,
	.combined_pct = 5,
	.boarding_pct = 4,
	.female_teachers_pct = 70,
	.nid_school_pct = 80,
	.nid_register_pct = 95,
	.grade_word = "Lớp ",
	.alphabet = "abcdeghiklmnopqrstuvxyàáảãạăâđêôơưéèíìóòúùýỳ",
	.lists = {male, female, families, NULL, NULL, mid_m, mid_f, NULL, place_a, place_b, honour},
	.nlist = {COUNT(male), COUNT(female), COUNT(families), 0, 0, COUNT(mid_m), COUNT(mid_f), 0, COUNT(place_a),
		  COUNT(place_b), COUNT(honour)},
	.given = given_vn,
	.family = family_vn,
	.patronym = patronym_vn,
	.place = place_vn,
	.school_name = school_name_vn,
	.variant = variant_vn,
	.national_id = national_id_vn,
};
