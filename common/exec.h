/* Remote execution, pure: how a request's arguments and environment are read
 * (words split as a POSIX shell splits them, without ever running one), and
 * whether a request is admitted (JP9319720/JP10320338: name-only start from
 * the configured search path, start authority, capacity, never twice for one
 * request id). The agent's exec table asks; it does the lookups and the
 * start. */
#ifndef SHUGO_EXEC_H
#define SHUGO_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

#define EXEC_ARGS_MAX 256   /* words */
#define EXEC_ENV_MAX 64     /* NAME=value pairs */

/* shugoExecRefusal */
enum exec_refusal {
	EXR_NONE = 1, EXR_UNKNOWN_PROGRAM, EXR_NOT_ALLOWED, EXR_BUSY, EXR_DUPLICATE, EXR_START_FAILED,
};

/* Split s into words: blanks separate; '...' keeps everything literally;
 * "..." keeps all but \" \\ \$ \` (which lose their backslash); a backslash
 * outside quotes keeps the next character. No expansion of any kind. The
 * words go into *argv (NULL-terminated, one allocation: free(*argv)). NULL,
 * or what is wrong ("unterminated quote", "too many arguments"). */
const char *exec_split_args(const char *s, char ***argv, size_t *argc);
/* "NAME=value" lines (empty lines skipped) into *env like the above; NAME
 * [A-Za-z_][A-Za-z0-9_]*. NULL, or what is wrong. */
const char *exec_parse_env(const char *s, char ***env, size_t *envc);

/* The facts the agent gathered for one request. */
struct exec_facts {
	const char *program;   /* shugoExecProgram */
	const char *requester; /* shugoExecRequester */
	bool id_used;          /* a request with this id has been run (or refused) before */
	const char *found;     /* the program's path in the search path, NULL if none */
	uint32_t running;      /* programs of remote execution running now */
};

/* The verdict; why (for shugoExecReason) is written into why. */
enum exec_refusal exec_admit(const struct cfg_exec *c, const struct exec_facts *f, char *why, size_t size);

#endif
