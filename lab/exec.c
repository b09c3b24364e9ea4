// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plumb-lab exec: run a command in a node's namespace, as plumb-netns exec
 * does (the node's /etc/netns files, among them its hosts, bound over
 * /etc), or in every node's, one after the other, each line of output
 * prefixed with the node's name ("r1: ..."). The command is found on PATH
 * and exec'd directly, never through a shell. With --all the exit status is
 * the highest of the commands'.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <plumb/exec.h>
#include <plumb/log.h>
#include <plumb/netns.h>

#include "verbs.h"
#include "view.h"

/* In the child: into the node's namespace, then the command. */
static void exec_in(const char *netns, const char *path, char **cmd)
{
	if (netns_enter(netns) < 0)
		_exit(CMD_FAILED);
	execv(path, cmd);
	log_err(-errno, "run %s", path);
	_exit(126);
}

/**
 * struct exec_out - one stream of a child's output, cut into lines
 * @fd:		the pipe
 * @to:		where the lines go: stdout or stderr
 * @len:	bytes of the line being read
 * @line:	that line
 */
struct exec_out {
	int fd;
	FILE *to;
	size_t len;
	char line[4096];
};

static void exec_flush(struct exec_out *o, const char *node)
{
	if (o->len)
		fprintf(o->to, "%s: %.*s\n", node, (int)o->len, o->line);
	o->len = 0;
}

/* Read what a stream has; 0 at its end. */
static int exec_pump(struct exec_out *o, const char *node)
{
	char buf[4096];
	ssize_t n = read(o->fd, buf, sizeof(buf)), i;

	if (n < 0 && errno == EINTR)
		return 1;
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n' || o->len == sizeof(o->line))
			exec_flush(o, node);
		if (buf[i] != '\n')
			o->line[o->len++] = buf[i];
	}
	return n > 0;
}

/* One node's command, its output prefixed; its exit status. */
static int exec_prefixed(const struct lab_node *node, const char *path, char **cmd)
{
	struct exec_out out[2] = { { .to = stdout }, { .to = stderr } };
	struct pollfd p[2];
	int pipes[2][2], live = 2, status = 0, k, devnull;
	pid_t pid;

	if (pipe2(pipes[0], O_CLOEXEC) < 0 || pipe2(pipes[1], O_CLOEXEC) < 0) {
		log_err(-errno, "run %s in %s", cmd[0], node->name);
		return CMD_FAILED;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(pipes[0][1], 1) < 0 ||
		    dup2(pipes[1][1], 2) < 0)
			_exit(CMD_FAILED);
		exec_in(node->netns, path, cmd);
	}
	for (k = 0; k < 2; k++) {
		close(pipes[k][1]);
		out[k].fd = p[k].fd = pipes[k][0];
		p[k].events = POLLIN;
	}
	while (pid > 0 && live) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		for (k = 0; k < 2; k++) {
			if (p[k].fd >= 0 && p[k].revents && !exec_pump(&out[k], node->name)) {
				exec_flush(&out[k], node->name);
				p[k].fd = -1;
				live--;
			}
		}
	}
	close(pipes[0][0]);
	close(pipes[1][0]);
	if (pid < 0) {
		log_err(-errno, "run %s in %s", cmd[0], node->name);
		return CMD_FAILED;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int exec_all(const struct lab *lab, const char *path, char **cmd)
{
	int worst = 0, st;
	size_t i;

	for (i = 0; i < lab->n_nodes; i++) {
		st = exec_prefixed(&lab->nodes[i], path, cmd);
		worst = st > worst ? st : worst;
	}
	return worst;
}

int cmd_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	char path[PATH_MAX];
	char **cmd = argv + 3;
	struct lab lab;
	int node = -1, ret;

	(void)ctx;
	if (argc >= 4 && !strcmp(argv[3], "--"))
		cmd++;
	if (argc < 4 || !*cmd)
		return cmd_usage(argv[0], CMD_USAGE);
	ret = exec_find(cmd[0], getenv("PATH"), path, sizeof(path));
	if (ret < 0) {
		log_err(ret, "run %s", cmd[0]);
		return ret == -ENOENT ? 127 : 126; /* as shells do */
	}
	ret = lab_from_record(argv[1], &lab);
	if (ret == 0 && strcmp(argv[2], "--all")) {
		node = lab_node_find(&lab, argv[2]);
		if (node < 0)
			ret = log_errx(-ENOENT, "lab %s has no node %s", lab.name, argv[2]);
	}
	if (ret < 0) {
		lab_free(&lab);
		return CMD_FAILED;
	}
	if (node >= 0)
		exec_in(lab.nodes[node].netns, path, cmd); /* does not return */
	ret = exec_all(&lab, path, cmd);
	lab_free(&lab);
	return ret;
}
