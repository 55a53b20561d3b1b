/* Resource and NIC sampling and judgement (see resources.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "emit.h"
#include "log.h"
#include "mon_sys.h"
#include "resources.h"
#include "strutil.h"

static res_fd_cb fd_hook;
static struct sys_cpu_prev cpu_prev;

void res_set_fd_hook(res_fd_cb cb)
{
	fd_hook = cb;
}

static const char *res_object(const struct res_rt *r, char *buf, size_t len)
{
	snprintf(buf, len, "res:%s", r->name);
	return buf;
}

static void judge(struct agent *a, struct res_rt *r, uint32_t value, bool valid)
{
	char object[EV_OBJECT_MAX + 1];
	enum thr_state old = r->state, st;

	(void)a;
	r->value = valid ? value : 0;
	st = thr_eval(&r->thr, old, value, valid);
	if (st == old)
		return;
	r->state = st;
	r->last_change = agent_wall();
	res_object(r, object, sizeof object);
	log_notice("resource %s: %s -> %s (%u.%02u)", r->name, thr_state_name(old), thr_state_name(st),
		   value / 100, value % 100);
	switch (st) {
	case THR_WARNING:
		emit_alarm(NOTIF_RES_ALARM, SEV_WARNING, object, "warning", "%s at %u.%02u (warning %u.%02u): %s", r->name,
			   value / 100, value % 100, r->thr.warning / 100, r->thr.warning % 100, r->detail);
		break;
	case THR_CRITICAL:
		emit_alarm(NOTIF_RES_ALARM, SEV_CRITICAL, object, "critical", "%s at %u.%02u (critical %u.%02u): %s",
			   r->name, value / 100, value % 100, r->thr.critical / 100, r->thr.critical % 100, r->detail);
		break;
	case THR_UNKNOWN:
		emit_alarm(NOTIF_RES_ALARM, SEV_MINOR, object, "unknown", "%s cannot be read", r->name);
		break;
	case THR_OK:
		emit_clear(NOTIF_RES_CLEAR, object, "ok", "%s back at %u.%02u: %s", r->name, value / 100, value % 100,
			   r->detail);
		break;
	}
}

void res_rejudge(struct agent *a, struct res_rt *r)
{
	if (r->state != THR_UNKNOWN)
		judge(a, r, r->value, true);
}

static const char *nic_state_word(enum nic_state s)
{
	switch (s) {
	case NIC_OK: return "ok";
	case NIC_LINKDOWN: return "linkDown";
	case NIC_STALLED: return "stalled";
	case NIC_ABSENT: return "absent";
	default: return "unknown";
	}
}

static void nic_judge(struct agent *a, struct nic_rt *n, uint64_t now)
{
	char object[EV_OBJECT_MAX + 1];
	enum nic_state st = mon_nic_state(&n->mon, now);

	(void)a;
	if (st == n->state)
		return;
	log_notice("nic %s: %s -> %s", n->mon.name, nic_state_word(n->state), nic_state_word(st));
	n->state = st;
	n->last_change = agent_wall();
	snprintf(object, sizeof object, "nic:%s", n->mon.name);
	switch (st) {
	case NIC_OK:
		emit_clear(NOTIF_NIC_CLEAR, object, "ok", "%s: link up and packets arriving", n->mon.name);
		break;
	case NIC_LINKDOWN:
		emit_alarm(NOTIF_NIC_ALARM, SEV_CRITICAL, object, "linkDown", "%s: link down", n->mon.name);
		break;
	case NIC_STALLED:
		emit_alarm(NOTIF_NIC_ALARM, SEV_MAJOR, object, "stalled",
			   "%s: link up but no packet arrived for %u s", n->mon.name, mon_nic_silent_s(&n->mon, now));
		break;
	case NIC_ABSENT:
		emit_alarm(NOTIF_NIC_ALARM, SEV_CRITICAL, object, "absent", "%s: no such interface", n->mon.name);
		break;
	default:
		break;
	}
}

void res_sample(struct agent *a, uint64_t now_ms)
{
	for (size_t i = 0; i < a->n_res; i++) {
		struct res_rt *r = &a->res[i];
		uint32_t v = 0;
		bool ok = false;
		switch (r->type) {
		case RES_CPU:
			ok = mon_sys_cpu(&cpu_prev, &v);
			if (ok)
				snprintf(r->detail, sizeof r->detail, "%u.%02u%% busy", v / 100, v % 100);
			else if (r->state == THR_UNKNOWN && !cpu_prev.valid)
				continue; /* first sample: nothing to compare with yet */
			break;
		case RES_MEMORY:
			ok = mon_sys_memory(&v, r->detail, sizeof r->detail);
			break;
		case RES_SWAP:
			ok = mon_sys_swap(&v, r->detail, sizeof r->detail);
			break;
		case RES_LOAD:
			ok = mon_sys_load(&v, r->detail, sizeof r->detail);
			break;
		case RES_FILESYSTEM:
			ok = mon_sys_fs(r->path, &v, r->detail, sizeof r->detail);
			break;
		default:
			continue;
		}
		judge(a, r, v, ok);
	}
	for (size_t i = 0; i < a->n_nics; i++) {
		struct nic_rt *n = &a->nics[i];
		int fd = n->mon.pcap_fd;
		mon_nic_sample(&n->mon, now_ms);
		if (fd != n->mon.pcap_fd && fd_hook) { /* capture closed or reopened */
			if (fd >= 0)
				fd_hook(fd, false);
			if (n->mon.pcap_fd >= 0)
				fd_hook(n->mon.pcap_fd, true);
		}
		nic_judge(a, n, now_ms);
	}
}

void nic_capture_ready(struct agent *a, int fd, uint64_t now_ms)
{
	for (size_t i = 0; i < a->n_nics; i++)
		if (a->nics[i].mon.pcap_fd == fd)
			mon_nic_capture(&a->nics[i].mon, now_ms);
}

static int res_cmp(const void *x, const void *y)
{
	return agent_name_cmp(((const struct res_rt *)x)->name, ((const struct res_rt *)y)->name);
}

static int nic_cmp(const void *x, const void *y)
{
	return agent_name_cmp(((const struct nic_rt *)x)->mon.name, ((const struct nic_rt *)y)->mon.name);
}

/* A reload keeps the state (no alarm storm) of resources that stay, and resets
 * their thresholds to the file's: the file is the truth after a reload. */
int res_configure(struct agent *a, const struct shugo_config *cfg)
{
	struct res_rt *nr = calloc(cfg->n_res ? cfg->n_res : 1, sizeof *nr);
	struct nic_rt *nn = calloc(cfg->n_nics ? cfg->n_nics : 1, sizeof *nn);
	uint64_t now = agent_now_ms();
	char object[EV_OBJECT_MAX + 1];

	if (!nr || !nn) {
		free(nr);
		free(nn);
		return -1;
	}
	for (size_t i = 0; i < cfg->n_res; i++) {
		const struct cfg_res *c = &cfg->res[i];
		struct res_rt *old = res_find(a, c->name, strlen(c->name));
		str_copy(nr[i].name, c->name, sizeof nr[i].name);
		nr[i].type = c->type;
		nr[i].path = c->path ? strdup(c->path) : NULL;
		nr[i].thr = c->thr;
		nr[i].state = old ? old->state : THR_UNKNOWN;
		nr[i].value = old ? old->value : 0;
		nr[i].last_change = old ? old->last_change : agent_wall();
		if (old)
			memcpy(nr[i].detail, old->detail, sizeof nr[i].detail);
	}
	for (size_t i = 0; i < cfg->n_nics; i++) {
		const struct cfg_nic *c = &cfg->nics[i];
		struct nic_rt *old = nic_find(a, c->name, strlen(c->name));
		if (old && old->mon.use_pcap == c->pcap) {
			nn[i] = *old;
			nn[i].mon.stall_after_s = c->stall_after_s;
			old->mon.name[0] = '\0'; /* moved */
			continue;
		}
		mon_nic_init(&nn[i].mon, c->name, c->stall_after_s, c->pcap, now);
		if (nn[i].mon.pcap_error[0])
			log_warn("nic %s: no capture (%s); judged by counters only", c->name, nn[i].mon.pcap_error);
		if (nn[i].mon.pcap_fd >= 0 && fd_hook)
			fd_hook(nn[i].mon.pcap_fd, true);
		nn[i].state = old ? old->state : NIC_UNKNOWN;
		nn[i].last_change = agent_wall();
	}
	/* Clear the alarms of what went away, then drop it. */
	for (size_t i = 0; i < a->n_res; i++) {
		bool kept = false;
		for (size_t k = 0; k < cfg->n_res; k++)
			kept |= !strcmp(cfg->res[k].name, a->res[i].name);
		if (!kept)
			emit_clear(NOTIF_RES_CLEAR, res_object(&a->res[i], object, sizeof object), "removed",
				   "removed from the configuration");
		free(a->res[i].path);
	}
	for (size_t i = 0; i < a->n_nics; i++) {
		struct nic_rt *o = &a->nics[i];
		if (!o->mon.name[0])
			continue;
		snprintf(object, sizeof object, "nic:%s", o->mon.name);
		emit_clear(NOTIF_NIC_CLEAR, object, "removed", "removed from the configuration");
		if (o->mon.pcap_fd >= 0 && fd_hook)
			fd_hook(o->mon.pcap_fd, false);
		mon_nic_close(&o->mon);
	}
	free(a->res);
	free(a->nics);
	qsort(nr, cfg->n_res, sizeof *nr, res_cmp);
	qsort(nn, cfg->n_nics, sizeof *nn, nic_cmp);
	a->res = nr;
	a->n_res = cfg->n_res;
	a->nics = nn;
	a->n_nics = cfg->n_nics;
	return 0;
}

void res_free(struct agent *a)
{
	for (size_t i = 0; i < a->n_res; i++)
		free(a->res[i].path);
	for (size_t i = 0; i < a->n_nics; i++)
		mon_nic_close(&a->nics[i].mon);
	free(a->res);
	free(a->nics);
	a->res = NULL;
	a->nics = NULL;
	a->n_res = a->n_nics = 0;
}

struct res_rt *res_find(struct agent *a, const char *name, size_t len)
{
	for (size_t i = 0; i < a->n_res; i++)
		if (strlen(a->res[i].name) == len && !memcmp(a->res[i].name, name, len))
			return &a->res[i];
	return NULL;
}

struct nic_rt *nic_find(struct agent *a, const char *name, size_t len)
{
	for (size_t i = 0; i < a->n_nics; i++)
		if (a->nics[i].mon.name[0] && strlen(a->nics[i].mon.name) == len && !memcmp(a->nics[i].mon.name, name, len))
			return &a->nics[i];
	return NULL;
}
