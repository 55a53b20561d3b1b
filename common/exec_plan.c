/* Remote execution through the manager, pure: the order of the candidates,
 * the meaning of a node's row, the summary of a request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exec_plan.h"

static int cand_cmp(const struct exec_cand *a, const struct exec_cand *b)
{
	bool ya = a->asked && a->accepting, yb = b->asked && b->accepting;

	if (ya != yb)
		return ya ? -1 : 1;
	if (a->managed != b->managed)
		return a->managed < b->managed ? -1 : 1;
	if (a->cpu != b->cpu)
		return a->cpu < b->cpu ? -1 : 1;
	return a->priority < b->priority ? -1 : a->priority > b->priority;
}

void exec_order_least_loaded(struct exec_cand *c, size_t n)
{
	/* insertion sort: stable, and a request names a handful of nodes */
	for (size_t i = 1; i < n; i++) {
		struct exec_cand x = c[i];
		size_t j = i;
		for (; j > 0 && cand_cmp(&x, &c[j - 1]) < 0; j--)
			c[j] = c[j - 1];
		c[j] = x;
	}
}

const char *exec_refusal_name(int refusal)
{
	static const char *const names[] = {"none", "unknownProgram", "notAllowed", "busy", "duplicate",
					    "startFailed"};

	return refusal >= 1 && refusal <= 6 ? names[refusal - 1] : "unknown";
}

enum exec_verdict exec_judge_row(const struct exec_row *row, const char *program, const char *requester,
				 char *state, char *detail, size_t detail_size, int *normal)
{
	const char *reason = row->reason && row->reason[0] ? row->reason : NULL;

	*normal = -1;
	detail[0] = '\0';
	if (!row->present) {
		strcpy(state, "failed");
		snprintf(detail, detail_size, "no row was created");
		return XV_NEXT;
	}
	if ((row->program && strcmp(row->program, program)) || (row->requester && strcmp(row->requester, requester))) {
		strcpy(state, "failed");
		snprintf(detail, detail_size, "the request id is taken there by %s of %s",
			 row->program ? row->program : "?", row->requester && row->requester[0] ? row->requester : "?");
		return XV_NEXT;
	}
	switch (row->state) {
	case XS_RUNNING:
		strcpy(state, "running");
		return XV_RUNNING;
	case XS_EXITED:
		strcpy(state, "exited");
		*normal = row->end == XE_NORMAL || (row->end != XE_ABNORMAL && row->exit_code == 0);
		snprintf(detail, detail_size, "exit code %d", row->exit_code);
		return XV_ENDED;
	case XS_KILLED:
		strcpy(state, "killed");
		*normal = 0;
		snprintf(detail, detail_size, "signal %d", row->exit_signal);
		return XV_ENDED;
	case XS_REFUSED:
		strcpy(state, "refused");
		snprintf(detail, detail_size, "%s%s%s", exec_refusal_name(row->refusal), reason ? ": " : "",
			 reason ? reason : "");
		return XV_NEXT;
	case XS_START_FAILED:
		strcpy(state, "failed");
		snprintf(detail, detail_size, "start failed%s%s", reason ? ": " : "", reason ? reason : "");
		return XV_NEXT;
	default:
		strcpy(state, "failed");
		snprintf(detail, detail_size, "the row is not active (shugoExecState %d)", row->state);
		return XV_NEXT;
	}
}

/* Append "N what" to detail, after ", " unless it is the first count
 * (len == base). */
static void add_count(char *detail, size_t size, size_t base, size_t *len, size_t n, const char *what)
{
	int k;

	if (!n || *len >= size)
		return;
	k = snprintf(detail + *len, size - *len, "%s%zu %s", *len > base ? ", " : "", n, what);
	if (k > 0)
		*len = *len + (size_t)k < size ? *len + (size_t)k : size - 1;
}

const char *exec_summary(const struct exec_outcome *o, size_t n, char *detail, size_t size)
{
	size_t running = 0, normal = 0, abnormal = 0, lost = 0, refused = 0, timeout = 0, skipped = 0, failed = 0;
	size_t len = 0, base = 0;
	const char *verdict;

	for (size_t i = 0; i < n; i++) {
		const char *s = o[i].state;
		if (!strcmp(s, "running"))
			running++;
		else if (!strcmp(s, "exited") || !strcmp(s, "killed"))
			o[i].normal == 1 ? normal++ : abnormal++;
		else if (!strcmp(s, "lost"))
			lost++;
		else if (!strcmp(s, "refused"))
			refused++;
		else if (!strcmp(s, "timeout"))
			timeout++;
		else if (!strcmp(s, "skipped"))
			skipped++;
		else
			failed++;
	}
	verdict = running ? "running" : normal + abnormal + lost ? "done" : "failed";
	detail[0] = '\0';
	if (size < 2)
		return verdict;
	if (!strcmp(verdict, "failed")) {
		snprintf(detail, size, "%s", n ? "started nowhere: " : "started nowhere (no node to try)");
		base = len = strlen(detail);
	}
	add_count(detail, size, base, &len, running, "running");
	add_count(detail, size, base, &len, normal, "ended normally");
	add_count(detail, size, base, &len, abnormal, "ended abnormally");
	add_count(detail, size, base, &len, lost, "lost");
	add_count(detail, size, base, &len, refused, "refused");
	add_count(detail, size, base, &len, timeout, "timed out");
	add_count(detail, size, base, &len, skipped, "down");
	add_count(detail, size, base, &len, failed, "failed");
	return verdict;
}
