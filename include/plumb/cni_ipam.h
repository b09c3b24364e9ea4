/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cni_ipam: a CNI plugin's addresses, from plumb's IPAM in-process or another plugin. */
#ifndef PLUMB_CNI_IPAM_H
#define PLUMB_CNI_IPAM_H

#include <jansson.h>

#include <plumb/cni.h>

#define CNI_IPAM_SELF "plumb-ipam"
#define CNI_IPAM_TIMEOUT 120 /* s a delegated plugin may take ("ipamTimeout") */

int cni_ipam_add(struct cni_req *req, json_t **result);
int cni_ipam_del(struct cni_req *req, const char *id, const char *ifname);
int cni_ipam_check(struct cni_req *req);
int cni_ipam_gc(struct cni_req *req);
int cni_ipam_status(struct cni_req *req);
int cni_ipam_exec(struct cni_req *req, const char *command, const char *id,
		  const char *ifname, json_t **result);
int cni_ipam_version_ask(struct cni_req *req);

#endif
