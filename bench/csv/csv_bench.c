/*
 * csv_bench.c — how fast the CSV reader goes.
 *
 *   csv_bench gen FILE ROWS   writes ROWS rows of 8 fields (~100 bytes each)
 *   csv_bench read FILE       reads FILE and prints rows/s, MB/s, peak RSS
 *
 * bench/csv/run.sh builds it, makes a 1,000,000-row file and reads it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "base/buf.h"
#include "base/csv.h"
#include "base/banned.h"

static const char *given[] = {"Maryam", "Nguyễn Văn", "Aysel", "Reza", "Thu",
			       "Elvin", "Zahra", "Minh", "Leyla", "Ali"};
static const char *family[] = {"Ahmadi", "Trần", "Məmmədov", "Hosseini", "Lê",
				"Əliyev", "Karimi", "Phạm", "Hüseynova", "Rezaei"};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int gen(const char *path, long rows)
{
	FILE *f = fopen(path, "w");
	struct buf b;
	uint64_t s = 42;

	if (!f)
		return 1;
	buf_init(&b, BUF_MAX_DEFAULT);
	buf_puts(&b, "sourcedId,givenName,familyName,sex,birthDate,school,region,note\r\n");
	for (long i = 0; i < rows; i++) {
		uint64_t x = next_rand(&s);
		buf_printf(&b, "L%010ld,%s,%s,%c,20%02u-%02u-%02u,S%07u,IR-%02u-%03u,",
			   i + 1, given[x % 10], family[(x >> 8) % 10],
			   x & (1u << 20) ? 'F' : 'M', (unsigned)(x >> 24) % 18,
			   (unsigned)(x >> 30) % 12 + 1, (unsigned)(x >> 36) % 28 + 1,
			   (unsigned)(x >> 12) % 100000, (unsigned)(x >> 40) % 31,
			   (unsigned)(x >> 48) % 500);
		if (x % 7 == 0)
			buf_puts(&b, "\"lives far away, walks 5 km to school\"\r\n");
		else
			buf_puts(&b, "household has no device and no internet at home\r\n");
		if (b.len > (1 << 20)) {
			fwrite(b.p, 1, b.len, f);
			buf_reset(&b);
		}
	}
	fwrite(b.p, 1, b.len, f);
	buf_release(&b);
	return fclose(f) != 0;
}

static int bench_read(const char *path)
{
	struct errinfo ei = {0};
	struct csv_reader *r = csv_open(path, NULL, &ei);
	struct csv_row row;
	struct timespec t0, t1;
	struct rusage ru;
	struct stat st;
	enum csv_next k;
	long good = 0, bad = 0;
	size_t bytes = 0;
	double secs, cpu;

	if (!r || stat(path, &st) != 0) {
		fprintf(stderr, "csv_bench: %s\n", ei.msg);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((k = csv_next(r, &row)) != CSV_END && k != CSV_FAIL) {
		if (k == CSV_BAD_ROW) {
			bad++;
			continue;
		}
		good++;
		for (size_t i = 0; i < row.nfields; i++)
			bytes += row.len[i];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	csv_close(r);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	/* The machine may be shared: CPU time says what the reader costs,
	 * wall time what this run got. */
	printf("rows %ld bad %ld field-bytes %zu: wall %.3f s (%.0f rows/s, %.1f MB/s), "
	       "cpu %.3f s (%.0f rows/s, %.1f MB/s), peak RSS %ld KiB\n",
	       good, bad, bytes, secs, (double)(good + bad) / secs,
	       (double)st.st_size / secs / 1e6, cpu, (double)(good + bad) / cpu,
	       (double)st.st_size / cpu / 1e6, ru.ru_maxrss);
	return k == CSV_FAIL;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return gen(argv[2], strtol(argv[3], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return bench_read(argv[2]);
	fprintf(stderr, "usage: csv_bench gen FILE ROWS | csv_bench read FILE\n");
	return 2;
}
