/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netns: named network namespaces as iproute2 makes them, and running code inside one. */
#ifndef PLUMB_NETNS_H
#define PLUMB_NETNS_H

#include <stddef.h>
#include <sys/types.h>

#define NETNS_RUN_DIR "/run/netns"
#define NETNS_NAME_MAX 255

struct log_msg;
struct nl_sock;

int netns_name_check_try(const char *name, struct log_msg *m);
int netns_name_check(const char *name);
int netns_spec_path_try(const char *spec, char *path, size_t size, struct log_msg *m);
int netns_spec_path(const char *spec, char *path, size_t size);

int netns_open(const char *spec);
int netns_open_path(const char *path);
int netns_open_path_try(const char *path, struct log_msg *m);
int netns_check_fd(int fd, const char *what);
int netns_check_fd_try(int fd, const char *what, struct log_msg *m);
int netns_same(int fd_a, int fd_b);

int netns_add(const char *name);
int netns_add_each(const char *const *names, size_t n, int *fds,
		   int (*fn)(size_t i, void *arg), void *arg);
int netns_attach(const char *name, pid_t pid);
int netns_del(const char *name);
int netns_enter(const char *name);

int netns_run(int netns_fd, int (*fn)(void *arg), void *arg);
int netns_run_try(int netns_fd, int (*fn)(void *arg), void *arg, struct log_msg *m);

int netns_for_each(int (*fn)(const char *name, void *arg), void *arg);
int netns_for_each_pid(int (*fn)(pid_t pid, dev_t dev, ino_t ino, void *arg), void *arg);

/* netns_id.c: over rtnetlink, so above nl.c, which runs in namespaces */
int netns_get_id(struct nl_sock *nl, int fd);

#endif
