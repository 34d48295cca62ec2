/*
 * utf8.h — checks text at the edge. Reach stores only valid UTF-8.
 */
#ifndef BASE_UTF8_H
#define BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code point past U+10FFFF). Otherwise false, with *bad (if not NULL) set
 * to the offset of the first byte that is wrong. */
bool utf8_valid(const char *s, size_t n, size_t *bad);

/* The number of code points in valid UTF-8 text. */
size_t utf8_len(const char *s, size_t n);

#endif
