/* The parts of the HTTP client that need no network (fetch.h): options and their [fetch]
 * configuration, the per-host pacer, Retry-After, URL helpers. Kept apart from fetch.c so unit
 * tests and fuzz targets exercise them with a fake clock and without curl. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../util/alloc.h"
#include "../util/config.h"
#include "../util/date.h"
#include "../util/duration.h"
#include "../util/version.h"
#include "fetch.h"

/* --- the real clock --- */

static int64_t real_now_ms(void *ctx)
{
    (void)ctx;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void real_sleep_ms(void *ctx, int64_t ms)
{
    (void)ctx;
    if (ms <= 0)
        return;
    struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0) {
    }
}

static int64_t real_wall_s(void *ctx)
{
    (void)ctx;
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec;
}

const struct fetch_clock fetch_real_clock = {NULL, real_now_ms, real_sleep_ms, real_wall_s};

/* --- options --- */

void fetch_opts_init(struct fetch_opts *o)
{
    memset(o, 0, sizeof *o);
    o->interval_ms = 1000;
    o->arxiv_interval_ms = FETCH_ARXIV_MIN_INTERVAL_MS;
    o->timeout_ms = 60 * 1000;
    o->max_time_ms = 10 * 60 * 1000;
    o->connect_timeout_ms = 20 * 1000;
    o->retries = 5;
    o->backoff_ms = 5000;
    o->max_backoff_ms = 5 * 60 * 1000;
    o->max_retry_after_ms = 10 * 60 * 1000;
    o->max_body = (size_t)256 << 20;
}

/* The last four are the harvesters' default base URLs (src/harvest), kept in the same section. */
const char *const fetch_config_keys[] = {
    "contact",     "interval",        "arxiv-interval", "timeout",
    "max-time",    "connect-timeout", "retries",        "backoff",
    "max-backoff", "max-retry-after", "max-body-mb",    "oai-url",
    "api-url",     "rss-url",         "hf-url",         NULL};

static int conf_duration(const struct config *c, const char *key, int64_t min_ms, int64_t *out,
                         char *err, size_t errlen)
{
    const char *v = config_get(c, "fetch", NULL, key);
    if (!v)
        return 0;
    int64_t ms;
    char lo[32];
    duration_format(min_ms, lo, sizeof lo);
    if (duration_parse(v, &ms)) {
        snprintf(err, errlen,
                 "%s:%d: %s in [fetch] must be a duration such as 3, 2.5s, 500ms, 10m, 1h; not "
                 "'%s'",
                 config_file(c), config_line(c, "fetch", NULL, key), key, v);
        return PB_EINVAL;
    }
    if (ms < min_ms) {
        snprintf(err, errlen, "%s:%d: %s in [fetch] is %s; it can be %s at least%s", config_file(c),
                 config_line(c, "fetch", NULL, key), key, v, lo,
                 !strcmp(key, "arxiv-interval")
                     ? " (arXiv asks for one request every 3 seconds; raise it, never lower)"
                     : "");
        return PB_EINVAL;
    }
    *out = ms;
    return 0;
}

int fetch_opts_config(struct fetch_opts *o, const struct config *c, char *err, size_t errlen)
{
    int rc = config_check_keys(c, "fetch", fetch_config_keys, err, errlen);
    if (rc)
        return rc;
    const char *contact = config_get(c, "fetch", NULL, "contact");
    if (contact && *contact) {
        for (const char *p = contact; *p; p++) {
            if ((unsigned char)*p < 0x20 || *p == '(' || *p == ')' || *p == 0x7f) {
                snprintf(err, errlen,
                         "%s:%d: contact in [fetch] must be an e-mail address or a URL, without "
                         "parentheses or control characters",
                         config_file(c), config_line(c, "fetch", NULL, "contact"));
                return PB_EINVAL;
            }
        }
        if (strlen(contact) > 200) {
            snprintf(err, errlen, "%s:%d: contact in [fetch] is longer than 200 bytes",
                     config_file(c), config_line(c, "fetch", NULL, "contact"));
            return PB_EINVAL;
        }
        o->contact = contact;
    }
    long retries = o->retries, body_mb = (long)(o->max_body >> 20);
    if ((rc = conf_duration(c, "interval", 0, &o->interval_ms, err, errlen)) ||
        (rc = conf_duration(c, "arxiv-interval", FETCH_ARXIV_MIN_INTERVAL_MS, &o->arxiv_interval_ms,
                            err, errlen)) ||
        (rc = conf_duration(c, "timeout", 1000, &o->timeout_ms, err, errlen)) ||
        (rc = conf_duration(c, "max-time", 1000, &o->max_time_ms, err, errlen)) ||
        (rc = conf_duration(c, "connect-timeout", 1000, &o->connect_timeout_ms, err, errlen)) ||
        (rc = conf_duration(c, "backoff", 0, &o->backoff_ms, err, errlen)) ||
        (rc = conf_duration(c, "max-backoff", 0, &o->max_backoff_ms, err, errlen)) ||
        (rc = conf_duration(c, "max-retry-after", 0, &o->max_retry_after_ms, err, errlen)) ||
        (rc = config_get_int(c, "fetch", NULL, "retries", 0, 100, &retries, err, errlen)) ||
        (rc = config_get_int(c, "fetch", NULL, "max-body-mb", 1, 16384, &body_mb, err, errlen)))
        return rc;
    o->retries = (int)retries;
    o->max_body = (size_t)body_mb << 20;
    return 0;
}

/* --- hosts, backoff, Retry-After --- */

int fetch_is_arxiv_host(const char *host)
{
    size_t n = strlen(host);
    static const char dom[] = "arxiv.org";
    size_t k = sizeof dom - 1;
    if (n && host[n - 1] == '.')
        n--; /* "arxiv.org." is the same host */
    if (n < k || strncasecmp(host + n - k, dom, k))
        return 0;
    return n == k || host[n - k - 1] == '.';
}

int64_t fetch_host_interval(const struct fetch_opts *o, const char *host)
{
    if (!fetch_is_arxiv_host(host))
        return o->interval_ms;
    return o->arxiv_interval_ms > FETCH_ARXIV_MIN_INTERVAL_MS ? o->arxiv_interval_ms
                                                              : FETCH_ARXIV_MIN_INTERVAL_MS;
}

int64_t fetch_backoff_ms(const struct fetch_opts *o, int attempt)
{
    int64_t d = o->backoff_ms;
    for (int i = 1; i < attempt && d < o->max_backoff_ms; i++)
        d *= 2;
    return d < o->max_backoff_ms ? d : o->max_backoff_ms;
}

int fetch_parse_retry_after(const char *value, int64_t now_s, int64_t *delay_s)
{
    const char *p = value;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p >= '0' && *p <= '9') {
        int64_t v = 0;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (v > 100000000)
                return PB_EINVAL; /* over three years: not a real answer */
            v = v * 10 + (*p - '0');
        }
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p)
            return PB_EINVAL;
        *delay_s = v;
        return 0;
    }
    /* An HTTP-date: "Sun, 06 Nov 1994 08:49:37 GMT", or the RFC 850 and asctime forms RFC
     * 9110 still makes recipients read (date_parse reads all three). A bare day is not a date
     * with a time: refused. */
    if (strlen(p) > 64)
        return PB_EINVAL;
    char ts[DATE_TS_LEN + 1];
    int64_t at;
    if (date_parse(p, ts) || strlen(ts) != DATE_TS_LEN || date_parse_ts(ts, &at))
        return PB_EINVAL;
    *delay_s = at > now_s ? at - now_s : 0;
    return 0;
}

int fetch_url_host(const char *url, char *out, size_t outlen)
{
    const char *p;
    if (!strncasecmp(url, "http://", 7))
        p = url + 7;
    else if (!strncasecmp(url, "https://", 8))
        p = url + 8;
    else
        return PB_EINVAL;
    size_t auth = strcspn(p, "/?#");
    const char *at = memchr(p, '@', auth);
    if (at) {
        auth -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    size_t n;
    if (*p == '[') { /* an IPv6 literal keeps its brackets */
        const char *close = memchr(p, ']', auth);
        if (!close)
            return PB_EINVAL;
        n = (size_t)(close + 1 - p);
    } else {
        n = strcspn(p, ":/?#");
        if (n > auth)
            n = auth;
    }
    if (!n || n >= outlen)
        return PB_EINVAL;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    out[n] = 0;
    return 0;
}

char *fetch_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = xmalloc(3 * n + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = 0;
    return out;
}

char *fetch_user_agent(const char *contact)
{
    if (!contact || !*contact)
        return xstrdup("paperboy/" PB_VERSION);
    if (strstr(contact, "://") || !strchr(contact, '@') || !strncmp(contact, "mailto:", 7))
        return xasprintf("paperboy/" PB_VERSION " (+%s)", contact);
    return xasprintf("paperboy/" PB_VERSION " (+mailto:%s)", contact);
}

/* --- the pacer --- */

struct host_turn {
    char *host;
    int is_busy;
    int64_t interval_ms; /* as given to the running request's acquire */
    int64_t not_before;  /* clock time the next request may start */
};

struct fetch_pacer {
    pthread_mutex_t mu;
    pthread_cond_t freed; /* some host stopped being busy */
    struct fetch_clock clock;
    struct host_turn *hosts;
    size_t n_hosts, cap_hosts;
};

struct fetch_pacer *fetch_pacer_new(const struct fetch_clock *clock)
{
    struct fetch_pacer *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->freed, NULL);
    p->clock = clock ? *clock : fetch_real_clock;
    return p;
}

void fetch_pacer_free(struct fetch_pacer *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_hosts; i++)
        xfree(p->hosts[i].host);
    xfree(p->hosts);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->freed);
    xfree(p);
}

static struct fetch_pacer *global_pacer;
static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    global_pacer = fetch_pacer_new(NULL); /* lives as long as the process */
}

struct fetch_pacer *fetch_pacer_global(void)
{
    pthread_once(&global_once, global_init);
    return global_pacer;
}

static struct host_turn *turn(struct fetch_pacer *p, const char *host)
{
    for (size_t i = 0; i < p->n_hosts; i++)
        if (!strcmp(p->hosts[i].host, host))
            return &p->hosts[i];
    /* Hosts come from configured base URLs: a handful. Reuse a slot nobody waits on. */
    int64_t now = p->clock.now_ms(p->clock.ctx);
    for (size_t i = 0; i < p->n_hosts && p->n_hosts >= 64; i++) {
        if (!p->hosts[i].is_busy && p->hosts[i].not_before <= now) {
            xfree(p->hosts[i].host);
            p->hosts[i] = (struct host_turn){xstrdup(host), 0, 0, 0};
            return &p->hosts[i];
        }
    }
    p->hosts = xgrow(p->hosts, sizeof *p->hosts, p->n_hosts + 1, &p->cap_hosts);
    p->hosts[p->n_hosts] = (struct host_turn){xstrdup(host), 0, 0, 0};
    return &p->hosts[p->n_hosts++];
}

int fetch_pacer_acquire(struct fetch_pacer *p, const char *host, int64_t interval_ms,
                        int (*is_cancelled)(void *ctx), void *cancel_ctx)
{
    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct host_turn *t = turn(p, host); /* looked up again: the array may have moved */
        if (t->is_busy) {
            if (!is_cancelled) {
                pthread_cond_wait(&p->freed, &p->mu);
                continue;
            }
            if (is_cancelled(cancel_ctx)) {
                pthread_mutex_unlock(&p->mu);
                return PB_ESTOP;
            }
            /* another request holds the turn: look again after a slice */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += FETCH_CANCEL_SLICE_MS * 1000000L;
            until.tv_sec += until.tv_nsec / 1000000000L;
            until.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&p->freed, &p->mu, &until);
            continue;
        }
        int64_t wait = t->not_before - p->clock.now_ms(p->clock.ctx);
        if (wait <= 0) {
            t->is_busy = 1;
            t->interval_ms = interval_ms;
            break;
        }
        if (is_cancelled && is_cancelled(cancel_ctx)) {
            pthread_mutex_unlock(&p->mu);
            return PB_ESTOP;
        }
        if (is_cancelled && wait > FETCH_CANCEL_SLICE_MS)
            wait = FETCH_CANCEL_SLICE_MS;
        /* Hold the turn while sleeping, so a second thread does not wake at the same moment
         * and both go; the sleep itself happens without the lock. */
        t->is_busy = 1;
        pthread_mutex_unlock(&p->mu);
        p->clock.sleep_ms(p->clock.ctx, wait);
        pthread_mutex_lock(&p->mu);
        t = turn(p, host);
        t->is_busy = 0;
        pthread_cond_broadcast(&p->freed); /* a waiter may be cancelled by now */
    }
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void fetch_pacer_release(struct fetch_pacer *p, const char *host, int64_t extra_ms)
{
    pthread_mutex_lock(&p->mu);
    struct host_turn *t = turn(p, host);
    int64_t gap = extra_ms > t->interval_ms ? extra_ms : t->interval_ms;
    t->not_before = p->clock.now_ms(p->clock.ctx) + gap;
    t->is_busy = 0;
    pthread_cond_broadcast(&p->freed);
    pthread_mutex_unlock(&p->mu);
}
