/*
 * writer.c — a thread that writes the demo's full buffers to their files,
 * so that making rows and copying them into the kernel run on two cores.
 *
 * The generator hands over a full buffer and gets an empty one back
 * from a small pool (it waits only when the writer is WRITER_SPARES
 * buffers behind). Jobs are written in the order they were handed over,
 * so each file's bytes are in the order they were made. A write error is
 * kept in the job's struct out (werr), read after writer_drain.
 */
#include <pthread.h>
#include <stdlib.h>

#include "base/xmalloc.h"
#include "demo/demo_int.h"
#include "base/banned.h"

#define WRITER_SPARES 8

struct job {
	struct out *o;
	char *buf;
	size_t len;
};

struct writer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job q[WRITER_SPARES];
	size_t head, count, busy;
	char *spare[WRITER_SPARES];
	size_t nspare;
	bool stop;
};

static void write_job(struct job *j)
{
	enum err e = OK;

	if (fwrite(j->buf, 1, j->len, j->o->f) != j->len)
		e = ERR_IO;
	j->o->werr = j->o->werr ? j->o->werr : e;
}

static void *run(void *arg)
{
	struct writer *w = arg;
	struct job j;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->count && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->count)
			break;
		j = w->q[w->head];
		w->head = (w->head + 1) % WRITER_SPARES;
		w->count--;
		w->busy++;
		pthread_mutex_unlock(&w->mu);
		write_job(&j);
		pthread_mutex_lock(&w->mu);
		w->busy--;
		w->spare[w->nspare++] = j.buf;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void destroy(struct writer *w)
{
	for (size_t i = 0; i < w->nspare; i++)
		free(w->spare[i]);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

struct writer *writer_start(void)
{
	struct writer *w = xcalloc(1, sizeof *w);

	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	for (int i = 0; i < WRITER_SPARES; i++)
		w->spare[w->nspare++] = xmalloc(OUT_BUF);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		destroy(w);
		return NULL;
	}
	return w;
}

char *writer_put(struct writer *w, struct out *o, char *buf, size_t len)
{
	char *empty;

	pthread_mutex_lock(&w->mu);
	while (!w->nspare || w->count == WRITER_SPARES)
		pthread_cond_wait(&w->cv, &w->mu);
	w->q[(w->head + w->count) % WRITER_SPARES] = (struct job){o, buf, len};
	w->count++;
	empty = w->spare[--w->nspare];
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return empty;
}

void writer_drain(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	while (w->count || w->busy)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

void writer_stop(struct writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	destroy(w);
}
