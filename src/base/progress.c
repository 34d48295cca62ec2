#include <unistd.h>

#include "base/progress.h"
#include "base/timeutil.h"
#include "base/banned.h"

#define BAR_WIDTH 30

void progress_init(struct progress *p, FILE *out, const char *label)
{
	p->out = out;
	p->label = label;
	p->tty = isatty(fileno(out));
	p->last_ms = 0;
	p->last_pct = -1;
}

void progress_update(struct progress *p, int64_t done, int64_t total)
{
	int pct = total > 0 ? (int)(done * 100 / total) : 0;
	int64_t now = time_now_ms();
	char bar[BAR_WIDTH + 1];

	if (pct == p->last_pct)
		return;
	if (!p->tty && now - p->last_ms < PROGRESS_LINE_MS && pct < 100)
		return;
	p->last_pct = pct;
	p->last_ms = now;
	if (!p->tty) {
		fprintf(p->out, "%s: %d%% (%lld/%lld)\n", p->label, pct, (long long)done, (long long)total);
		fflush(p->out);
		return;
	}
	for (int i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < pct * BAR_WIDTH / 100 ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	fprintf(p->out, "\r%s [%s] %3d%%", p->label, bar, pct);
	fflush(p->out);
}

void progress_finish(struct progress *p, const char *message)
{
	if (p->tty)
		fputs("\r\033[K", p->out);
	fprintf(p->out, "%s: %s\n", p->label, message);
	fflush(p->out);
}
