/* Host resources: CPU, memory, swap, load average and filesystems, read from
 * /proc and statvfs. Values in hundredths, as SHUGO-MIB's ShugoHundredths. */
#ifndef SHUGO_MON_SYS_H
#define SHUGO_MON_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sys_cpu_prev { uint64_t busy, total; bool valid; };

/* CPU busy % since the previous call (hundredths). false on the first call or error. */
bool mon_sys_cpu(struct sys_cpu_prev *prev, uint32_t *value);
/* Memory used % (MemTotal - MemAvailable). detail gets e.g. "81.50% of 23.4 GiB used". */
bool mon_sys_memory(uint32_t *value, char *detail, size_t dlen);
/* Swap used %; a host without swap reads 0 and true. */
bool mon_sys_swap(uint32_t *value, char *detail, size_t dlen);
/* 1-minute load average in hundredths. */
bool mon_sys_load(uint32_t *value, char *detail, size_t dlen);
/* Filesystem at path: % of blocks used as df counts it. false if not mounted/unreadable. */
bool mon_sys_fs(const char *path, uint32_t *value, char *detail, size_t dlen);

#endif
