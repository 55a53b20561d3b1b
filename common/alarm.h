/* The current-alarm table: one row per raised, not yet cleared alarm, keyed by
 * object ("proc:web"). Rows are kept in id order, which is raise order, so the
 * MIB table (indexed by shugoAlarmId) can be served by binary search. Pure. */
#ifndef SHUGO_ALARM_H
#define SHUGO_ALARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"

struct alarm {
	uint32_t id;
	enum shugo_notif type; /* the raising notification */
	enum shugo_severity sev;
	char object[EV_OBJECT_MAX + 1];
	char descr[EV_DETAIL_MAX + 1];
	int64_t raised_time;   /* wall clock seconds */
	uint32_t raised_seq;   /* sequence of the raising notification */
};

struct alarm_table {
	struct alarm *rows; /* sorted by id */
	size_t n, cap;
	uint32_t next_id;   /* starts at 1 */
};

void alarm_table_init(struct alarm_table *t);
void alarm_table_free(struct alarm_table *t);
/* Raise (or re-raise) the alarm of object. A new row gets the next id. An existing
 * row with another severity or type is updated in place (same id).
 * Returns the row, or NULL on allocation failure. *changed is true when a row was
 * added or its severity/type changed (a notification is due), false when the same
 * alarm was already up. */
struct alarm *alarm_raise(struct alarm_table *t, enum shugo_notif type, enum shugo_severity sev,
			  const char *object, const char *descr, int64_t now, bool *changed);
/* Clear the alarm of object. Returns its id, or 0 if none was up. */
uint32_t alarm_clear(struct alarm_table *t, const char *object);
struct alarm *alarm_find(const struct alarm_table *t, const char *object);
/* Row with this id, or the first with a larger id (for GETNEXT); NULL past the end. */
struct alarm *alarm_by_id(const struct alarm_table *t, uint32_t id, bool exact);

#endif
