// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cnibench: run a CNI network configuration list as libcni runs it, and time
 * every plugin and the whole chain.
 *
 * Theory of operation: for each container, ADD runs the plugins of the list
 * in order. Each one is started with posix_spawn() (no shell) with its
 * configuration on stdin: the plugin object with the list's "name" and
 * "cniVersion" injected, the previous plugin's result as "prevResult", and
 * "runtimeConfig" holding only the capabilities the plugin declares
 * (portMappings). The environment is the caller's, less any CNI_*, plus
 * CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS (empty) and
 * CNI_PATH, all of them always set, as libcni's invoke.Args does. The plugin
 * is found by its type in CNI_PATH. The final result is cached in a file, as
 * libcni caches it; DEL runs the plugins in reverse order with that result as
 * "prevResult" (cniVersion >= 0.4.0, libcni's rule) and removes the cache.
 *
 * Each plugin's time runs from just before posix_spawn() to the return of
 * wait4(), so it includes the process start, dynamic linking, the plugin's
 * work and its exit. wait4() also gives the plugin's peak RSS and CPU time.
 *
 * Output, one line per event, fields separated by a space, times in
 * microseconds, RSS in KiB:
 *   plugin VERB ID INDEX TYPE USEC MAXRSS UTIME STIME
 *   chain VERB ID USEC UTIME STIME
 *   wall VERB N USEC                 (with -P: all containers at once)
 *   exec I USEC MAXRSS UTIME STIME   (exec mode)
 *
 * usage:
 *   cnibench [OPTIONS] add|del|cycle CONFLIST
 *   cnibench [OPTIONS] cli-add|cli-del|cli-cycle BRIDGE_BIN NAT_BIN [ADD_ARGS...]
 *   cnibench [-r R] exec ARGV... [:: ARGV...]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#define OUT_MAX (1 << 20)

extern char **environ;

static struct {
	const char *cni_path;
	const char *cache_dir;
	const char *prefix; /* container id = prefix + number */
	const char *netns_dir; /* CNI_NETNS = netns_dir/id */
	const char *ifname;
	unsigned int first, n, repeat;
	int parallel;
	int host_port; /* 0: no portMappings */
	int container_port;
	const char *time_file; /* -T: wrap each plugin in /usr/bin/time */
	char *wrap[16]; /* -W: run each plugin under this command */
} opt = {
	.cni_path = "/opt/cni/bin",
	.cache_dir = "/var/lib/cni/results",
	.prefix = "c",
	.netns_dir = "/run/netns",
	.ifname = "eth0",
	.n = 1,
	.repeat = 1,
	.container_port = 80,
};

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("cnibench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static long long tv_us(const struct timeval *tv)
{
	return tv->tv_sec * 1000000LL + tv->tv_usec;
}

/* One line of output, in one write(), so that parallel children never mix. */
static void emit(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(line))
		die("output line too long");
	if (write(STDOUT_FILENO, line, (size_t)len) != len)
		die("write output: %s", strerror(errno));
}

/**
 * struct run - one process run to completion
 * @out:	what it printed on stdout, NUL-terminated
 * @status:	its wait status
 * @us:		spawn to reaped
 * @ru:		its resource usage, from wait4()
 */
struct run {
	char *out;
	size_t len;
	int status;
	long long us;
	struct rusage ru;
};

/* Spawn @argv with @env, @in on stdin, collect stdout, wait. */
static void run_proc(char *const argv[], char *const env[], const char *in, struct run *r)
{
	int pin[2] = { -1, -1 }, pout[2];
	posix_spawn_file_actions_t fa;
	size_t cap = 4096, inlen = in ? strlen(in) : 0, off = 0;
	long long t0;
	ssize_t k;
	pid_t pid;
	int ret;

	if ((in && pipe2(pin, O_CLOEXEC) < 0) || pipe2(pout, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	if (in)
		posix_spawn_file_actions_adddup2(&fa, pin[0], STDIN_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY,
						 0);
	posix_spawn_file_actions_adddup2(&fa, pout[1], STDOUT_FILENO);

	r->out = malloc(cap);
	r->len = 0;
	if (!r->out)
		die("out of memory");
	t0 = now_us();
	ret = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	if (ret)
		die("spawn %s: %s", argv[0], strerror(ret));
	close(pout[1]);
	if (in) {
		close(pin[0]);
		/* The configuration fits the pipe; a plugin reads all of it. */
		while (off < inlen) {
			k = write(pin[1], in + off, inlen - off);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				break; /* EPIPE: the plugin exited early */
			off += (size_t)k;
		}
		close(pin[1]);
	}
	for (;;) {
		if (r->len + 1 == cap) {
			if (cap >= OUT_MAX)
				die("%s: output too long", argv[0]);
			cap *= 2;
			r->out = realloc(r->out, cap);
			if (!r->out)
				die("out of memory");
		}
		k = read(pout[0], r->out + r->len, cap - r->len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		r->len += (size_t)k;
	}
	r->out[r->len] = '\0';
	close(pout[0]);
	while (wait4(pid, &r->status, 0, &r->ru) < 0)
		if (errno != EINTR)
			die("wait: %s", strerror(errno));
	r->us = now_us() - t0;
}

static int run_ok(const struct run *r)
{
	return WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

/* --- CNI ----------------------------------------------------------------- */

static json_t *conflist;
static char **base_env; /* environ less CNI_* */
static size_t base_env_n;

static void env_init(void)
{
	size_t n = 0, i;

	while (environ[n])
		n++;
	base_env = calloc(n + 8, sizeof(*base_env));
	if (!base_env)
		die("out of memory");
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_", 4))
			base_env[base_env_n++] = environ[i];
}

/* The plugin binary of @type: the first match in CNI_PATH, as libcni's FindInPath. */
static char *plugin_find(const char *type)
{
	char *path = strdup(opt.cni_path), *dir, *save = NULL, *file;

	if (!path)
		die("out of memory");
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (asprintf(&file, "%s/%s", dir, type) < 0)
			die("out of memory");
		if (access(file, X_OK) == 0) {
			free(path);
			return file;
		}
		free(file);
	}
	die("plugin %s not found in %s", type, opt.cni_path);
	return NULL;
}

/* The stdin of one plugin, as libcni's buildOneConfig makes it. */
static char *plugin_conf(const json_t *plugin, json_t *prev, unsigned int i)
{
	json_t *conf = json_deep_copy(plugin), *caps;
	char *s;

	json_object_set(conf, "name", json_object_get(conflist, "name"));
	json_object_set(conf, "cniVersion", json_object_get(conflist, "cniVersion"));
	if (prev)
		json_object_set(conf, "prevResult", prev);
	caps = json_object_get(plugin, "capabilities");
	if (opt.host_port && json_is_true(json_object_get(caps, "portMappings")))
		json_object_set_new(conf, "runtimeConfig",
				    json_pack("{s:[{s:i, s:i, s:s}]}", "portMappings",
					      "hostPort", opt.host_port + (int)i,
					      "containerPort", opt.container_port,
					      "protocol", "tcp"));
	s = json_dumps(conf, JSON_COMPACT);
	json_decref(conf);
	if (!s)
		die("out of memory");
	return s;
}

static char *cache_file(const char *id)
{
	char *f;

	if (asprintf(&f, "%s/%s-%s-%s", opt.cache_dir,
		     json_string_value(json_object_get(conflist, "name")), id,
		     opt.ifname) < 0)
		die("out of memory");
	return f;
}

/* argv of -W's command with @prog appended */
static char **wrapped(char *prog)
{
	static char *argv[18];
	size_t i;

	for (i = 0; opt.wrap[i]; i++)
		argv[i] = opt.wrap[i];
	argv[i++] = prog;
	argv[i] = NULL;
	return argv;
}

/* Does the list's cniVersion pass prevResult on DEL (>= 0.4.0)? */
static int del_has_prev(void)
{
	const char *v = json_string_value(json_object_get(conflist, "cniVersion"));
	int major = 0, minor = 0;

	if (!v || sscanf(v, "%d.%d", &major, &minor) != 2)
		return 0;
	return major > 0 || minor >= 4;
}

/* Run the list for container number @i; return its time. */
static void chain_run(int add, unsigned int i)
{
	json_t *plugins = json_object_get(conflist, "plugins"), *prev = NULL, *p;
	char id[128], netns[512], *env[16], **e, *argv[2], *conf, *cache;
	size_t n = json_array_size(plugins), k, j;
	struct rusage sum = { 0 };
	const char *verb = add ? "ADD" : "DEL";
	json_error_t jerr;
	long long t0;
	struct run r;

	snprintf(id, sizeof(id), "%s%u", opt.prefix, i);
	snprintf(netns, sizeof(netns), "%s/%s", opt.netns_dir, id);
	e = env;
	if (asprintf(&e[0], "CNI_COMMAND=%s", verb) < 0 ||
	    asprintf(&e[1], "CNI_CONTAINERID=%s", id) < 0 ||
	    asprintf(&e[2], "CNI_NETNS=%s", netns) < 0 ||
	    asprintf(&e[3], "CNI_IFNAME=%s", opt.ifname) < 0 ||
	    asprintf(&e[4], "CNI_ARGS=") < 0 ||
	    asprintf(&e[5], "CNI_PATH=%s", opt.cni_path) < 0)
		die("out of memory");
	for (k = 0; k < 6; k++)
		base_env[base_env_n + k] = e[k];
	base_env[base_env_n + 6] = NULL;

	cache = cache_file(id);
	if (!add && del_has_prev()) {
		prev = json_load_file(cache, 0, &jerr); /* none: no prevResult */
	}
	t0 = now_us();
	for (j = 0; j < n; j++) {
		k = add ? j : n - 1 - j;
		p = json_array_get(plugins, k);

		argv[0] = plugin_find(json_string_value(json_object_get(p, "type")));
		argv[1] = NULL;
		conf = plugin_conf(p, prev, i);
		if (opt.time_file)
			run_proc((char *[]){ "/usr/bin/time", "-a", "-o",
					     (char *)opt.time_file, "-f",
					     "%M KiB peak RSS (time -v): %C", argv[0],
					     NULL },
				 base_env, conf, &r);
		else if (opt.wrap[0])
			run_proc(wrapped(argv[0]), base_env, conf, &r);
		else
			run_proc(argv, base_env, conf, &r);
		if (!run_ok(&r))
			die("%s %s: %s exited %d: %s", verb, id, argv[0],
			    WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1, r.out);
		emit("plugin %s %s %zu %s %lld %ld %lld %lld\n", verb, id, k,
		     json_string_value(json_object_get(p, "type")), r.us, r.ru.ru_maxrss,
		     tv_us(&r.ru.ru_utime), tv_us(&r.ru.ru_stime));
		timeradd(&sum.ru_utime, &r.ru.ru_utime, &sum.ru_utime);
		timeradd(&sum.ru_stime, &r.ru.ru_stime, &sum.ru_stime);
		if (add) {
			json_decref(prev);
			prev = json_loadb(r.out, r.len, 0, &jerr);
			if (!prev)
				die("ADD %s: %s printed no JSON: %s", id, argv[0],
				    jerr.text);
		}
		free(conf);
		free(argv[0]);
		free(r.out);
	}
	emit("chain %s %s %lld %lld %lld\n", verb, id, now_us() - t0,
	     tv_us(&sum.ru_utime), tv_us(&sum.ru_stime));
	if (add) {
		if (json_dump_file(prev, cache, JSON_COMPACT) < 0)
			die("write %s", cache);
	} else {
		unlink(cache);
	}
	json_decref(prev);
	free(cache);
	for (k = 0; k < 6; k++)
		free(e[k]);
}

/* --- plumb's command line: plumb-bridge add + plumb-nat publish ---------- */

static char *cli_bridge, *cli_nat;
static char **cli_args; /* extra arguments of plumb-bridge add */
static int cli_nargs;

static void cli_one(const char *verb, const char *id, char **argv, struct run *r,
		    struct rusage *sum)
{
	run_proc(argv, environ, NULL, r);
	if (!run_ok(r))
		die("%s %s: %s %s exited %d", verb, id, argv[0], argv[1],
		    WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1);
	emit("plugin %s %s %d %s %lld %ld %lld %lld\n", verb, id, argv[0] == cli_nat,
	     strrchr(argv[0], '/') + 1, r->us, r->ru.ru_maxrss, tv_us(&r->ru.ru_utime),
	     tv_us(&r->ru.ru_stime));
	timeradd(&sum->ru_utime, &r->ru.ru_utime, &sum->ru_utime);
	timeradd(&sum->ru_stime, &r->ru.ru_stime, &sum->ru_stime);
}

/* The container's IPv4 address from "plumb-bridge -j add". */
static void cli_addr(const char *out, char *addr, size_t size)
{
	json_t *j = json_loads(out, 0, NULL), *ips, *ip;
	const char *a = NULL;
	size_t i;

	ips = json_object_get(j, "ips");
	if (!ips)
		ips = json_object_get(json_array_get(j, 0), "ips");
	json_array_foreach(ips, i, ip) {
		a = json_is_string(ip) ?
			    json_string_value(ip) :
			    json_string_value(json_object_get(ip, "address"));
		if (a && strchr(a, '.'))
			break;
		a = NULL;
	}
	if (!a)
		die("no IPv4 address in plumb-bridge's output: %s", out);
	snprintf(addr, size, "%.*s", (int)strcspn(a, "/"), a);
	json_decref(j);
}

static void cli_run(int add, unsigned int i)
{
	char id[128], netns[512], port[32], addr[64], target[96];
	const char *verb = add ? "ADD" : "DEL";
	struct rusage sum = { 0 };
	char *argv[64];
	long long t0;
	struct run r;
	int k, n = 0;

	snprintf(id, sizeof(id), "%s%u", opt.prefix, i);
	snprintf(netns, sizeof(netns), "%s/%s", opt.netns_dir, id);
	t0 = now_us();
	if (add) {
		argv[n++] = cli_bridge;
		argv[n++] = "-j";
		argv[n++] = "add";
		argv[n++] = netns;
		argv[n++] = "--id";
		argv[n++] = id;
		for (k = 0; k < cli_nargs && n < 60; k++)
			argv[n++] = cli_args[k];
		argv[n] = NULL;
		cli_one(verb, id, argv, &r, &sum);
		cli_addr(r.out, addr, sizeof(addr));
		free(r.out);
		snprintf(port, sizeof(port), "%d/tcp", opt.host_port + (int)i);
		snprintf(target, sizeof(target), "%s:%d", addr, opt.container_port);
		cli_one(verb, id,
			(char *[]){ cli_nat, "publish", port, target, "--id", id, NULL },
			&r, &sum);
		free(r.out);
	} else {
		cli_one(verb, id, (char *[]){ cli_nat, "unpublish", "--id", id, NULL },
			&r, &sum);
		free(r.out);
		argv[n++] = cli_bridge;
		argv[n++] = "del";
		argv[n++] = "--id";
		argv[n++] = id;
		/* del takes the options that name the bridge and network */
		for (k = 0; k + 1 < cli_nargs && n < 60; k += 2) {
			if (!strcmp(cli_args[k], "--bridge") ||
			    !strcmp(cli_args[k], "--network") ||
			    !strcmp(cli_args[k], "--ifname") ||
			    !strcmp(cli_args[k], "--data-dir")) {
				argv[n++] = cli_args[k];
				argv[n++] = cli_args[k + 1];
			}
		}
		argv[n] = NULL;
		cli_one(verb, id, argv, &r, &sum);
		free(r.out);
	}
	emit("chain %s %s %lld %lld %lld\n", verb, id, now_us() - t0,
	     tv_us(&sum.ru_utime), tv_us(&sum.ru_stime));
}

/* --- driving N containers ------------------------------------------------ */

static void (*job)(int add, unsigned int i);

static void job_run(int add, int del, unsigned int i)
{
	if (add)
		job(1, i);
	if (del)
		job(0, i);
}

/* Every container at once: fork them all, release them together, wait. */
static void run_parallel(int add, int del)
{
	int gate[2], status, failed = 0;
	unsigned int i;
	long long t0;
	pid_t *pids = calloc(opt.n, sizeof(pid_t));
	char c;

	if (!pids || pipe(gate) < 0)
		die("out of memory");
	for (i = 0; i < opt.n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork: %s", strerror(errno));
		if (pids[i] == 0) {
			close(gate[1]);
			if (read(gate[0], &c, 1) < 0)
				_exit(1);
			job_run(add, del, opt.first + i);
			_exit(0);
		}
	}
	close(gate[0]);
	t0 = now_us();
	close(gate[1]); /* go */
	for (i = 0; i < opt.n; i++) {
		while (waitpid(pids[i], &status, 0) < 0)
			if (errno != EINTR)
				die("wait: %s", strerror(errno));
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	}
	emit("wall %s %u %lld\n",
	     add && del ? "CYCLE" :
	     add	? "ADD" :
			  "DEL",
	     opt.n, now_us() - t0);
	free(pids);
	if (failed)
		die("some containers failed");
}

/* exec mode: time R runs of a sequence of commands separated by "::". */
static int exec_main(int argc, char **argv)
{
	struct rusage sum;
	unsigned int rep;
	long long t0;
	long maxrss;
	struct run r;
	int a, b;

	for (rep = 0; rep < opt.repeat; rep++) {
		memset(&sum, 0, sizeof(sum));
		maxrss = 0;

		t0 = now_us();
		for (a = 0; a < argc; a = b + 1) {
			for (b = a; b < argc && strcmp(argv[b], "::"); b++)
				;
			argv[b < argc ? b : argc] = NULL;
			run_proc(argv + a, environ, NULL, &r);
			if (b < argc)
				argv[b] = "::";
			if (!run_ok(&r))
				die("%s exited %d: %s", argv[a],
				    WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1,
				    r.out);
			/* a program may print its own measurement */
			if (r.len)
				emit("said %u %s", rep, r.out);
			if (r.ru.ru_maxrss > maxrss)
				maxrss = r.ru.ru_maxrss;
			timeradd(&sum.ru_utime, &r.ru.ru_utime, &sum.ru_utime);
			timeradd(&sum.ru_stime, &r.ru.ru_stime, &sum.ru_stime);
			free(r.out);
		}
		emit("exec %u %lld %ld %lld %lld\n", rep, now_us() - t0, maxrss,
		     tv_us(&sum.ru_utime), tv_us(&sum.ru_stime));
	}
	return 0;
}

static void wrap_parse(char *cmd)
{
	char *save = NULL, *w;
	size_t n = 0;

	for (w = strtok_r(cmd, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (n == sizeof(opt.wrap) / sizeof(opt.wrap[0]) - 1)
			die("-W: too many words");
		opt.wrap[n++] = w;
	}
	opt.wrap[n] = NULL;
}

static void usage(void)
{
	fputs("usage: cnibench [OPTIONS] add|del|cycle CONFLIST\n"
	      "       cnibench [OPTIONS] cli-add|cli-del|cli-cycle BRIDGE NAT "
	      "[ADD_ARGS...]\n"
	      "       cnibench [-r R] exec ARGV... [:: ARGV...]\n"
	      "options:\n"
	      "  -p PATH    CNI_PATH (/opt/cni/bin)\n"
	      "  -C DIR     result cache (/var/lib/cni/results)\n"
	      "  -i PREFIX  container ids PREFIX0, PREFIX1, ... (c)\n"
	      "  -N DIR     CNI_NETNS is DIR/ID (/run/netns)\n"
	      "  -f FIRST   number of the first container (0)\n"
	      "  -n N       containers (1)\n"
	      "  -r R       repeat R times (1)\n"
	      "  -P         all containers at once (wall time)\n"
	      "  -m PORT    publish tcp PORT+number to the container's port 80\n"
	      "  -T FILE    run each plugin under /usr/bin/time, appending to FILE\n"
	      "  -W CMD     run each plugin under CMD (words split at spaces), e.g.\n"
	      "             \"valgrind --tool=callgrind\" or \"strace -c -o F\"\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int rep, i;
	const char *cmd;
	int c, add, del;

	while ((c = getopt(argc, argv, "+p:C:i:N:f:n:r:Pm:T:W:")) != -1) {
		switch (c) {
		case 'p':
			opt.cni_path = optarg;
			break;
		case 'C':
			opt.cache_dir = optarg;
			break;
		case 'i':
			opt.prefix = optarg;
			break;
		case 'N':
			opt.netns_dir = optarg;
			break;
		case 'f':
			opt.first = (unsigned int)atoi(optarg);
			break;
		case 'n':
			opt.n = (unsigned int)atoi(optarg);
			break;
		case 'r':
			opt.repeat = (unsigned int)atoi(optarg);
			break;
		case 'P':
			opt.parallel = 1;
			break;
		case 'm':
			opt.host_port = atoi(optarg);
			break;
		case 'T':
			opt.time_file = optarg;
			break;
		case 'W':
			wrap_parse(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind++];
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(cmd, "exec")) {
		if (optind >= argc)
			usage();
		return exec_main(argc - optind, argv + optind);
	}
	if (!strncmp(cmd, "cli-", 4)) {
		if (argc - optind < 2)
			usage();
		cli_bridge = argv[optind];
		cli_nat = argv[optind + 1];
		cli_args = argv + optind + 2;
		cli_nargs = argc - optind - 2;
		cmd += 4;
		job = cli_run;
	} else {
		json_error_t jerr;

		if (argc - optind != 1)
			usage();
		conflist = json_load_file(argv[optind], 0, &jerr);
		if (!conflist || !json_is_array(json_object_get(conflist, "plugins")))
			die("%s: not a configuration list: %s", argv[optind], jerr.text);
		mkdir(opt.cache_dir, 0700);
		env_init();
		job = chain_run;
	}
	add = !strcmp(cmd, "add") || !strcmp(cmd, "cycle");
	del = !strcmp(cmd, "del") || !strcmp(cmd, "cycle");
	if (!add && !del)
		usage();
	setvbuf(stdout, NULL, _IONBF, 0);
	for (rep = 0; rep < opt.repeat; rep++) {
		if (opt.parallel) {
			run_parallel(add, del);
			continue;
		}
		for (i = 0; i < opt.n; i++)
			job_run(add, del, opt.first + i);
	}
	return 0;
}
