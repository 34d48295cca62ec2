/*
 * err.h — the one error type.
 *
 * Every function that can fail for a reason a person must hear about returns
 * an enum err and, where there is something to say, fills a struct errinfo
 * with a message (already translated into the reader's language) and the
 * name of the input field at fault. Running out of memory is not an error
 * value: xmalloc aborts. Impossible states are BUG().
 */
#ifndef BASE_ERR_H
#define BASE_ERR_H

#include <stddef.h>

enum err {
	OK = 0,
	ERR_INVALID,    /* the input is wrong: 400 */
	ERR_AUTH,       /* who you are is unknown or wrong: 401 */
	ERR_DENIED,     /* you may not: 403 */
	ERR_NOTFOUND,   /* no such thing (or not yours to know of): 404 */
	ERR_EXISTS,     /* already there: 409 */
	ERR_CONFLICT,   /* changed under you: 409 */
	ERR_LIMIT,      /* too large: 413 */
	ERR_THROTTLED,  /* too many attempts: 429 */
	ERR_BUSY,       /* the store is locked; try again: 503 */
	ERR_IO,         /* a file or the network failed */
	ERR_STORE,      /* the store failed */
	ERR_INTERNAL,   /* a bug on our side */
	ERR__COUNT
};

#define ERRINFO_MSG_MAX 512
#define ERRINFO_FIELD_MAX 64

struct errinfo {
	enum err code;
	char field[ERRINFO_FIELD_MAX];
	char msg[ERRINFO_MSG_MAX];
};

/* The stable machine name of an error ("invalid", "not_found", ...). */
const char *err_name(enum err e);

/* The HTTP status that answers an error. */
int err_status(enum err e);

/*
 * Records an error and returns it, so callers write
 *     return err_set(ei, ERR_INVALID, "login", "...%s", x);
 * ei may be NULL (the message is dropped); field may be NULL. The first
 * error recorded sticks: a later call keeps the earlier message.
 */
enum err err_set(struct errinfo *ei, enum err code, const char *field,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Forgets a recorded error. */
void err_clear(struct errinfo *ei);

/* Reports an impossible state and aborts. */
#define BUG(msg) bug_at(__FILE__, __LINE__, (msg))
_Noreturn void bug_at(const char *file, int line, const char *msg);

#endif
