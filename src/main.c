/*
 * main.c — the command line: a table of commands. Each is thin; the
 * modules do the work.
 *
 *   reach [--data DIR] [--SETTING VALUE]... COMMAND [ARGS]
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "app.h"
#include "auth/auth.h"
#include "auth/auth_routes.h"
#include "base/arena.h"
#include "base/args.h"
#include "base/id.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/text.h"
#include "demo/demo.h"
#include "linkage/link_cmd.h"
#include "http/http.h"
#include "import/import.h"
#include "jobs/jobs.h"
#include "jobs/jobs_routes.h"
#include "routes.h"
#include "store/store.h"
#include "web/page.h"
#include "web/web.h"
#include "base/banned.h"

#define REACH_VERSION "0.1.0"
#define EXIT_USAGE 2
#define GRACE_MS 10000

struct cli {
	struct app app;
	struct ctx c;
	int argc;       /* the command's own arguments */
	char **argv;
};

struct command {
	const char *name;
	int (*run)(struct cli *cli);
	const char *usage;
};

static int die(const char *what, const struct errinfo *ei)
{
	fprintf(stderr, "reach: %s%s%s\n", what, ei && ei->msg[0] ? ": " : "", ei ? ei->msg : "");
	return 1;
}

/* Opens the store and a context for a command, as the system user. */
static int open_ctx(struct cli *cli, bool migrate)
{
	struct errinfo ei = {0};

	if (store_open(cli->app.conf.data, migrate, &cli->c.store, &ei) != OK)
		return die("cannot open the store", &ei);
	return 0;
}

static void close_ctx(struct cli *cli)
{
	store_close(cli->c.store);
	cli->c.store = NULL;
}

static const char *opt(struct cli *cli, const char *name)
{
	return args_opt(cli->argc, cli->argv, name);
}

static const char *arg(struct cli *cli, int k)
{
	return args_pos(cli->argc, cli->argv, k, NULL);
}

/* Reads a password: from --password-file, else one line of standard input
 * when it is not a terminal, else asked for twice without echo. */
static int read_password(struct cli *cli, char *out, size_t size)
{
	const char *file = opt(cli, "password-file");
	FILE *f = file ? fopen(file, "r") : stdin;
	struct termios old, quiet;
	bool tty = !file && isatty(0);
	char again[AUTH_PASSWORD_MAX + 2];

	if (!f) {
		fprintf(stderr, "reach: cannot read %s: %s\n", file, strerror(errno));
		return -1;
	}
	if (tty) {
		fputs("Password: ", stderr);
		tcgetattr(0, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSAFLUSH, &quiet);
	}
	if (!fgets(out, (int)size, f))
		out[0] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	if (tty) {
		fputs("\nAgain: ", stderr);
		if (!fgets(again, sizeof again, stdin))
			again[0] = '\0';
		again[strcspn(again, "\r\n")] = '\0';
		tcsetattr(0, TCSAFLUSH, &old);
		fputs("\n", stderr);
		if (strcmp(out, again) != 0) {
			sodium_memzero(again, sizeof again);
			fprintf(stderr, "reach: the passwords differ\n");
			return -1;
		}
		sodium_memzero(again, sizeof again);
	}
	if (file)
		fclose(f);
	return 0;
}

static void generate_password(char out[SECRET_TEXT_LEN])
{
	secret_new(out);
	out[20] = '\0'; /* 120 random bits are plenty, and it fits on a note */
}

static int cmd_init(struct cli *cli)
{
	const char *login = opt(cli, "admin");
	char password[SECRET_TEXT_LEN];
	struct user_new n = {login ? login : "admin", "Administrator", "admin", "", password, ""};
	struct user u;
	int64_t count = 0;
	int rc = 0;

	if (open_ctx(cli, true))
		return 1;
	if (auth_user_count(&cli->c, &count) != OK || count > 0) {
		printf("reach: %s already holds an instance (%lld accounts); nothing to do\n", cli->app.conf.data,
		       (long long)count);
		goto out;
	}
	generate_password(password);
	if (auth_user_add(&cli->c, &n, &u) != OK) {
		rc = die("cannot create the administrator", &cli->c.err);
		goto out;
	}
	printf("reach: created an instance in %s\n", cli->app.conf.data);
	printf("  administrator login:    %s\n  administrator password: %s\n", n.login, password);
	printf("  (change it under \"My account\", or with: reach user passwd %s)\n", n.login);
out:
	sodium_memzero(password, sizeof password);
	close_ctx(cli);
	return rc;
}

static int user_add(struct cli *cli)
{
	char password[AUTH_PASSWORD_MAX + 2];
	struct user_new n = {arg(cli, 1), opt(cli, "name"), opt(cli, "role"), opt(cli, "scope"), password,
			     opt(cli, "lang")};
	struct user u;
	int rc;

	if (!n.login || !n.role) {
		fprintf(stderr, "usage: reach user add LOGIN --role ROLE [--scope CODE] [--name NAME] "
				"[--lang L] [--password-file FILE]\n");
		return EXIT_USAGE;
	}
	if (!n.display_name)
		n.display_name = n.login;
	if (read_password(cli, password, sizeof password))
		return 1;
	rc = auth_user_add(&cli->c, &n, &u) == OK ? 0 : die("cannot add the account", &cli->c.err);
	sodium_memzero(password, sizeof password);
	if (!rc)
		printf("%s\t%s\t%s\t%s\n", u.id, u.login, auth_role_name(u.role), u.scope);
	return rc;
}

static int user_passwd(struct cli *cli, struct user *u)
{
	char password[AUTH_PASSWORD_MAX + 2];
	int rc;

	if (read_password(cli, password, sizeof password))
		return 1;
	rc = auth_user_passwd(&cli->c, u->id, NULL, password) == OK ? 0 : die("cannot change the password", &cli->c.err);
	sodium_memzero(password, sizeof password);
	if (!rc)
		printf("reach: password changed for %s; its sessions and tokens are ended\n", u->login);
	return rc;
}

static int user_list(struct cli *cli)
{
	struct user *list;
	int64_t after = 0, next;
	int n;

	do {
		if (auth_user_list(&cli->c, after, 500, &list, &n, &next) != OK)
			return die("cannot list accounts", &cli->c.err);
		for (int i = 0; i < n; i++)
			printf("%s\t%s\t%s\t%s\t%s\t%s\n", list[i].id, list[i].login, auth_role_name(list[i].role),
			       list[i].scope[0] ? list[i].scope : "-", list[i].disabled ? "disabled" : "active",
			       list[i].display_name);
		after = next;
	} while (next);
	return 0;
}

static int cmd_user(struct cli *cli)
{
	const char *sub = arg(cli, 0), *login = arg(cli, 1);
	struct user u;
	int rc;

	if (!sub) {
		fprintf(stderr, "usage: reach user add|passwd|list|disable|enable ...\n");
		return EXIT_USAGE;
	}
	if (open_ctx(cli, true))
		return 1;
	if (!strcmp(sub, "add"))
		rc = user_add(cli);
	else if (!strcmp(sub, "list"))
		rc = user_list(cli);
	else if (strcmp(sub, "passwd") && strcmp(sub, "disable") && strcmp(sub, "enable")) {
		fprintf(stderr, "reach: unknown user command '%s'\n", sub);
		rc = EXIT_USAGE;
	} else if (!login) {
		fprintf(stderr, "usage: reach user %s LOGIN\n", sub);
		rc = EXIT_USAGE;
	} else if (auth_user_by_login(&cli->c, login, &u) != OK)
		rc = die("no such account", &(struct errinfo){.msg = ""});
	else if (!strcmp(sub, "passwd"))
		rc = user_passwd(cli, &u);
	else
		rc = auth_user_set_disabled(&cli->c, u.id, !strcmp(sub, "disable")) == OK ? 0 :
		     die("cannot change the account", &cli->c.err);
	close_ctx(cli);
	return rc;
}

static void show_progress(void *arg, int64_t done, int64_t total)
{
	progress_update(arg, done, total);
}

static int cmd_backup(struct cli *cli)
{
	const char *path = arg(cli, 0);
	struct progress p;
	struct errinfo ei = {0};
	int rc;

	if (!path) {
		fprintf(stderr, "usage: reach backup FILE\n");
		return EXIT_USAGE;
	}
	if (open_ctx(cli, false))
		return 1;
	progress_init(&p, stderr, "backup");
	rc = store_backup(cli->c.store, path, show_progress, &p, &ei) == OK ? 0 : die("backup failed", &ei);
	if (!rc)
		progress_finish(&p, path);
	close_ctx(cli);
	return rc;
}

static int cmd_restore(struct cli *cli)
{
	const char *path = arg(cli, 0);
	struct errinfo ei = {0};

	if (!path) {
		fprintf(stderr, "usage: reach restore FILE\n");
		return EXIT_USAGE;
	}
	if (store_restore(cli->app.conf.data, path, &ei) != OK)
		return die("restore failed", &ei);
	printf("reach: restored %s into %s\n", path, cli->app.conf.data);
	return 0;
}

static void count_job(void *arg, bool ok)
{
	http_count_job(arg, ok);
}

static int cmd_serve(struct cli *cli)
{
	struct app *app = &cli->app;
	struct http_config hc = {app, app_routes, app_nroutes, auth_gate, auth_csrf_or_respond, web_error_page};
	struct http_server *srv;
	struct errinfo ei = {0};
	sigset_t set;
	int sig;

	if (store_lock_dir(app->conf.data, false, &ei) != OK)
		return die("cannot serve", &ei);
	if (open_ctx(cli, true)) /* migrations run once, here, before any thread */
		return 1;
	close_ctx(cli);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* threads inherit this */
	app->pool = store_pool_new(app->conf.data);
	if (http_start(&hc, &srv, &ei) != OK) {
		store_pool_free(app->pool);
		return die("cannot serve", &ei);
	}
	app->jobs = jobs_start(app, jobs_kinds, (int)app->conf.job_workers);
	jobs_on_finish(app->jobs, count_job, srv);
	printf("reach: serving %s on http://%s/ (port %d)\n", app->conf.data, app->conf.listen, http_port(srv));
	fflush(stdout);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			if (log_reopen() != 0)
				fprintf(stderr, "reach: cannot reopen the log: %s\n", strerror(errno));
			log_msg(LOG_INFO, NULL, "log reopened");
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT)
			break;
	}
	log_msg(LOG_INFO, NULL, "stopping: finishing requests in flight");
	http_stop(srv, GRACE_MS);
	jobs_stop(app->jobs);
	store_pool_free(app->pool);
	log_msg(LOG_INFO, NULL, "stopped");
	return 0;
}

/* Runs a module's command with the store open (and migrated). */
static int module_cmd(struct cli *cli, int (*fn)(struct ctx *c, int argc, char **argv))
{
	int rc;

	if (open_ctx(cli, true))
		return 1;
	rc = fn(&cli->c, cli->argc, cli->argv);
	close_ctx(cli);
	return rc;
}

static int cmd_import(struct cli *cli)
{
	return module_cmd(cli, import_cmd);
}

static int cmd_export(struct cli *cli)
{
	return module_cmd(cli, export_cmd);
}

static int cmd_demo(struct cli *cli)
{
	return module_cmd(cli, demo_cmd);
}

/* Linkage reads and writes files only: no store. */
static int cmd_link(struct cli *cli)
{
	return link_cmd(cli->argc, cli->argv, cli->app.conf.threads);
}

static int cmd_version(struct cli *cli)
{
	(void)cli;
	printf("reach %s (SQLite, libmicrohttpd, libsodium, ICU)\n", REACH_VERSION);
	return 0;
}

static int cmd_help(struct cli *cli);

static const struct command commands[] = {
	{"serve", cmd_serve, "serve [--listen HOST:PORT] [--threads N]   serve the web pages and the API"},
	{"init", cmd_init, "init [--admin LOGIN]                      create an instance with one administrator"},
	{"user", cmd_user, "user add LOGIN --role ROLE [--scope CODE] [--name NAME] [--password-file FILE]\n"
			    "  user passwd|disable|enable LOGIN | user list"},
	{"demo", cmd_demo, "demo --scale tiny|town|province|national [--country ir|vn|az] [--seed N]\n"
			    "  [--learners N] [--out DIR] [--no-import] [--no-oneroster] [--quiet]\n"
			    "                                            a synthetic country to try Reach with"},
	{"import", cmd_import, "import regions|schools|people|enrolments PATH | import oneroster DIR-or-ZIP\n"
				"  [--dry-run] [--strict] [--report FILE] [--calendar gregorian|solar-hijri|auto]"},
	{"link", cmd_link, "link --register R.csv --enrolment E.csv --out DIR [--threads N] [--threshold P]\n"
			    "  [--config link.json] [--model model.json] [--seed N] [--normalised] [--quiet]\n"
			    "  | link --register R.csv --enrolment E.csv --explain REGISTER_ID ENROLMENT_ID\n"
			    "                                            out-of-school children: the register\n"
			    "                                            linked to enrolment records"},
	{"export", cmd_export, "export regions|schools|people|enrolments|oneroster PATH"},
	{"backup", cmd_backup, "backup FILE                               a consistent copy, while serving"},
	{"restore", cmd_restore, "restore FILE                              check a backup and put it in place"},
	{"version", cmd_version, "version"},
	{"help", cmd_help, "help"},
};

static int cmd_help(struct cli *cli)
{
	(void)cli;
	printf("usage: reach [--data DIR] [--SETTING VALUE]... COMMAND\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		printf("  %s\n", commands[i].usage);
	printf("\nsettings (flags over REACH_* environment over DIR/reach.conf):\n");
	printf("  --%-22s %s\n", "data", "the data directory (default $REACH_DATA or ./reach-data)");
	conf_usage();
	return 0;
}

/* Splits global settings (before the command) from the command and its
 * arguments; settings may also follow the command. Unknown --options are
 * left for the command. */
static int configure(struct cli *cli, int argc, char **argv, const struct command **cmd)
{
	struct conf *cf = &cli->app.conf;
	const char *data = getenv("REACH_DATA");
	struct errinfo ei = {0};
	char **rest = calloc((size_t)argc + 1, sizeof *rest);
	int nrest = 0;

	*cmd = NULL;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--data") && i + 1 < argc)
			data = argv[++i];
		else if (!strncmp(argv[i], "--data=", 7))
			data = argv[i] + 7;
	conf_defaults(cf);
	snprintf(cf->data, sizeof cf->data, "%s", data && *data ? data : "./reach-data");
	if (conf_load_file(cf, cf->data, &ei) != OK || conf_load_env(cf, &ei) != OK)
		return die("bad settings", &ei);
	for (int i = 1; i < argc; i++) {
		char name[64], *a = argv[i], *eq;
		const char *value;
		if (!strcmp(a, "--data") ) { i++; continue; }
		if (!strncmp(a, "--data=", 7))
			continue;
		if (strncmp(a, "--", 2) != 0 || strlen(a) >= sizeof name + 2) {
			if (!*cmd && !nrest) {
				for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
					if (!strcmp(commands[k].name, a))
						*cmd = &commands[k];
				if (!*cmd) {
					fprintf(stderr, "reach: unknown command '%s' (try: reach help)\n", a);
					return EXIT_USAGE;
				}
				continue;
			}
			rest[nrest++] = a;
			continue;
		}
		snprintf(name, sizeof name, "%s", a + 2);
		if ((eq = strchr(name, '=')))
			*eq = '\0';
		for (char *p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		value = eq ? strchr(a, '=') + 1 : (i + 1 < argc ? argv[i + 1] : "");
		err_clear(&ei);
		switch (conf_set(cf, name, value, &ei)) {
		case OK:
			if (!eq)
				i++;
			break;
		case ERR_NOTFOUND: /* the command's own option */
			rest[nrest++] = a;
			break;
		default:
			return die("bad setting", &ei);
		}
	}
	cli->argc = nrest;
	cli->argv = rest;
	return 0;
}

/* Who runs a command, for the audit log: the account of the process. */
static const char *system_user(void)
{
	const struct passwd *pw = getpwuid(getuid());
	const char *u = getenv("USER");

	return pw && pw->pw_name ? pw->pw_name : u ? u : "unknown";
}

int main(int argc, char **argv)
{
	static struct cli cli;
	struct errinfo ei = {0};
	const struct command *cmd;
	const char *env_lang = getenv("LANG");
	char lang[3] = "en";
	int rc, lv;

	http_json_in_arenas();
	if (id_init() != 0)
		return die("no source of randomness", NULL);
	if ((rc = configure(&cli, argc, argv, &cmd)) != 0)
		return rc;
	if (!cmd)
		return cmd_help(&cli), EXIT_USAGE;
	lv = log_level_parse(cli.app.conf.log_level);
	if (log_open(cli.app.conf.log, lv < 0 ? LOG_INFO : (enum log_level)lv) != 0)
		return die("cannot open the log file", NULL);
	if (web_load(http_asset_url, (struct web **)&cli.app.web, &ei) != OK)
		return die("cannot load the templates", &ei);
	if (env_lang && strlen(env_lang) >= 2) {
		memcpy(lang, env_lang, 2);
		if (!web_lang_known(lang))
			memcpy(lang, "en", 2);
	}
	cli.c = (struct ctx){.app = &cli.app, .arena = arena_new(), .ip = "", .lang = lang,
			     .user_login = system_user()};
	rc = cmd->run(&cli);
	text_thread_release();
	web_thread_release();
	arena_free(cli.c.arena);
	web_free((struct web *)cli.app.web);
	free(cli.argv);
	return rc;
}
