/*
 * demo.c — `reach demo`: generates the country's files (gen.c), then
 * imports the four native files through import_run, the one way data
 * enters the store, and prints what it made and how long it took.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/args.h"
#include "base/progress.h"
#include "base/timeutil.h"
#include "dashboard/dashboard.h"
#include "demo/demo.h"
#include "demo/demo_int.h"
#include "import/import.h"
#include "base/banned.h"

#define EXIT_SOME_REJECTED 3
#define EXIT_UNUSABLE 2

static const char USAGE[] = "usage: reach demo --scale tiny|town|province|national [--country ir|vn|az] [--seed N]\n"
			    "         [--learners N] [--out DIR] [--no-import] [--no-oneroster] [--quiet]\n";

static int usage(const char *why)
{
	fprintf(stderr, "reach: %s\n%s", why, USAGE);
	return EXIT_UNUSABLE;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static int options(struct ctx *c, int argc, char **argv, struct demo_opts *o, char *dir, size_t size)
{
	const char *scale = args_opt(argc, argv, "scale"), *country = args_opt(argc, argv, "country");
	const char *seed = args_opt(argc, argv, "seed"), *n = args_opt(argc, argv, "learners");
	const char *out = args_opt(argc, argv, "out");

	memset(o, 0, sizeof *o);
	o->learners = demo_scale_learners(scale ? scale : "town");
	if (!o->learners)
		return usage("the scale is one of tiny, town, province, national");
	o->national = scale && strcmp(scale, "national") == 0;
	if (!(o->cu = demo_culture(country ? country : "ir")))
		return usage("the country is one of ir, vn, az");
	o->seed = 1;
	if (seed && !parse_u64(seed, &o->seed))
		return usage("the seed is a whole number");
	if (n && (!parse_u64(n, &o->learners) || o->learners < 100 || o->learners > 100000000))
		return usage("--learners is a whole number from 100 to 100000000");
	if (n && o->learners > 1500000)
		o->national = true;
	snprintf(dir, size, "%s", out ? out : "");
	if (!out)
		snprintf(dir, size, "%s/demo", c->app->conf.data);
	o->out = dir;
	o->oneroster = !args_flag(argc, argv, "no-oneroster");
	o->quiet = args_flag(argc, argv, "quiet");
	return 0;
}

static void summary(const struct demo_opts *o, const struct demo_counts *n)
{
	printf("reach demo: %s, %" PRIu64 " learners asked, seed %" PRIu64 ", in %s\n", o->cu->latin, o->learners,
	       o->seed, o->out);
	printf("  regions      %10" PRIu64 " (%" PRIu64 " villages)\n", n->regions, n->villages);
	printf("  schools      %10" PRIu64 " (boarding %" PRIu64 ", nomadic %" PRIu64 ", rural %" PRIu64 ")\n",
	       n->schools, n->boarding, n->nomadic, n->rural);
	printf("  learners     %10" PRIu64 " (dropped out %" PRIu64 ", moved school %" PRIu64 ")\n", n->learners,
	       n->dropped_out, n->transferred);
	printf("  guardians    %10" PRIu64 "\n  teachers     %10" PRIu64 "\n  enrolments   %10" PRIu64 "\n",
	       n->guardians, n->teachers, n->enrolments);
	printf("  register     %10" PRIu64 " children (%" PRIu64 " in no school; %" PRIu64
	       " learners born abroad are not in it)\n",
	       n->register_rows, n->not_enrolled, n->unregistered);
	printf("  generated in %.1f s, %.1f MB\n", n->seconds, (double)n->bytes / 1e6);
}

static void on_progress(void *arg, int64_t done, int64_t total)
{
	progress_update(arg, done, total);
}

/* Imports one file; 0, EXIT_SOME_REJECTED or EXIT_UNUSABLE. *wrote is
 * set when it wrote rows (the dashboards are refreshed once, after the
 * four). */
static int import_one(struct ctx *c, const struct demo_opts *o, const char *kind, bool *wrote)
{
	char path[1100];
	struct progress p;
	struct import_opts io = {0};
	struct import_result res = {0};
	uint64_t t0 = time_mono_ns();
	double s;

	snprintf(path, sizeof path, "%s/%s.csv", o->out, kind);
	progress_init(&p, stderr, kind);
	io.progress = o->quiet ? NULL : on_progress;
	io.arg = &p;
	io.no_refresh = true;
	if (import_run(c, kind, path, &io, &res) != OK) {
		fprintf(stderr, "reach: cannot import %s: %s\n", path, c->err.msg);
		return EXIT_UNUSABLE;
	}
	s = (double)(time_mono_ns() - t0) / 1e9;
	if (!o->quiet)
		progress_finish(&p, "done");
	printf("  import %-10s %10" PRId64 " rows in %6.1f s (%.0f rows/s), %" PRId64 " rejected\n", kind,
	       res.written, s, s > 0 ? (double)res.read / s : 0.0, res.rejected);
	*wrote = *wrote || res.written > 0;
	return res.rejected ? EXIT_SOME_REJECTED : 0;
}

/* Refreshes the dashboards once, after the files. As an import does, a
 * failure is a warning: the data is in, and the next import or the
 * refresh job makes them. */
static void refresh(struct ctx *c)
{
	uint64_t t0 = time_mono_ns();
	enum err rc = dashboard_refresh(c);

	if (rc != OK)
		fprintf(stderr, "reach: warning: the dashboards could not be refreshed (%s)\n", err_name(rc));
	else
		printf("  dashboards refreshed in %.1f s\n", (double)(time_mono_ns() - t0) / 1e9);
}

int demo_cmd(struct ctx *c, int argc, char **argv)
{
	static const char *const kinds[] = {"regions", "schools", "people", "enrolments"};
	struct demo_opts o;
	struct demo_counts n;
	struct errinfo ei = {0};
	char dir[1024];
	bool wrote = false, unusable = false;
	int rc, worst = 0;

	if (args_flag(argc, argv, "help"))
		return printf("%s", USAGE), 0;
	if ((rc = options(c, argc, argv, &o, dir, sizeof dir)) != 0)
		return rc;
	if (demo_generate(&o, &n, &ei) != OK) {
		fprintf(stderr, "reach: %s\n", ei.msg);
		return 1;
	}
	summary(&o, &n);
	if (args_flag(argc, argv, "no-import"))
		return 0;
	/* A file that cannot be used stops the import; the dashboards show
	 * what the files before it wrote. */
	for (size_t i = 0; i < COUNT(kinds) && !unusable; i++) {
		rc = import_one(c, &o, kinds[i], &wrote);
		unusable = rc == EXIT_UNUSABLE;
		worst = rc > worst ? rc : worst;
	}
	if (wrote)
		refresh(c);
	return unusable ? EXIT_UNUSABLE : worst;
}
