#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/conf.h"
#include "base/banned.h"

enum ctype { C_STR, C_INT, C_BOOL };

static const struct setting {
	const char *name;
	enum ctype type;
	size_t off, size;
	int64_t min, max;
	const char *def;
	const char *help;
} settings[] = {
#define S(n, t, lo, hi, d, h) {#n, t, offsetof(struct conf, n), sizeof(((struct conf *)0)->n), lo, hi, d, h}
	S(listen, C_STR, 0, 0, "127.0.0.1:8080", "address and port to serve on"),
	S(threads, C_INT, 0, 256, "0", "HTTP threads (0: one per core)"),
	S(log, C_STR, 0, 0, "-", "log file, or - for standard error"),
	S(log_level, C_STR, 0, 0, "info", "debug, info, warn or error"),
	S(max_header, C_INT, 1024, 1 << 20, "16384", "largest request line plus headers, bytes"),
	S(max_body, C_INT, 1024, 64 << 20, "1048576", "largest JSON or form body, bytes"),
	S(max_upload, C_INT, 1024, (int64_t)16 << 30, "268435456", "largest upload, bytes"),
	S(conn_timeout, C_INT, 1, 3600, "30", "seconds an idle connection is kept"),
	S(per_ip_connections, C_INT, 0, 1000000, "512", "open connections from one address (0: no limit)"),
	S(session_idle, C_INT, 60, 30 * 86400, "7200", "seconds a session lives unused"),
	S(session_absolute, C_INT, 60, 365 * 86400, "43200", "seconds a session lives at most"),
	S(secure_cookies, C_BOOL, 0, 1, "false", "mark cookies Secure (when served over TLS)"),
	S(trust_proxy, C_BOOL, 0, 1, "false", "take client addresses from X-Forwarded-For"),
	S(login_window, C_INT, 1, 86400, "900", "seconds over which failed logins count"),
	S(login_account_limit, C_INT, 1, 1000000, "10", "failed logins per account per window"),
	S(login_ip_limit, C_INT, 1, 100000000, "500", "failed logins per address per window"),
	S(job_workers, C_INT, 0, 64, "1", "background job threads"),
	S(password_memlimit, C_INT, 8192, (int64_t)4 << 30, "67108864", "Argon2id memory per hash, bytes"),
	S(password_opslimit, C_INT, 1, 100, "2", "Argon2id passes"),
#undef S
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

enum err conf_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || isspace((unsigned char)*s))
		return ERR_INVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return ERR_INVALID;
	*out = v;
	return OK;
}

static const struct setting *find(const char *name)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

enum err conf_set(struct conf *c, const char *name, const char *value, struct errinfo *ei)
{
	const struct setting *s = find(name);
	char *at;

	if (!s)
		return err_set(ei, ERR_NOTFOUND, name, "unknown setting '%s'", name);
	at = (char *)c + s->off;
	switch (s->type) {
	case C_STR:
		if (strlen(value) >= s->size)
			return err_set(ei, ERR_INVALID, name, "%s: value too long", name);
		memcpy(at, value, strlen(value) + 1);
		return OK;
	case C_INT:
		if (conf_parse_int(value, s->min, s->max, (int64_t *)(void *)at) != OK)
			return err_set(ei, ERR_INVALID, name, "%s: '%s' is not a whole number from %lld to %lld",
				       name, value, (long long)s->min, (long long)s->max);
		return OK;
	case C_BOOL:
		if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1"))
			*(bool *)(void *)at = true;
		else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0"))
			*(bool *)(void *)at = false;
		else
			return err_set(ei, ERR_INVALID, name, "%s: '%s' is not true or false", name, value);
		return OK;
	}
	return ERR_INTERNAL;
}

void conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < NSETTINGS; i++)
		if (conf_set(c, settings[i].name, settings[i].def, NULL) != OK)
			BUG("bad default setting");
}

static char *trim(char *s)
{
	char *e;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

enum err conf_load_file(struct conf *c, const char *dir, struct errinfo *ei)
{
	char path[CONF_STR_MAX + 16], line[2048];
	FILE *f;
	int lineno = 0;
	enum err rc = OK;

	snprintf(path, sizeof path, "%s/reach.conf", dir);
	if (!(f = fopen(path, "r")))
		return errno == ENOENT ? OK : err_set(ei, ERR_IO, NULL, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f)) {
		char *eq, *k, *v, *hash = strchr(line, '#');
		lineno++;
		if (hash)
			*hash = '\0';
		k = trim(line);
		if (!*k)
			continue;
		if (!(eq = strchr(k, '='))) {
			rc = err_set(ei, ERR_INVALID, NULL, "%s:%d: expected 'name = value'", path, lineno);
			break;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		struct errinfo e2 = {0};
		if (conf_set(c, k, v, &e2) != OK) {
			rc = err_set(ei, ERR_INVALID, k, "%s:%d: %s", path, lineno, e2.msg);
			break;
		}
	}
	fclose(f);
	return rc;
}

enum err conf_load_env(struct conf *c, struct errinfo *ei)
{
	char var[64];
	const char *v;
	enum err rc;

	for (size_t i = 0; i < NSETTINGS; i++) {
		size_t k;
		snprintf(var, sizeof var, "REACH_%s", settings[i].name);
		for (k = 6; var[k]; k++)
			var[k] = (char)toupper((unsigned char)var[k]);
		if (!(v = getenv(var)))
			continue;
		if ((rc = conf_set(c, settings[i].name, v, ei)) != OK)
			return rc;
	}
	return OK;
}

void conf_usage(void)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		printf("  --%-22s %s (default %s)\n", settings[i].name, settings[i].help, settings[i].def);
}
