/* Private to src/harvest: the harvester and helpers shared by harvest.c (the runs) and
 * schedule.c (configuration and the schedule). */
#ifndef PB_HARVEST_HARVEST_INT_H
#define PB_HARVEST_HARVEST_INT_H
#include <stdatomic.h>

#include "harvest.h"

struct harvester {
    const struct config *cfg;
    struct fetch_opts fopts;
    struct fetch *fetch;       /* made at the first request, after fopts may have changed */
    struct fetch_pacer *pacer; /* NULL: the process-wide one */
    struct fetch_clock clock;  /* for the harvest's own waits; the real one by default */
    int has_clock;
    struct harvest_hooks hooks;
    const char *urls[4];   /* default base URL per source (config or built in) */
    char *url_override[4]; /* harvester_set_base_url's copies */
    struct harvest_job *jobs;
    int n_jobs;
    atomic_int is_cancelled;
};

void harvest__log(struct harvester *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *harvest__base_url(const struct harvester *h, const struct harvest_job *j);
/* The harvests-table key of a job (caller frees). */
char *harvest__key(const struct harvester *h, const struct harvest_job *j);

#endif
