/* The process-wide log sink: stderr with a timestamp in the foreground, syslog
 * when daemonised. Its settings are the one piece of process state this
 * library keeps, because every module logs through it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* Until log_init runs (tests, early start-up) messages go to stderr, so
 * nothing said before the configuration is read disappears. */
static struct {
	char ident[32];
	bool to_stderr;
	enum log_level max;
} log_cfg = {"shugo", true, LOG_LVL_INFO};

static const char *level_word(enum log_level lvl)
{
	switch (lvl) {
	case LOG_LVL_ERR: return "error";
	case LOG_LVL_WARN: return "warning";
	case LOG_LVL_NOTICE: return "notice";
	case LOG_LVL_INFO: return "info";
	case LOG_LVL_DEBUG: return "debug";
	}
	return "?";
}

static int syslog_prio(enum log_level lvl)
{
	switch (lvl) {
	case LOG_LVL_ERR: return LOG_ERR;
	case LOG_LVL_WARN: return LOG_WARNING;
	case LOG_LVL_NOTICE: return LOG_NOTICE;
	case LOG_LVL_INFO: return LOG_INFO;
	case LOG_LVL_DEBUG: return LOG_DEBUG;
	}
	return LOG_ERR;
}

void log_init(const char *ident, bool to_stderr, enum log_level max)
{
	if (ident != NULL && ident[0] != '\0')
		snprintf(log_cfg.ident, sizeof(log_cfg.ident), "%s", ident);
	log_cfg.to_stderr = to_stderr;
	log_cfg.max = max;
	if (!to_stderr)
		openlog(log_cfg.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	/* Callers log a failure and then still look at errno. */
	int saved = errno;
	char msg[1024];
	va_list ap;

	if (lvl > log_cfg.max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	size_t n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';

	if (!log_cfg.to_stderr) {
		syslog(syslog_prio(lvl), "%s", msg);
		errno = saved;
		return;
	}
	char stamp[32] = "";
	struct timespec ts;
	struct tm tm;
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && localtime_r(&ts.tv_sec, &tm) != NULL) {
		size_t k = strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(stamp + k, sizeof(stamp) - k, ".%03ld", ts.tv_nsec / 1000000);
	}
	/* One fprintf per line so concurrent writers do not interleave mid-line. */
	fprintf(stderr, "%s %s[%ld]: %s: %s\n", stamp, log_cfg.ident, (long)getpid(),
		level_word(lvl), msg);
	errno = saved;
}
