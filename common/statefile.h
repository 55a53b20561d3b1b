/* Small persistent state of a daemon kept in its state directory. */
#ifndef SHUGO_STATEFILE_H
#define SHUGO_STATEFILE_H

#include <stdint.h>

/* Create dir (mode 0700) and its parents if missing. 0 / -1 (errno). */
int state_mkdir(const char *dir);
/* Read dir/bootcount, add one, write it back atomically (rename), return the new
 * value (1 on first start). 0 on failure, errno set. */
uint32_t state_bump_boot(const char *dir);

#endif
