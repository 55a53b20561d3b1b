/* shugo-event: raise or clear an application event through the local agent,
 * from a shell script, cron job or any program that can run a command. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "shugo_event.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: shugo-event [-s SOCKET] [-b] raise NAME SEVERITY [STATE [DETAIL...]]\n"
		   "       shugo-event [-s SOCKET] clear NAME [STATE [DETAIL...]]\n"
		   "  NAME      [A-Za-z0-9._:-], 1..64; the event is app:NAME in the MIB and the log\n"
		   "  SEVERITY  info, warning, minor, major or critical\n"
		   "  STATE     in one word (default raised / cleared); DETAIL the rest, up to 255 bytes\n"
		   "  -s SOCKET the agent's event socket (default $SHUGO_EVENT_SOCKET, else "
		   SHUGO_EVENT_SOCKET_DEFAULT ")\n"
		   "  -b        low urgency: the agent may batch it\n"
		   "Exit status: 0 taken, 1 refused by the agent, 2 usage, 3 no agent to take it.\n");
}

int main(int argc, char **argv)
{
	unsigned flags = 0;
	char detail[1024] = "";
	const char *state = NULL;
	int c, rc, first;

	while ((c = getopt(argc, argv, "s:bh")) != -1) {
		switch (c) {
		case 's': setenv("SHUGO_EVENT_SOCKET", optarg, 1); break;
		case 'b': flags |= SHUGO_EVENT_BATCH; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || (strcmp(argv[0], "raise") && strcmp(argv[0], "clear")) ||
	    (!strcmp(argv[0], "raise") && argc < 3)) {
		usage(stderr);
		return 2;
	}
	first = !strcmp(argv[0], "raise") ? 3 : 2;
	if (argc > first)
		state = argv[first];
	for (int i = first + 1; i < argc; i++) {
		size_t n = strlen(detail);
		snprintf(detail + n, sizeof detail - n, "%s%s", n ? " " : "", argv[i]);
	}
	if (!strcmp(argv[0], "raise"))
		rc = shugo_event_raise(argv[1], argv[2], state, detail, flags);
	else
		rc = shugo_event_clear(argv[1], state, detail);
	if (rc == 0)
		return 0;
	fprintf(stderr, "shugo-event: %s\n", shugo_event_reason());
	return errno == EINVAL ? 1 : 3;
}
