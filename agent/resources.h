/* Host resources and NICs: sampled on the agent's timer into the local data,
 * judged against thresholds (with hysteresis) or link/traffic, and every state
 * change raised or cleared as an alarm. */
#ifndef SHUGO_RESOURCES_H
#define SHUGO_RESOURCES_H

#include <stdbool.h>
#include <stdint.h>
#include "agent.h"

int res_configure(struct agent *a, const struct shugo_config *cfg);
void res_sample(struct agent *a, uint64_t now_ms);
void res_free(struct agent *a);
struct res_rt *res_find(struct agent *a, const char *name, size_t len);
struct nic_rt *nic_find(struct agent *a, const char *name, size_t len);
/* Judge one resource again after its thresholds changed by SET. */
void res_rejudge(struct agent *a, struct res_rt *r);
/* A NIC's capture fd is readable. */
void nic_capture_ready(struct agent *a, int fd, uint64_t now_ms);

typedef void (*res_fd_cb)(int fd, bool add);
void res_set_fd_hook(res_fd_cb cb);

#endif
