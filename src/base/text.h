/*
 * text.h — names and free text: search forms, transliteration, a phonetic
 * skeleton, and the check a name must pass at the edge. Built on ICU.
 *
 * Every function here is pure and thread-safe. Input is UTF-8 of explicit
 * length (it need not be NUL-terminated); input that is not well-formed
 * UTF-8 gives ERR_INVALID and adds nothing. Results are APPENDED to out (so
 * callers can build keys of several fields); when out's maximum is reached
 * the call returns ERR_LIMIT and out keeps its sticky error. Running out of
 * memory aborts (xmalloc). ERR_INTERNAL means ICU failed, which is a bug.
 *
 * The forms, from most to least faithful:
 *
 *   text_fold_keep_tones  "Nguyễn Đặng" → "nguyễn đặng"
 *   text_fold             "Nguyễn Đặng" → "nguyen dang"
 *   text_fold_compact     "Nguyễn Đặng" → "nguyendang"
 *   text_latin            "محمدرضا کریمی" → "mhmdrza krimi"
 *   text_skeleton         "محمدرضا" and "Muhammadrizā" → "mhmdrz"
 *
 * The two fold forms apply, in order:
 *  - NFKC with full case folding (ICU's NFKC_Casefold, taken decomposed),
 *    which also removes default-ignorable characters: ZWNJ, ZWJ, soft
 *    hyphen, bidi marks, BOM. So "محمد‌رضا" (with ZWNJ) folds to "محمدرضا".
 *  - Arabic script written the Persian way: ي ى ئ → ی, ك → ک, ة ۀ → ه,
 *    أ إ آ ٱ → ا, ؤ → و; harakat (U+064B–065F, U+0670), Quranic marks and
 *    tatweel (U+0640) removed.
 *  - Every decimal digit (Persian, Arabic-Indic, any other) → ASCII.
 *  - Dotted and dotless i are deliberately merged: İ, I, ı and i all give
 *    "i". Azerbaijani and Turkish distinguish them, but a name typed in
 *    capitals ("ISMAYILOV") has already lost the difference, and search
 *    must find "İsmayılov" from it.
 *  - Letters and digits are kept, other format characters dropped, and
 *    everything else (punctuation, symbols, control characters, any kind of
 *    space) becomes a single space; leading and trailing spaces go.
 * text_fold then removes Latin diacritics (every combining mark in
 * U+0300–036F, so Vietnamese tones and Azerbaijani ş ç ğ ö ü go) and maps
 * the letters that do not decompose: đ ð → d, ə → e, ł → l, ø → o, ħ → h.
 * text_fold_keep_tones keeps them (the result is NFC).
 */
#ifndef BASE_TEXT_H
#define BASE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* The longest name text_valid_name accepts, in characters (code points). */
#define TEXT_NAME_MAX 200

/*
 * The search form of a name or text, as described above: "  Đặng-Văn
 * ISMAYILOV " → "dang van ismayilov". Spaces between words are kept (one
 * each). Returns OK, ERR_INVALID (not UTF-8), ERR_LIMIT (out is full), or
 * ERR_INTERNAL.
 */
enum err text_fold(const char *s, size_t n, struct buf *out);

/*
 * text_fold with every separator removed as well (spaces, hyphens,
 * apostrophes, all punctuation), so that "محمدرضا", "محمد رضا",
 * "محمد‌رضا" and "محمد-رضا" are all "محمدرضا". Same results as text_fold.
 */
enum err text_fold_compact(const char *s, size_t n, struct buf *out);

/*
 * The tone-preserving form: text_fold without removing Latin diacritics,
 * so "Nguyễn" and "Nguyên" differ while "NGUYỄN" and NFD "Nguyễn" are
 * equal; đ stays đ and ə stays ə. Same results as text_fold.
 */
enum err text_fold_keep_tones(const char *s, size_t n, struct buf *out);

/*
 * A Latin (ASCII) transliteration of any script, folded as text_fold does:
 * "Иванов" → "ivanov", "Nguyễn" → "nguyen". Arabic-script text is
 * transliterated the Persian way (ICU's Arabic-Latin reads ض as "d" and
 * ث as "th"): ث ص س → s, ذ ز ض ظ → z, ژ → zh, ق غ → gh, خ → kh, چ → ch,
 * ش → sh, و → v at the start of a word or after ا and u elsewhere, ی → y
 * at the start or after ا or و and i elsewhere, a word-initial ع
 * → a and ع ء elsewhere dropped. Persian script does not write short
 * vowels, so "محمد" gives "mhmd": compare such forms with text_skeleton.
 * Other scripts go through ICU's "Any-Latin; Latin-ASCII", which is slow
 * (tens of microseconds a name, far more for Han) where everything else
 * here takes well under one. Same results as text_fold.
 */
enum err text_latin(const char *s, size_t n, struct buf *out);

/*
 * A phonetic consonant skeleton (lower-case ASCII) under which a name
 * written in Persian script meets its usual Latin transliterations, and
 * Azerbaijani names meet their Russian-era and ASCII spellings:
 *   "محمدرضا", "Mohammadreza", "Mohamadreza", "Muhammadrizā"  → "mhmdrz"
 *   "کریمی", "Karimi", "Karimy"                              → "krm"
 *   "حسینی", "Hosseini", "Hoseyni", "Husaini"                 → "hsn"
 *   "Əliyev", "Aliyev", "Eliyev"                              → "alv"
 * The text is folded (text_fold) and, where it is neither ASCII nor Arabic
 * script, transliterated to ASCII first. The whole text is then one word:
 * spaces, ZWNJ and hyphens are ignored, so "Mohammad Reza" meets
 * "محمدرضا"; call this once per token for per-token keys. Rules:
 *  1. Letters and digraphs map to classes:
 *       k  k q g gh ck       ک گ ق غ     (Azerbaijani ğ and q are here)
 *       j  j c ch dzh        ج چ         (Azerbaijani c and ç are here)
 *       s  s sh ş, th at a word's start  س ص ث ش
 *       z  z zh, dh at a word's start    ز ذ ض ظ ژ
 *       x  kh x              خ
 *       h  h                 ح ه
 *       f  f ph              ف
 *       t d b p l m n r      ت ط  د  ب  پ  ل  م  ن  ر
 *     "th" and "dh" are digraphs only where a word starts ("Thurayya",
 *     "Dhabih"): inside a word they are usually two sounds of a joined
 *     compound ("Fathollah", "Mohammadhadi").
 *  2. Vowels are a e i o u, y, w, v, and ا و ی ع ء. Only the first letter
 *     of the text keeps a vowel, and every initial vowel is written "a"
 *     ("Omid", "Ebrahim", "امید", "علی" all start with "a"); an initial y
 *     or ی stays "y" and an initial v, w or و is "v". Elsewhere vowels are
 *     dropped: y and ی are vowels inside a name as in "Karimy"; v, w and
 *     و are, because Persian و is usually a vowel ("یوسف" Yusef, "داوود"
 *     Davood) — except that a final Latin v stays, for the Azerbaijani and
 *     Russian surname endings (-ov, -ev, -yev).
 *  3. A final h (ه, ح or h) is dropped: "Fatemeh" = "فاطمه", "Abdollah" =
 *     "عبدالله".
 *  4. Letters that repeat after vowels are dropped are written once:
 *     "Mohammad" and "محمد" both give "mhmd".
 * Digits are kept as they are (repeats too). The skeleton is a blocking and comparison key, not an
 * identity: unrelated names can share one. Same results as text_fold.
 */
enum err text_skeleton(const char *s, size_t n, struct buf *out);

/*
 * Checks a person's name as typed: valid UTF-8, not empty once leading and
 * trailing spaces are trimmed, no control characters (C0, C1, line and
 * paragraph separators, bidi embedding, override and isolate controls —
 * ZWNJ and ZWJ are allowed, Persian needs them), and at most
 * TEXT_NAME_MAX characters. Returns OK, or ERR_INVALID with a message in
 * ei (field left empty for the caller to name).
 */
enum err text_valid_name(const char *s, size_t n, struct errinfo *ei);

/*
 * Frees what the calling thread cached for transliteration (an ICU
 * transliterator, opened on first use of text_latin or text_skeleton on
 * a script that needs it). Threads that end free it themselves; call this
 * from the main thread before exit to leave nothing for a leak checker.
 */
void text_thread_release(void);

#endif
