#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/id.h"
#include "base/timeutil.h"
#include "base/banned.h"

int id_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void id_new(char out[ID_LEN])
{
	unsigned char b[16];
	uint64_t ms = (uint64_t)time_now_ms();

	randombytes_buf(b + 6, 10);
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | (b[6] & 0x0F)); /* version 7 */
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3F)); /* RFC 9562 variant */
	snprintf(out, ID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
		 b[11], b[12], b[13], b[14], b[15]);
}

bool id_valid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return s[36] == '\0';
}

void secret_new(char out[SECRET_TEXT_LEN])
{
	unsigned char b[SECRET_BYTES];

	randombytes_buf(b, sizeof b);
	sodium_bin2base64(out, SECRET_TEXT_LEN, b, sizeof b,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(b, sizeof b);
}

void secret_hash(const char *secret, size_t n, char out[SECRET_HASH_LEN])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof h, (const unsigned char *)secret, n, NULL, 0);
	sodium_bin2hex(out, SECRET_HASH_LEN, h, sizeof h);
}

bool secret_eq(const char *a, const char *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}
