/* The current-alarm table (shugoAlarmTable's data). Ids come from a counter
 * that only grows, so appending keeps the rows sorted by id and a cleared id is
 * never handed out again (a manager holding an old id cannot confuse two
 * alarms). Lookup by object is a scan: a node has tens of alarms, not more. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "alarm.h"
#include "strutil.h"

void alarm_table_init(struct alarm_table *t)
{
	t->rows = NULL;
	t->n = 0;
	t->cap = 0;
	t->next_id = 1;
}

void alarm_table_free(struct alarm_table *t)
{
	if (t == NULL)
		return;
	free(t->rows);
	t->rows = NULL;
	t->n = 0;
	t->cap = 0;
}

/* Objects are stored truncated to EV_OBJECT_MAX, so lookups compare the key
 * truncated the same way; otherwise an over-long key would never match its row. */
static ptrdiff_t alarm_index(const struct alarm_table *t, const char *object)
{
	char key[EV_OBJECT_MAX + 1];

	str_copy(key, object, sizeof(key));
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->rows[i].object, key) == 0)
			return (ptrdiff_t)i;
	return -1;
}

static int alarm_grow(struct alarm_table *t)
{
	if (t->n < t->cap)
		return 0;
	size_t cap = t->cap ? t->cap * 2 : 16;
	if (cap > SIZE_MAX / sizeof(*t->rows)) {
		errno = ENOMEM;
		return -1;
	}
	struct alarm *rows = realloc(t->rows, cap * sizeof(*rows));
	if (rows == NULL)
		return -1;
	t->rows = rows;
	t->cap = cap;
	return 0;
}

struct alarm *alarm_raise(struct alarm_table *t, enum shugo_notif type, enum shugo_severity sev,
			  const char *object, const char *descr, int64_t now, bool *changed)
{
	struct alarm *a;
	ptrdiff_t i;

	*changed = false;
	if (descr == NULL)
		descr = "";
	i = alarm_index(t, object);
	if (i >= 0) {
		a = &t->rows[i];
		if (a->type == type && a->sev == sev)
			return a; /* already up as it is: nothing to notify */
		/* Same condition, new severity: the row keeps its id so the manager
		 * sees one alarm that got worse or better. The time and sequence now
		 * belong to the notification that announces the change. */
		a->type = type;
		a->sev = sev;
		str_copy(a->descr, descr, sizeof(a->descr));
		a->raised_time = now;
		a->raised_seq = 0;
		*changed = true;
		return a;
	}
	if (t->next_id == 0) {
		errno = EOVERFLOW; /* ids are never reused, so the counter does not wrap */
		return NULL;
	}
	if (alarm_grow(t) < 0)
		return NULL;
	a = &t->rows[t->n++];
	memset(a, 0, sizeof(*a));
	a->id = t->next_id++;
	a->type = type;
	a->sev = sev;
	str_copy(a->object, object, sizeof(a->object));
	str_copy(a->descr, descr, sizeof(a->descr));
	a->raised_time = now;
	a->raised_seq = 0; /* set by the caller once the notification has its sequence */
	*changed = true;
	return a;
}

uint32_t alarm_clear(struct alarm_table *t, const char *object)
{
	ptrdiff_t i = alarm_index(t, object);

	if (i < 0)
		return 0;
	uint32_t id = t->rows[i].id;
	memmove(&t->rows[i], &t->rows[i + 1], (t->n - (size_t)i - 1) * sizeof(*t->rows));
	t->n--;
	return id;
}

struct alarm *alarm_find(const struct alarm_table *t, const char *object)
{
	ptrdiff_t i = alarm_index(t, object);

	return i < 0 ? NULL : &t->rows[i];
}

struct alarm *alarm_by_id(const struct alarm_table *t, uint32_t id, bool exact)
{
	size_t lo = 0, hi = t->n;

	/* First row with rows[].id >= id. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->rows[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == t->n)
		return NULL;
	if (exact && t->rows[lo].id != id)
		return NULL;
	return &t->rows[lo];
}
