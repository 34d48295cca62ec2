/*
 * id.h — public record ids: time-ordered 128-bit UUIDv7 written as text
 * (36 characters), unique across every Reach instance, so an offline school
 * node can create records and sync them to the hub without collisions.
 * Also random secrets (session and API tokens) and their stored hashes.
 */
#ifndef BASE_ID_H
#define BASE_ID_H

#include <stdbool.h>
#include <stddef.h>

#define ID_LEN 37           /* 36 characters and the NUL */
#define SECRET_BYTES 32     /* 256-bit tokens */
#define SECRET_TEXT_LEN 44  /* base64url of 32 bytes, no padding, plus NUL */
#define SECRET_HASH_LEN 65  /* hex of a 32-byte BLAKE2b digest, plus NUL */

/* Must be called once before any other function here (initialises
 * libsodium). Returns 0, or -1 when no randomness can be had. */
int id_init(void);

void id_new(char out[ID_LEN]);

/* True when s is a well-formed UUID in lower-case text form. */
bool id_valid(const char *s);

/* A fresh random 256-bit secret as base64url text. */
void secret_new(char out[SECRET_TEXT_LEN]);

/* The hash Reach stores in place of a secret (hex BLAKE2b-256). */
void secret_hash(const char *secret, size_t n, char out[SECRET_HASH_LEN]);

/* Compares two equal-length strings in constant time. */
bool secret_eq(const char *a, const char *b, size_t n);

#endif
