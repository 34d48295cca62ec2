/*
 * names_ir.c — Iran: the 31 provinces, Persian names (compound given
 * names, family names built with ‌ی, زاده, پور …), places and schools, the
 * 10-digit national code with its check digit, and the ways a register
 * writes Persian differently (Latin, Arabic ي/ك, joints).
 *
 * Every name here is a common word or name, put together at random: no
 * real person's data. Province names, boxes and figures are public facts,
 * rounded.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"
#include "base/banned.h"

static const struct province_def prov[] = {
	{"آذربایجان شرقی", "East Azerbaijan", 36.8f, 39.4f, 45.1f, 48.3f, 39, 35, 55, 35, "az", 50, NULL, 0},
	{"آذربایجان غربی", "West Azerbaijan", 35.9f, 39.8f, 44.0f, 47.4f, 33, 55, 68, 87, "az", 35, "ku", 25},
	{"اردبیل", "Ardabil", 37.1f, 39.7f, 47.3f, 48.9f, 13, 50, 62, 105, "az", 50, NULL, 0},
	{"اصفهان", "Isfahan", 30.7f, 34.5f, 49.6f, 55.5f, 51, 20, 40, 52, NULL, 0, NULL, 0},
	{"البرز", "Alborz", 35.6f, 36.3f, 50.2f, 51.4f, 27, 20, 30, 0, NULL, 0, NULL, 0},
	{"ایلام", "Ilam", 32.0f, 34.0f, 45.8f, 48.0f, 6, 60, 62, 140, "ku", 40, NULL, 0},
	{"بوشهر", "Bushehr", 27.3f, 30.3f, 50.1f, 52.9f, 12, 30, 55, 70, NULL, 0, NULL, 0},
	{"تهران", "Tehran", 34.9f, 36.1f, 50.3f, 53.1f, 133, 10, 25, 0, NULL, 0, NULL, 0},
	{"چهارمحال و بختیاری", "Chaharmahal and Bakhtiari", 31.1f, 32.8f, 49.5f, 51.5f, 10, 55, 70, 210, NULL, 0,
	 NULL, 0},
	{"خراسان جنوبی", "South Khorasan", 30.5f, 35.1f, 55.4f, 60.9f, 8, 55, 70, 70, NULL, 0, NULL, 0},
	{"خراسان رضوی", "Razavi Khorasan", 33.7f, 37.7f, 56.3f, 61.3f, 64, 40, 55, 35, NULL, 0, NULL, 0},
	{"خراسان شمالی", "North Khorasan", 36.6f, 38.3f, 55.9f, 58.4f, 9, 55, 65, 70, "tk", 10, NULL, 0},
	{"خوزستان", "Khuzestan", 29.9f, 33.0f, 47.6f, 50.5f, 47, 50, 55, 140, "ar", 30, NULL, 0},
	{"زنجان", "Zanjan", 35.5f, 37.2f, 47.0f, 49.4f, 11, 40, 60, 52, "az", 25, NULL, 0},
	{"سمنان", "Semnan", 34.2f, 37.3f, 51.9f, 57.1f, 7, 20, 45, 52, NULL, 0, NULL, 0},
	{"سیستان و بلوچستان", "Sistan and Baluchestan", 25.1f, 31.5f, 58.8f, 63.3f, 28, 85, 80, 122, "bal", 40, NULL,
	 0},
	{"فارس", "Fars", 27.0f, 31.7f, 50.6f, 55.6f, 49, 35, 60, 210, NULL, 0, NULL, 0},
	{"قزوین", "Qazvin", 35.4f, 36.8f, 48.7f, 50.9f, 13, 30, 50, 0, NULL, 0, NULL, 0},
	{"قم", "Qom", 34.2f, 35.2f, 50.1f, 51.9f, 13, 30, 25, 0, NULL, 0, NULL, 0},
	{"کردستان", "Kurdistan", 34.7f, 36.5f, 45.5f, 48.3f, 16, 65, 62, 35, "ku", 70, NULL, 0},
	{"کرمان", "Kerman", 26.5f, 32.0f, 54.3f, 59.6f, 32, 50, 62, 122, NULL, 0, NULL, 0},
	{"کرمانشاه", "Kermanshah", 33.6f, 35.3f, 45.4f, 48.1f, 20, 60, 60, 87, "ku", 50, NULL, 0},
	{"کهگیلویه و بویراحمد", "Kohgiluyeh and Boyer-Ahmad", 29.9f, 31.4f, 49.9f, 51.9f, 7, 65, 78, 262, NULL, 0,
	 NULL, 0},
	{"گلستان", "Golestan", 36.5f, 38.1f, 53.8f, 56.3f, 19, 50, 60, 52, "tk", 15, NULL, 0},
	{"گیلان", "Gilan", 36.6f, 38.4f, 48.6f, 50.6f, 25, 35, 55, 17, NULL, 0, NULL, 0},
	{"لرستان", "Lorestan", 32.6f, 34.4f, 46.9f, 50.0f, 18, 60, 62, 140, NULL, 0, NULL, 0},
	{"مازندران", "Mazandaran", 35.8f, 36.9f, 50.3f, 54.1f, 33, 30, 55, 17, NULL, 0, NULL, 0},
	{"مرکزی", "Markazi", 33.4f, 35.6f, 48.9f, 51.0f, 14, 30, 55, 35, NULL, 0, NULL, 0},
	{"هرمزگان", "Hormozgan", 25.4f, 28.9f, 52.7f, 59.2f, 18, 55, 62, 87, NULL, 0, NULL, 0},
	{"همدان", "Hamadan", 33.9f, 35.7f, 47.8f, 49.5f, 17, 45, 58, 35, NULL, 0, NULL, 0},
	{"یزد", "Yazd", 29.6f, 33.9f, 52.8f, 56.6f, 11, 20, 40, 52, NULL, 0, NULL, 0},
};

static const struct wname male[] = {
	{"محمد", "Mohammad", 100}, {"علی", "Ali", 80}, {"حسین", "Hossein", 60}, {"رضا", "Reza", 45},
	{"مهدی", "Mahdi", 40}, {"امیرحسین", "Amirhossein", 30}, {"امیر", "Amir", 30}, {"حسن", "Hassan", 28},
	{"ابوالفضل", "Abolfazl", 28}, {"علیرضا", "Alireza", 24}, {"امیرعلی", "Amirali", 20},
	{"یاسین", "Yasin", 18}, {"مصطفی", "Mostafa", 16}, {"سجاد", "Sajjad", 15}, {"احمد", "Ahmad", 14},
	{"جواد", "Javad", 14}, {"سعید", "Saeed", 14}, {"پارسا", "Parsa", 14}, {"طاها", "Taha", 12},
	{"مجید", "Majid", 12}, {"حمید", "Hamid", 12}, {"محسن", "Mohsen", 12}, {"آرین", "Arian", 12},
	{"عباس", "Abbas", 11}, {"متین", "Matin", 11}, {"یوسف", "Yousef", 10}, {"سینا", "Sina", 10},
	{"کیان", "Kian", 10}, {"ایلیا", "Ilia", 10}, {"عرفان", "Erfan", 10}, {"ابراهیم", "Ebrahim", 9},
	{"امید", "Omid", 9}, {"آرمان", "Arman", 9}, {"ماهان", "Mahan", 9}, {"مرتضی", "Morteza", 9},
	{"دانیال", "Danial", 9}, {"اکبر", "Akbar", 8}, {"اسماعیل", "Esmaeil", 8}, {"نیما", "Nima", 8},
	{"هادی", "Hadi", 8}, {"آرسام", "Arsam", 8}, {"بردیا", "Bardia", 7}, {"مسعود", "Masoud", 7},
	{"میلاد", "Milad", 7}, {"صادق", "Sadegh", 6}, {"فرهاد", "Farhad", 6}, {"داوود", "Davoud", 6},
	{"رسول", "Rasoul", 6}, {"وحید", "Vahid", 6}, {"آرش", "Arash", 6}, {"حامد", "Hamed", 6},
	{"یعقوب", "Yaghoub", 5}, {"ناصر", "Naser", 5}, {"کاظم", "Kazem", 5}, {"بهروز", "Behrouz", 5},
	{"کوروش", "Kourosh", 5}, {"بهزاد", "Behzad", 5}, {"سهیل", "Soheil", 5}, {"مهرداد", "Mehrdad", 5},
	{"اصغر", "Asghar", 5}, {"قاسم", "Ghasem", 5}, {"جعفر", "Jafar", 5}, {"کریم", "Karim", 5},
	{"سامان", "Saman", 5}, {"مهران", "Mehran", 5}, {"باقر", "Bagher", 4}, {"هومن", "Houman", 4},
	{"نادر", "Nader", 4}, {"رحیم", "Rahim", 4}, {"منصور", "Mansour", 4}, {"شهرام", "Shahram", 4},
	{"پیمان", "Peyman", 4}, {"بهنام", "Behnam", 4}, {"یزدان", "Yazdan", 4}, {"رامین", "Ramin", 4},
	{"کامران", "Kamran", 3}, {"صابر", "Saber", 3}, {"جمشید", "Jamshid", 3}, {"فرشید", "Farshid", 3},
	{"خلیل", "Khalil", 3}, {"غلامرضا", "Gholamreza", 3}, {"نورالله", "Nourollah", 2}, {"ولی", "Vali", 2},
};

static const struct wname female[] = {
	{"فاطمه", "Fatemeh", 80}, {"زهرا", "Zahra", 75}, {"مریم", "Maryam", 40}, {"زینب", "Zeinab", 35},
	{"ریحانه", "Reyhaneh", 25}, {"معصومه", "Masoumeh", 20}, {"نازنین", "Nazanin", 18}, {"سارا", "Sara", 15},
	{"محدثه", "Mohaddeseh", 14}, {"نرگس", "Narges", 14}, {"ستایش", "Setayesh", 14}, {"مبینا", "Mobina", 14},
	{"سمیه", "Somayeh", 12}, {"حدیث", "Hadis", 12}, {"کوثر", "Kosar", 12}, {"مهسا", "Mahsa", 12},
	{"هستی", "Hasti", 12}, {"باران", "Baran", 12}, {"الهه", "Elaheh", 10}, {"مائده", "Maedeh", 10},
	{"یگانه", "Yeganeh", 10}, {"حلما", "Helma", 10}, {"ملیکا", "Melika", 10}, {"لیلا", "Leila", 9},
	{"سحر", "Sahar", 9}, {"یاسمن", "Yasaman", 9}, {"رها", "Raha", 9}, {"آیدا", "Aida", 8},
	{"الناز", "Elnaz", 8}, {"رقیه", "Roghayeh", 8}, {"آوا", "Ava", 8}, {"هانیه", "Hanieh", 8},
	{"عسل", "Asal", 8}, {"آتنا", "Atena", 8}, {"نیلوفر", "Niloufar", 7}, {"پریسا", "Parisa", 7},
	{"پرنیا", "Parnia", 7}, {"شیرین", "Shirin", 6}, {"فرزانه", "Farzaneh", 6}, {"مهتاب", "Mahtab", 6},
	{"دیانا", "Diana", 6}, {"سکینه", "Sakineh", 5}, {"طاهره", "Tahereh", 5}, {"اعظم", "Azam", 5},
	{"آناهیتا", "Anahita", 5}, {"ام‌البنین", "Omolbanin", 4}, {"صدیقه", "Sedigheh", 4}, {"شهلا", "Shahla", 4},
	{"مینا", "Mina", 4}, {"پروین", "Parvin", 4}, {"فرشته", "Fereshteh", 4}, {"ژیلا", "Zhila", 3},
	{"گلاره", "Golareh", 3}, {"سیما", "Sima", 3}, {"منیژه", "Manijeh", 2}, {"خدیجه", "Khadijeh", 4},
};

/* Second parts of compound given names, after محمد, علی or امیر. */
static const struct wname compound[] = {
	{"رضا", "Reza", 30}, {"علی", "Ali", 25}, {"حسین", "Hossein", 20}, {"مهدی", "Mahdi", 15},
	{"امین", "Amin", 12}, {"جواد", "Javad", 10}, {"حسن", "Hassan", 10}, {"طاها", "Taha", 8},
	{"صادق", "Sadegh", 6}, {"هادی", "Hadi", 6}, {"پارسا", "Parsa", 6}, {"اکبر", "Akbar", 5},
	{"باقر", "Bagher", 5}, {"سجاد", "Sajjad", 5}, {"اصغر", "Asghar", 4}, {"کاظم", "Kazem", 4},
	{"اسماعیل", "Esmaeil", 4}, {"محمد", "Mohammad", 3},
};
static const struct wname compound_first_m[] = {
	{"محمد", "Mohammad", 70}, {"علی", "Ali", 15}, {"امیر", "Amir", 15},
};
static const struct wname compound_first_f[] = {
	{"فاطمه", "Fatemeh", 50}, {"نازنین", "Nazanin", 40}, {"مریم", "Maryam", 10},
};
static const struct wname compound_second_f[] = {
	{"زهرا", "Zahra", 80}, {"سادات", "Sadat", 20},
};

static const struct wname families[] = {
	{"محمدی", "Mohammadi", 100}, {"حسینی", "Hosseini", 95}, {"احمدی", "Ahmadi", 70}, {"رضایی", "Rezaei", 65},
	{"موسوی", "Mousavi", 55}, {"جعفری", "Jafari", 45}, {"کریمی", "Karimi", 45}, {"رحیمی", "Rahimi", 40},
	{"صادقی", "Sadeghi", 35}, {"قاسمی", "Ghasemi", 33}, {"هاشمی", "Hashemi", 32}, {"عباسی", "Abbasi", 28},
	{"حیدری", "Heidari", 28}, {"مرادی", "Moradi", 28}, {"نوری", "Nouri", 25}, {"اکبری", "Akbari", 25},
	{"ابراهیمی", "Ebrahimi", 25}, {"زارعی", "Zarei", 22}, {"کاظمی", "Kazemi", 22}, {"یوسفی", "Yousefi", 22},
	{"علیزاده", "Alizadeh", 20}, {"سلیمانی", "Soleimani", 20}, {"امینی", "Amini", 20}, {"باقری", "Bagheri", 20},
	{"نظری", "Nazari", 18}, {"میرزایی", "Mirzaei", 16}, {"قربانی", "Ghorbani", 16}, {"طاهری", "Taheri", 16},
	{"شریفی", "Sharifi", 16}, {"علوی", "Alavi", 15}, {"ملکی", "Maleki", 14}, {"رستمی", "Rostami", 14},
	{"خسروی", "Khosravi", 14}, {"عزیزی", "Azizi", 14}, {"اسدی", "Asadi", 14}, {"نجفی", "Najafi", 14},
	{"دهقان", "Dehghan", 14}, {"فرهادی", "Farhadi", 12}, {"کرمی", "Karami", 12}, {"سلطانی", "Soltani", 12},
	{"بهرامی", "Bahrami", 12}, {"منصوری", "Mansouri", 12}, {"فتحی", "Fathi", 10}, {"تقوی", "Taghavi", 10},
	{"نوروزی", "Nowrouzi", 10}, {"پناهی", "Panahi", 9}, {"اسلامی", "Eslami", 9}, {"جمالی", "Jamali", 8},
	{"حسنی", "Hassani", 8}, {"جلالی", "Jalali", 8}, {"آقایی", "Aghaei", 8}, {"شاهی", "Shahi", 8},
	{"مختاری", "Mokhtari", 7}, {"فاضلی", "Fazeli", 7}, {"تبریزی", "Tabrizi", 6}, {"شیرازی", "Shirazi", 6},
	{"تهرانی", "Tehrani", 6}, {"اصفهانی", "Esfahani", 6}, {"فراهانی", "Farahani", 6}, {"وکیلی", "Vakili", 6},
	{"شجاعی", "Shojaei", 6}, {"یزدی", "Yazdi", 5}, {"کرمانی", "Kermani", 5}, {"خراسانی", "Khorasani", 5},
	{"سبحانی", "Sobhani", 5}, {"بلوچ", "Balouch", 4}, {"کامرانی", "Kamrani", 4}, {"رشتی", "Rashti", 4},
};

static const struct wname fam_base[] = {
	{"حسین", "Hossein", 20}, {"علی", "Ali", 18}, {"محمد", "Mohammad", 18}, {"حسن", "Hassan", 15},
	{"رضا", "Reza", 12}, {"احمد", "Ahmad", 12}, {"قلی", "Gholi", 10}, {"کریم", "Karim", 8},
	{"جعفر", "Jafar", 8}, {"رحیم", "Rahim", 8}, {"قاسم", "Ghasem", 7}, {"عباس", "Abbas", 7},
	{"اکبر", "Akbar", 6}, {"ابراهیم", "Ebrahim", 6}, {"یوسف", "Yousef", 6}, {"صادق", "Sadegh", 5},
	{"ملک", "Malek", 5}, {"ولی", "Vali", 5}, {"تقی", "Taghi", 5}, {"نقی", "Naghi", 4},
	{"باقر", "Bagher", 4}, {"کاظم", "Kazem", 4}, {"مهدی", "Mahdi", 4}, {"بهرام", "Bahram", 4},
	{"نصر", "Nasr", 3}, {"شاه", "Shah", 3}, {"فرج", "Faraj", 3}, {"نور", "Nour", 3},
	{"امیر", "Amir", 3}, {"خلیل", "Khalil", 3}, {"جمال", "Jamal", 3}, {"حیدر", "Heidar", 3},
	{"غلام", "Gholam", 3}, {"رسول", "Rasoul", 3}, {"زمان", "Zaman", 2}, {"یزدان", "Yazdan", 2},
};

/* Family-name endings. */
static const struct wname fam_suffix[] = {
	{"زاده", "zadeh", 30}, {"پور", "pour", 25}, {"ی", "i", 20}, {"نژاد", "nejad", 10}, {"فر", "far", 6},
	{"نیا", "nia", 5}, {"یان", "ian", 5}, {"لو", "lou", 5}, {"وند", "vand", 5}, {"کیا", "kia", 3},
};

static const struct wname place_a[] = {
	{"حسن", "Hasan", 12}, {"علی", "Ali", 10}, {"محمود", "Mahmoud", 6}, {"شاه", "Shah", 8}, {"نور", "Nour", 6},
	{"خرم", "Khorram", 5}, {"مهر", "Mehr", 5}, {"دولت", "Dowlat", 5}, {"فیروز", "Firouz", 5},
	{"کمال", "Kamal", 4}, {"نصر", "Nasr", 4}, {"ملک", "Malek", 4}, {"گل", "Gol", 6}, {"سرخ", "Sorkh", 4},
	{"سبز", "Sabz", 4}, {"قره", "Ghareh", 5}, {"آق", "Agh", 4}, {"سیاه", "Siah", 4}, {"امیر", "Amir", 5},
	{"کریم", "Karim", 4}, {"زین", "Zein", 3}, {"نجف", "Najaf", 4}, {"اسلام", "Eslam", 4}, {"حاجی", "Haji", 5},
	{"قاسم", "Ghasem", 4}, {"رحیم", "Rahim", 4}, {"مراد", "Morad", 4}, {"باغ", "Bagh", 4}, {"کوه", "Kouh", 3},
	{"سنگ", "Sang", 4}, {"آب", "Ab", 3}, {"نو", "Now", 4}, {"بید", "Bid", 3}, {"انار", "Anar", 3},
	{"گندم", "Gandom", 2}, {"چنار", "Chenar", 3}, {"زرد", "Zard", 3}, {"شیر", "Shir", 3}, {"مهدی", "Mahdi", 3},
};

static const struct wname place_b[] = {
	{"آباد", "abad", 40}, {"شهر", "shahr", 8}, {"دشت", "dasht", 10}, {"رود", "roud", 10}, {"کوه", "kouh", 6},
	{"کند", "kand", 6}, {"بلاغ", "bolagh", 5}, {"سرا", "sara", 4}, {"ده", "deh", 5}, {"زار", "zar", 5},
	{"چشمه", "cheshmeh", 4}, {"باغ", "bagh", 4}, {"لو", "lou", 4}, {"ستان", "stan", 3}, {"دره", "darreh", 3},
};

static const struct wname honour[] = {
	{"فردوسی", "Ferdowsi", 10}, {"سعدی", "Saadi", 9}, {"حافظ", "Hafez", 9}, {"مولوی", "Molavi", 6},
	{"پروین اعتصامی", "Parvin Etesami", 7}, {"خیام", "Khayyam", 6}, {"ابن سینا", "Ebn-e Sina", 7},
	{"رازی", "Razi", 5}, {"شهریار", "Shahriar", 6}, {"نظامی", "Nezami", 5}, {"عطار", "Attar", 4},
	{"فارابی", "Farabi", 4}, {"امید", "Omid", 6}, {"دانش", "Danesh", 7}, {"فرهنگ", "Farhang", 6},
	{"آزادی", "Azadi", 5}, {"نور", "Nour", 5}, {"بهار", "Bahar", 5}, {"اندیشه", "Andisheh", 5},
	{"کوثر", "Kosar", 4}, {"معلم", "Moallem", 4}, {"پیام", "Payam", 4}, {"شهید بهشتی", "Shahid Beheshti", 6},
	{"شهید رجایی", "Shahid Rajaei", 6}, {"شهید چمران", "Shahid Chamran", 5}, {"امام علی", "Imam Ali", 5},
	{"فاطمیه", "Fatemiyeh", 5}, {"نرجس", "Narjes", 4}, {"سپیده", "Sepideh", 4}, {"مهر", "Mehr", 4},
};

bool joins_next(const char *s)
{
	static const uint32_t stop[] = {0x627, 0x622, 0x62F, 0x630, 0x631, 0x632, 0x698, 0x648, ' '};
	uint32_t cp = 0;
	size_t n = strlen(s);

	if (!n)
		return false;
	while (n > 0 && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
		n--;
	utf8_next(s + n - 1, &cp);
	for (size_t i = 0; i < COUNT(stop); i++)
		if (cp == stop[i])
			return false;
	return true;
}

static bool starts_alef(const char *s)
{
	return strncmp(s, "ا", 2) == 0 || strncmp(s, "آ", 2) == 0;
}

static bool ends_heh(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && strcmp(s + n - 2, "ه") == 0;
}

/* Joins two parts of a Persian compound the way people write them: after
 * a letter that joins, a ZWNJ where the parts must stay apart (before an
 * alef, after a silent heh, or when the second part is a word of its own
 * such as زاده); otherwise written together. Some write a space instead. */
static void join_fa(struct rng *r, struct name *out, const struct wname *a, const struct wname *b, int space_pct,
		    bool word)
{
	struct name x, y;
	bool apart = joins_next(a->s) && (word || starts_alef(b->s) || ends_heh(a->s));

	name_set(&x, a->s, a->latin);
	name_set(&y, b->s, b->latin);
	if ((int)rng_below(r, 100) < space_pct)
		name_join(out, &x, &y, " ", " ");
	else
		name_join(out, &x, &y, apart ? ZWNJ : "", "");
}

/* Family-name endings that are words of their own. */
static bool stands_apart(const char *suffix)
{
	static const char *const apart[] = {"زاده", "پور", "نژاد", "نیا", "کیا", "فر"};

	for (size_t i = 0; i < COUNT(apart); i++)
		if (strcmp(suffix, apart[i]) == 0)
			return true;
	return false;
}

static void given_ir(const struct demo *d, struct rng *r, int sex, struct name *out)
{
	const struct wname *a, *b;

	if (sex == SEX_M && rng_chance(r, 0.18)) {
		a = PICK(r, compound_first_m);
		do
			b = PICK(r, compound);
		while (strcmp(a->s, b->s) == 0);
		join_fa(r, out, a, b, 15, false);
		return;
	}
	if (sex == SEX_F && rng_chance(r, 0.08)) {
		a = PICK(r, compound_first_f);
		b = PICK(r, compound_second_f);
		join_fa(r, out, a, b, 25, false);
		return;
	}
	a = wlist_pick(&d->lists[sex == SEX_M ? NL_MALE : NL_FEMALE], r);
	name_set(out, a->s, a->latin);
}

static void family_ir(const struct demo *d, struct rng *r, struct name *m, struct name *f)
{
	static const struct wname yi = {"یی", "ei", 1};
	const struct wname *a, *b;
	size_t n;

	if (rng_chance(r, 0.62)) {
		a = wlist_pick(&d->lists[NL_FAMILY], r);
		name_set(m, a->s, a->latin);
	} else {
		a = wlist_pick(&d->lists[NL_FAM_BASE], r);
		b = wlist_pick(&d->lists[NL_FAM_SUFFIX], r);
		n = strlen(a->s);
		if (strcmp(b->s, "ی") == 0 && n >= 2 && strcmp(a->s + n - 2, "ا") == 0)
			b = &yi; /* رضا + ی = رضایی */
		if (stands_apart(b->s)) {
			join_fa(r, m, a, b, 8, rng_chance(r, 0.85));
		} else {
			join_fa(r, m, a, b, 0, false);
			m->cut = 0; /* حسینیان is one word: no joint to write otherwise */
		}
	}
	*f = *m;
}

static void patronym_ir(const struct name *given, const struct name *family, int sex, struct name *out)
{
	(void)family;
	(void)sex;
	*out = *given;
}

static void place_ir(const struct demo *d, struct rng *r, int level, bool urban, struct name *out)
{
	const struct wname *a = wlist_pick(&d->lists[NL_PLACE_A], r), *b = wlist_pick(&d->lists[NL_PLACE_B], r);
	struct name base, t;
	int k = (int)rng_below(r, 100);

	join_fa(r, &base, a, b, 0, false);
	if (level == 2 || urban || k < 60) {
		*out = base;
	} else if (k < 75) {
		name_set(&t, "قلعه", "Ghaleh");
		name_set(out, a->s, a->latin);
		name_join(out, &t, out, " ", " ");
	} else if (k < 85) {
		name_set(&t, "ده", "Deh");
		name_set(out, a->s, a->latin);
		name_join(out, &t, out, " ", " ");
	} else {
		name_set(&t, k < 93 ? "علیا" : "سفلی", k < 93 ? "Olya" : "Sofla");
		name_join(out, &base, &t, " ", " ");
	}
	out->cut = 0;
	out->cutlen = 0;
}

static void school_name_ir(const struct demo *d, struct rng *r, int levels, int kind, const struct name *village,
			   struct name *out)
{
	const struct wname *h = wlist_pick(&d->lists[NL_HONOUR], r);
	const char *pre;

	if (kind & KIND_NOMADIC)
		pre = "دبستان عشایری";
	else if (kind & KIND_BOARDING)
		pre = "مدرسه شبانه‌روزی";
	else if (levels == LVL_ALL || (levels & LVL_PRIMARY && levels != LVL_PRIMARY))
		pre = "مجتمع آموزشی";
	else if (levels == LVL_PRIMARY)
		pre = "دبستان";
	else if (levels & LVL_UPPER)
		pre = rng_chance(r, 0.15) ? "هنرستان" : "دبیرستان دوره دوم";
	else
		pre = "دبیرستان دوره اول";
	name_fmt(out, "%s %s", pre, rng_chance(r, 0.2) ? village->s : h->s);
}

static void to_latin(struct rng *r, struct name *n)
{
	if (!n->latin[0])
		return;
	memcpy(n->s, n->latin, sizeof n->s);
	n->cut = n->cutlen = 0;
	if (rng_chance(r, 0.25))
		replace_all(n->s, "mm", "m");
	if (rng_chance(r, 0.2))
		replace_all(n->s, "ou", "u");
	if (rng_chance(r, 0.15))
		replace_all(n->s, "ei", "ey");
}

static void variant_ir(const struct demo *d, struct rng *r, struct name *g, struct name *f, struct name *p)
{
	struct name *all[3] = {g, f, p};
	static const char *const joiners[] = {"", ZWNJ, " "};

	(void)d;
	if (rng_chance(r, 0.04)) {
		for (int i = 0; i < 3; i++)
			to_latin(r, all[i]);
		return;
	}
	for (int i = 0; i < 3; i++)
		if (all[i]->cut && rng_chance(r, 0.15))
			rejoin(all[i], joiners[rng_below(r, 3)]);
	if (rng_chance(r, 0.08))
		for (int i = 0; i < 3; i++) {
			replace_all(all[i]->s, "ی", "ي");
			replace_all(all[i]->s, "ک", "ك");
		}
}

/* The Iranian national code: nine digits and a check digit. The nine are
 * a bijection of the run's counter, so no two people share one. */
static void national_id_ir(struct demo *d, int p, int sex, int32_t birth, char out[24])
{
	uint64_t x = (d->nid_count++ * 387420489ULL + 618033988ULL) % 1000000000ULL;
	int sum = 0, rem;

	(void)p;
	(void)sex;
	(void)birth;
	for (int i = 8; i >= 0; i--) {
		out[i] = (char)('0' + x % 10);
		x /= 10;
	}
	for (int i = 0; i < 9; i++)
		sum += (out[i] - '0') * (10 - i);
	rem = sum % 11;
	out[9] = (char)('0' + (rem < 2 ? rem : 11 - rem));
	out[10] = '\0';
}

const struct culture demo_ir = {
	.code = "ir",
	.cc = "IR",
	.lang = "fa",
	.name = "ایران",
	.latin = "Iran",
	.prov = prov,
	.nprov = (int)COUNT(prov),
	.demo_prov = 1,
	.max_grade = 12,
	.primary_last = 6,
	.lower_last = 9,
	.start_month = 9,
	.start_day = 23,
	.combined_pct = 4,
	.boarding_pct = 4,
	.female_teachers_pct = 58,
	.nid_school_pct = 88,
	.nid_register_pct = 97,
	.grade_word = "پایه ",
	.alphabet = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی",
	.lists = {male, female, families, fam_base, fam_suffix, NULL, NULL, compound, place_a, place_b, honour},
	.nlist = {COUNT(male), COUNT(female), COUNT(families), COUNT(fam_base), COUNT(fam_suffix), 0, 0,
		  COUNT(compound), COUNT(place_a), COUNT(place_b), COUNT(honour)},
	.given = given_ir,
	.family = family_ir,
	.patronym = patronym_ir,
	.place = place_ir,
	.school_name = school_name_ir,
	.variant = variant_ir,
	.national_id = national_id_ir,
};
