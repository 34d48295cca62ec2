/*
 * conf.h — settings. Each has a name, a type, bounds and a default, in one
 * table. Where a setting is given more than once, a command-line flag wins
 * over the environment (REACH_NAME, upper case), which wins over
 * reach.conf in the data directory (lines "name = value", # comments).
 *
 * After start-up the struct conf is read-only.
 */
#ifndef BASE_CONF_H
#define BASE_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

#define CONF_STR_MAX 512

struct conf {
	char data[CONF_STR_MAX];      /* the data directory */
	char listen[CONF_STR_MAX];    /* HOST:PORT */
	int64_t threads;              /* 0: one per core */
	char log[CONF_STR_MAX];       /* file, or "-" for standard error */
	char log_level[16];
	int64_t max_header;           /* bytes of request line plus headers */
	int64_t max_body;             /* bytes of a JSON or form body */
	int64_t max_upload;           /* bytes of an upload */
	int64_t conn_timeout;         /* seconds a connection may sit idle */
	int64_t per_ip_connections;   /* open connections from one address */
	int64_t session_idle;         /* seconds */
	int64_t session_absolute;     /* seconds */
	bool secure_cookies;          /* mark cookies Secure (served over TLS) */
	bool trust_proxy;             /* take the client address from X-Forwarded-For */
	int64_t login_window;         /* seconds over which failures count */
	int64_t login_account_limit;  /* failures per account per window */
	int64_t login_ip_limit;       /* failures per address per window */
	int64_t job_workers;          /* background job threads */
	int64_t password_memlimit;    /* Argon2id memory, bytes */
	int64_t password_opslimit;    /* Argon2id passes */
};

/* Fills c with the defaults. */
void conf_defaults(struct conf *c);

/* Sets one setting by name from text. ERR_NOTFOUND for an unknown name,
 * ERR_INVALID for a value of the wrong type or out of bounds. */
enum err conf_set(struct conf *c, const char *name, const char *value, struct errinfo *ei);

/* Reads DIR/reach.conf if it exists (no file is not an error). */
enum err conf_load_file(struct conf *c, const char *dir, struct errinfo *ei);

/* Applies REACH_* environment variables. */
enum err conf_load_env(struct conf *c, struct errinfo *ei);

/* Prints each setting with its help text (for --help). */
void conf_usage(void);

/* Parses a whole decimal integer in [min, max]; the strtonum of OpenBSD. */
enum err conf_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
