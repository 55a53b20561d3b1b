/* libFuzzer harness for the configuration parser: any bytes through cfg_parse
 * and cfg_free. Crashes, sanitizer reports and leaks are the findings; a
 * rejected file is an ordinary outcome. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct shugo_config *c;

	/* A fixed node name keeps runs reproducible (no gethostname). */
	c = cfg_parse("fuzz.yaml", (const char *)data, size, "alpha", err, sizeof err);
	if (c) {
		/* Touch the lookups on what was accepted. */
		for (size_t i = 0; i < c->n_procs; i++)
			if (cfg_find_proc(c, c->procs[i].name) != &c->procs[i])
				__builtin_trap();
		for (size_t i = 0; i < c->n_targets; i++)
			if (c->targets[i].version == 3 && !cfg_find_user(c, c->targets[i].user))
				__builtin_trap();
	}
	cfg_free(c);
	return 0;
}
