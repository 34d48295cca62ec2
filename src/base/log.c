#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/banned.h"

#define LOG_LINE_MAX 8192

static struct {
	pthread_mutex_t lock;
	int fd;
	enum log_level min;
	char path[1024];
} lg = {PTHREAD_MUTEX_INITIALIZER, 2, LOG_INFO, ""};

static const char *level_names[] = {"debug", "info", "warn", "error"};

int log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

int log_open(const char *path, enum log_level min)
{
	int fd = 2;

	if (path && *path && strcmp(path, "-") != 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (fd < 0)
			return -1;
	}
	pthread_mutex_lock(&lg.lock);
	if (lg.fd > 2)
		close(lg.fd);
	lg.fd = fd;
	lg.min = min;
	snprintf(lg.path, sizeof lg.path, "%s", fd > 2 ? path : "");
	pthread_mutex_unlock(&lg.lock);
	return 0;
}

/* The new file takes the old one's descriptor number (dup2), so threads
 * writing lines meanwhile never see a closed or reused descriptor and need
 * no lock: each line is one write(2) to a file opened O_APPEND. */
int log_reopen(void)
{
	int fd, rc = 0;

	pthread_mutex_lock(&lg.lock);
	if (lg.path[0]) {
		fd = open(lg.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (fd < 0 || dup3(fd, lg.fd, O_CLOEXEC) < 0)
			rc = -1;
		if (fd >= 0)
			close(fd);
	}
	pthread_mutex_unlock(&lg.lock);
	return rc;
}

static void emit(enum log_level lv, const char *req_id, const char *event,
		 const char *msg, const char *fields)
{
	char ts[32];
	struct buf b;
	struct jw w;

	if (lv < lg.min)
		return;
	time_now_iso(ts);
	buf_init(&b, LOG_LINE_MAX);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "ts", ts);
	jw_kstr(&w, "level", level_names[lv]);
	if (req_id)
		jw_kstr(&w, "req", req_id);
	if (event)
		jw_kstr(&w, "event", event);
	if (msg)
		jw_kstr(&w, "msg", msg);
	if (fields) {
		buf_addc(&b, ',');
		buf_puts(&b, fields);
	}
	jw_end(&w);
	if (b.err) { /* too long: keep what says what happened */
		buf_reset(&b);
		buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"log line too long\"}", ts,
			   level_names[lv]);
	}
	buf_addc(&b, '\n');
	if (write(lg.fd, b.p, b.len) < 0)
		(void)errno; /* nowhere left to report it */
	buf_release(&b);
}

void log_msg(enum log_level lv, const char *req_id, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (lv < lg.min)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	emit(lv, req_id, NULL, msg, NULL);
}

void log_fields(enum log_level lv, const char *req_id, const char *event,
		const char *json_fields)
{
	emit(lv, req_id, event, NULL, json_fields);
}
