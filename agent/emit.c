/* Alarm rows and notification emission (see emit.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "agent.h"
#include "emit.h"
#include "log.h"
#include "notify.h"

static void emit(struct shugo_event *ev)
{
	struct agent *a = agent_get();

	ev->boot = a->boot;
	ev->time = agent_wall();
	/* The log numbers the event; a failed write still numbers it and keeps it
	 * in memory, so the notification goes out and the gap is only on disk. */
	if (nlog_append(a->nlog, ev) < 0)
		log_err("notification log: cannot write seq %u: %s", ev->seq, strerror(errno));
	notify_send(ev);
}

static void vfill(struct shugo_event *ev, enum shugo_notif type, enum shugo_severity sev,
		  const char *object, const char *state, const char *fmt, va_list ap)
{
	char detail[EV_DETAIL_MAX + 1];

	vsnprintf(detail, sizeof detail, fmt, ap);
	memset(ev, 0, sizeof *ev);
	ev_set(ev, type, sev, object, state, detail);
}

void emit_alarm(enum shugo_notif type, enum shugo_severity sev, const char *object,
		const char *state, const char *fmt, ...)
{
	struct agent *a = agent_get();
	struct shugo_event ev;
	va_list ap;
	bool changed = false;

	va_start(ap, fmt);
	vfill(&ev, type, sev, object, state, fmt, ap);
	va_end(ap);
	struct alarm *row = alarm_raise(&a->alarms, type, sev, object, ev.detail, agent_wall(), &changed);
	/* Callers raise on a change of state, and every change is announced, also
	 * one that keeps the severity (a NIC going from linkDown to absent): the
	 * row keeps its id and takes the new description. */
	if (!row) {
		log_err("alarm table: out of memory raising %s", object);
	} else {
		ev.alarm_id = row->id;
		if (!changed)
			memcpy(row->descr, ev.detail, sizeof row->descr);
	}
	emit(&ev);
	if (row)
		row->raised_seq = ev.seq;
}

void emit_clear(enum shugo_notif type, const char *object, const char *state, const char *fmt, ...)
{
	struct agent *a = agent_get();
	struct shugo_event ev;
	va_list ap;
	uint32_t id = alarm_clear(&a->alarms, object);

	if (id == 0)
		return;
	va_start(ap, fmt);
	vfill(&ev, type, SEV_CLEAR, object, state, fmt, ap);
	va_end(ap);
	ev.alarm_id = id;
	emit(&ev);
}

void emit_event(enum shugo_notif type, enum shugo_severity sev, const char *object,
		const char *state, const char *fmt, ...)
{
	struct shugo_event ev;
	va_list ap;

	va_start(ap, fmt);
	vfill(&ev, type, sev, object, state, fmt, ap);
	va_end(ap);
	emit(&ev);
}
