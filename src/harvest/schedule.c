/* The harvester's configuration ([fetch] and [harvest NAME] sections, docs/CONFIG.md) and the
 * schedule of the configured jobs: each has daily slots at + k * every (UTC); a job is due when
 * its last success is older than the latest slot, so after downtime it runs once and its own
 * incremental state (OAI from, HF days) catches up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/date.h"
#include "../util/duration.h"
#include "harvest_int.h"

#define DEFAULT_AT_S (2 * 3600) /* 02:00 UTC: after arXiv's announcement at 20:00 US Eastern */
#define DEFAULT_EVERY_S 86400
#define DEFAULT_RETRY_S (15 * 60)

void harvest_job_init(struct harvest_job *j, enum harvest_source source)
{
    memset(j, 0, sizeof *j);
    j->source = source;
    j->initial_days = 3;
    j->max = 100;
    j->page_size = 100;
    j->catch_up_days = 7;
    j->at_s = DEFAULT_AT_S;
    j->every_s = DEFAULT_EVERY_S;
    j->retry_s = DEFAULT_RETRY_S;
}

void harvest_job_clear(struct harvest_job *j)
{
    char **s[] = {&j->name,  &j->base_url, &j->set,      &j->prefix, &j->from,
                  &j->query, &j->sort,     &j->category, &j->date};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        xfree(*s[i]);
    harvest_job_init(j, j->source);
}

/* --- configuration --- */

static const char *const harvest_keys[] = {
    "source", "enabled",      "base-url", "at",  "every",     "retry", "set",      "prefix",
    "from",   "initial-days", "query",    "max", "page-size", "sort",  "category", "catch-up-days",
    NULL};

/* Keys that belong to one source only. */
static const struct {
    const char *key;
    enum harvest_source source;
} source_keys[] = {
    {"set", HARVEST_OAI},          {"prefix", HARVEST_OAI}, {"from", HARVEST_OAI},
    {"initial-days", HARVEST_OAI}, {"query", HARVEST_API},  {"max", HARVEST_API},
    {"page-size", HARVEST_API},    {"sort", HARVEST_API},   {"category", HARVEST_RSS},
    {"catch-up-days", HARVEST_HF},
};

static int bad(char *err, size_t errlen, const struct config *c, const char *name, const char *key,
               const char *why)
{
    snprintf(err, errlen, "%s:%d: %s in [harvest %s] %s", config_file(c),
             config_line(c, "harvest", name, key), key, name, why);
    return PB_EINVAL;
}

static int is_url(const char *v)
{
    char host[256];
    return !fetch_url_host(v, host, sizeof host);
}

/* "HH:MM" -> seconds after midnight. */
static int parse_hhmm(const char *v, int64_t *out)
{
    if (strlen(v) != 5 || v[2] != ':')
        return PB_EINVAL;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (v[i] < '0' || v[i] > '9'))
            return PB_EINVAL;
    int hh = (v[0] - '0') * 10 + (v[1] - '0'), mm = (v[3] - '0') * 10 + (v[4] - '0');
    if (hh > 23 || mm > 59)
        return PB_EINVAL;
    *out = hh * 3600 + mm * 60;
    return 0;
}

/* Category names as arXiv writes them, several joined by '+': "cs.LG", "astro-ph.CO+gr-qc". */
static int is_category(const char *v)
{
    if (!*v || strlen(v) > 200)
        return 0;
    for (const char *p = v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '+'))
            return 0;
    return 1;
}

static int is_day(const char *v)
{
    int64_t d;
    return !date_parse_day(v, &d);
}

static int job_from_config(const struct config *c, const char *name, struct harvest_job *j,
                           int *is_enabled, char *err, size_t errlen)
{
    const char *v = config_get(c, "harvest", name, "source");
    enum harvest_source src = HARVEST_OAI;
    if (v) {
        if (!strcmp(v, "oai"))
            src = HARVEST_OAI;
        else if (!strcmp(v, "api"))
            src = HARVEST_API;
        else if (!strcmp(v, "rss"))
            src = HARVEST_RSS;
        else if (!strcmp(v, "hf"))
            src = HARVEST_HF;
        else
            return bad(err, errlen, c, name, "source", "must be oai, api, rss or hf");
    }
    harvest_job_init(j, src);
    j->name = xstrdup(name);
    for (size_t i = 0; i < sizeof source_keys / sizeof source_keys[0]; i++) {
        if (source_keys[i].source != src && config_get(c, "harvest", name, source_keys[i].key)) {
            char why[96];
            snprintf(why, sizeof why, "does not apply to source = %s (only to %s)",
                     harvest_source_name(src), harvest_source_name(source_keys[i].source));
            return bad(err, errlen, c, name, source_keys[i].key, why);
        }
    }
    *is_enabled = 1;
    if ((v = config_get(c, "harvest", name, "enabled"))) {
        if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
            *is_enabled = 1;
        else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
            *is_enabled = 0;
        else
            return bad(err, errlen, c, name, "enabled", "must be yes or no");
    }
    if ((v = config_get(c, "harvest", name, "base-url"))) {
        if (!is_url(v))
            return bad(err, errlen, c, name, "base-url", "must be an http:// or https:// URL");
        j->base_url = xstrdup(v);
    }
    if ((v = config_get(c, "harvest", name, "at")) && parse_hhmm(v, &j->at_s))
        return bad(err, errlen, c, name, "at", "must be a time of day HH:MM (UTC)");
    int64_t ms;
    if ((v = config_get(c, "harvest", name, "every"))) {
        if (duration_parse(v, &ms) || ms < 10 * 60 * 1000)
            return bad(err, errlen, c, name, "every",
                       "must be a duration of 10 minutes or more (10m, 6h, 1d)");
        j->every_s = ms / 1000;
    }
    if ((v = config_get(c, "harvest", name, "retry"))) {
        if (duration_parse(v, &ms) || ms < 1000)
            return bad(err, errlen, c, name, "retry", "must be a duration of 1 s or more");
        j->retry_s = ms / 1000;
    }
    long n;
    switch (src) {
    case HARVEST_OAI:
        if ((v = config_get(c, "harvest", name, "set")))
            j->set = xstrdup(v);
        if ((v = config_get(c, "harvest", name, "prefix"))) {
            if (strcmp(v, "arXivRaw") && strcmp(v, "arXiv"))
                return bad(err, errlen, c, name, "prefix", "must be arXivRaw or arXiv");
            j->prefix = xstrdup(v);
        }
        if ((v = config_get(c, "harvest", name, "from"))) {
            if (!is_day(v))
                return bad(err, errlen, c, name, "from", "must be a day YYYY-MM-DD");
            j->from = xstrdup(v);
        }
        n = j->initial_days;
        if (config_get_int(c, "harvest", name, "initial-days", 0, 100000, &n, err, errlen))
            return PB_EINVAL;
        j->initial_days = (int)n;
        break;
    case HARVEST_API:
        if (!(v = config_get(c, "harvest", name, "query")) || !*v)
            return bad(err, errlen, c, name, "query", "is needed for source = api");
        j->query = xstrdup(v);
        if (config_get_int(c, "harvest", name, "max", 1, HARVEST_API_MAX, &j->max, err, errlen) ||
            config_get_int(c, "harvest", name, "page-size", 1, HARVEST_API_PAGE_MAX, &j->page_size,
                           err, errlen))
            return PB_EINVAL;
        if ((v = config_get(c, "harvest", name, "sort"))) {
            if (strcmp(v, "submittedDate") && strcmp(v, "lastUpdatedDate") &&
                strcmp(v, "relevance"))
                return bad(err, errlen, c, name, "sort",
                           "must be submittedDate, lastUpdatedDate or relevance");
            j->sort = xstrdup(v);
        }
        break;
    case HARVEST_RSS:
        if (!(v = config_get(c, "harvest", name, "category")) || !is_category(v))
            return bad(err, errlen, c, name, "category",
                       "is needed for source = rss: an arXiv category such as cs.LG, several "
                       "joined by '+'");
        j->category = xstrdup(v);
        break;
    case HARVEST_HF:
        n = j->catch_up_days;
        if (config_get_int(c, "harvest", name, "catch-up-days", 1, 365, &n, err, errlen))
            return PB_EINVAL;
        j->catch_up_days = (int)n;
        break;
    }
    return 0;
}

int harvester_new(const struct config *c, struct harvester **out, char *err, size_t errlen)
{
    *out = NULL;
    struct harvester *h = xcalloc(1, sizeof *h);
    h->cfg = c;
    h->clock = fetch_real_clock;
    fetch_opts_init(&h->fopts);
    h->urls[HARVEST_OAI] = HARVEST_OAI_URL;
    h->urls[HARVEST_API] = HARVEST_API_URL;
    h->urls[HARVEST_RSS] = HARVEST_RSS_URL;
    h->urls[HARVEST_HF] = HARVEST_HF_URL;
    atomic_init(&h->is_cancelled, 0);
    int rc = 0;
    if (c) {
        rc = fetch_opts_config(&h->fopts, c, err, errlen);
        static const char *const url_keys[] = {"oai-url", "api-url", "rss-url", "hf-url"};
        for (int i = 0; i < 4 && !rc; i++) {
            const char *v = config_get(c, "fetch", NULL, url_keys[i]);
            if (!v)
                continue;
            if (!is_url(v)) {
                snprintf(err, errlen, "%s:%d: %s in [fetch] must be an http:// or https:// URL",
                         config_file(c), config_line(c, "fetch", NULL, url_keys[i]), url_keys[i]);
                rc = PB_EINVAL;
            }
            h->urls[i] = v;
        }
        if (!rc)
            rc = config_check_keys(c, "harvest", harvest_keys, err, errlen);
        const char **names;
        int n = rc ? 0 : config_sections((struct config *)c, "harvest", &names);
        /* config_sections' array is reused by the next call: copy the names first. */
        char **copy = xcalloc((size_t)n + 1, sizeof *copy);
        for (int i = 0; i < n; i++)
            copy[i] = xstrdup(names[i]);
        h->jobs = xcalloc((size_t)n + 1, sizeof *h->jobs);
        for (int i = 0; i < n && !rc; i++) {
            if (!copy[i][0]) {
                snprintf(err, errlen, "%s: a [harvest] section needs a name: [harvest NAME]",
                         config_file(c));
                rc = PB_EINVAL;
                break;
            }
            int is_enabled;
            struct harvest_job *j = &h->jobs[h->n_jobs];
            rc = job_from_config(c, copy[i], j, &is_enabled, err, errlen);
            if (!rc && is_enabled)
                h->n_jobs++;
            else
                harvest_job_clear(j);
        }
        for (int i = 0; i < n; i++)
            xfree(copy[i]);
        xfree(copy);
    }
    if (rc) {
        harvester_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

void harvester_free(struct harvester *h)
{
    if (!h)
        return;
    for (int i = 0; i < h->n_jobs; i++)
        harvest_job_clear(&h->jobs[i]);
    xfree(h->jobs);
    for (int i = 0; i < 4; i++)
        xfree(h->url_override[i]);
    fetch_free(h->fetch);
    xfree(h);
}

void harvester_set_hooks(struct harvester *h, const struct harvest_hooks *hooks)
{
    h->hooks = *hooks;
}

void harvester_set_clock(struct harvester *h, const struct fetch_clock *clock,
                         struct fetch_pacer *pacer)
{
    h->clock = clock ? *clock : fetch_real_clock;
    h->has_clock = clock != NULL;
    h->pacer = pacer;
    fetch_free(h->fetch);
    h->fetch = NULL;
}

void harvester_set_base_url(struct harvester *h, enum harvest_source source, const char *url)
{
    xfree(h->url_override[source]);
    h->url_override[source] = xstrdup(url);
    h->urls[source] = h->url_override[source];
}

struct fetch_opts *harvester_fetch_opts(struct harvester *h)
{
    fetch_free(h->fetch); /* made again with the options as they will be */
    h->fetch = NULL;
    return &h->fopts;
}

void harvester_cancel(struct harvester *h, int is_cancelled)
{
    atomic_store(&h->is_cancelled, is_cancelled);
}

int harvester_jobs(const struct harvester *h, const struct harvest_job **jobs)
{
    *jobs = h->jobs;
    return h->n_jobs;
}

/* --- the schedule --- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* The latest slot at or before now. */
static int64_t last_slot(const struct harvest_job *j, int64_t now)
{
    return j->at_s + floor_div(now - j->at_s, j->every_s) * j->every_s;
}

static int64_t ts_or(const char *t, int64_t dflt)
{
    int64_t v;
    return t && !date_parse_ts(t, &v) ? v : dflt;
}

/* When job j is next due, given its state (NULL: never ran). now itself when due now. */
static int64_t due_at(const struct harvest_job *j, const struct store_harvest *st, int64_t now)
{
    int64_t slot = last_slot(j, now);
    int64_t ok = st ? ts_or(st->ok_at, INT64_MIN) : INT64_MIN;
    if (ok >= slot)
        return slot + j->every_s;
    int64_t attempt = st ? ts_or(st->attempt_at, INT64_MIN) : INT64_MIN;
    if (!st || !st->failures || attempt < slot || attempt == INT64_MIN)
        return now; /* missed (downtime included) or never ran */
    int64_t wait = j->retry_s;
    for (long long i = 1; i < st->failures && wait < j->every_s; i++)
        wait *= 2;
    if (wait > j->every_s)
        wait = j->every_s;
    int64_t when = attempt + wait;
    if (when > slot + j->every_s)
        when = slot + j->every_s;
    return when > now ? when : now;
}

static int job_due_at(struct harvester *h, struct store *s, const struct harvest_job *j,
                      int64_t now, int64_t *when)
{
    char *key = harvest__key(h, j);
    struct store_harvest st;
    store_harvest_init(&st);
    int rc = store_harvest_get(s, key, &st);
    xfree(key);
    if (rc && rc != PB_ENOTFOUND) {
        store_harvest_clear(&st);
        return rc;
    }
    *when = due_at(j, rc ? NULL : &st, now);
    store_harvest_clear(&st);
    return 0;
}

int harvest_next_due(struct harvester *h, struct store *s, int64_t now_s, int64_t *when_s)
{
    *when_s = INT64_MAX;
    for (int i = 0; i < h->n_jobs; i++) {
        int64_t w;
        int rc = job_due_at(h, s, &h->jobs[i], now_s, &w);
        if (rc)
            return rc;
        if (w < *when_s)
            *when_s = w;
    }
    return 0;
}

int harvest_run_due(struct harvester *h, struct store *s, int64_t now_s, struct harvest_stats *st,
                    char *err, size_t errlen)
{
    int first_rc = 0;
    if (errlen)
        err[0] = 0;
    for (int i = 0; i < h->n_jobs; i++) {
        const struct harvest_job *j = &h->jobs[i];
        int64_t when;
        char msg[512];
        int rc = job_due_at(h, s, j, now_s, &when);
        if (rc) {
            snprintf(msg, sizeof msg, "harvest %s: database: %s", j->name, store_errmsg(s));
        } else if (when > now_s) {
            continue;
        } else {
            struct harvest_stats one;
            rc = harvest_run(h, s, j, now_s, &one, msg, sizeof msg);
            if (st) {
                st->pages += one.pages;
                st->records += one.records;
                st->n_new += one.n_new;
                st->n_updated += one.n_updated;
                st->n_unchanged += one.n_unchanged;
                st->n_deleted += one.n_deleted;
                st->n_rejected += one.n_rejected;
                st->bytes += one.bytes;
            }
            if (!rc)
                harvest__log(h, "harvest %s: %ld records, %ld new, %ld updated", j->name,
                             one.records, one.n_new, one.n_updated);
        }
        if (rc) {
            harvest__log(h, "harvest %s failed: %s", j->name, msg);
            if (!first_rc) {
                first_rc = rc;
                snprintf(err, errlen, "harvest %s: %s", j->name, msg);
            }
            if (rc == PB_ESTOP)
                break;
        }
    }
    return first_rc;
}
