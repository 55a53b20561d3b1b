/* Log watching: the configured files followed as they grow, every new line
 * matched against its watch's pattern, a match sent as shugoLogMatch with the
 * detection time (rate-limited, the excess summarized), and the read position
 * kept in the state directory so that a restart neither loses nor repeats a
 * line, even across a rotation (JP10247911, F-003-2). */
#ifndef SHUGO_MON_LOG_H
#define SHUGO_MON_LOG_H

#include <stdint.h>
#include "agent.h"

/* (Re)bind the watches to cfg: a watch kept by name and path goes on where
 * it was; the first call reads the positions the last run saved. */
int logs_configure(struct agent *a, const struct shugo_config *cfg);
/* On the sampling timer: read what the files gained. */
void logs_sample(struct agent *a, uint64_t now_ms);
/* Save the positions and close the files. */
void logs_free(struct agent *a);

#endif
