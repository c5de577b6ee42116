/* HTTP GET for the live harvesters, polite by construction. A struct fetch is one libcurl easy
 * handle (one connection kept alive, as arXiv asks) whose response bodies go to a sink as they
 * arrive: nothing buffers a whole body, and a body past max_body is cut off with PB_ETOOBIG.
 * Politeness: a process-wide pacer lets one request at a time go to a host, and not before
 * the host's interval has passed since the previous one ended (>= 3 s for arXiv's hosts, which
 * configuration can raise, never lower); 503/429 with Retry-After is honoured; network errors
 * and 5xx are retried with exponential backoff. The clock is injectable so tests never sleep.
 * fetch.c holds the curl code (the only place with curl.h besides mail); fetch_util.c the pure
 * parts (pacer, Retry-After, options), which the unit tests and fuzz targets use alone.
 * Behaviour on each error is described in docs/HARVESTING.md. */
#ifndef PB_INGEST_FETCH_H
#define PB_INGEST_FETCH_H
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

#define FETCH_ARXIV_MIN_INTERVAL_MS 3000 /* arXiv: one request every 3 s, per host */
#define FETCH_MAX_URL 16384              /* longer URLs are refused (PB_ETOOBIG) */

/* Time for the pacer and the retries. now_ms is monotonic milliseconds; sleep_ms waits (a fake
 * clock advances itself); wall_s is seconds since the epoch, for Retry-After dates. */
struct fetch_clock {
    void *ctx;
    int64_t (*now_ms)(void *ctx);
    void (*sleep_ms)(void *ctx, int64_t ms);
    int64_t (*wall_s)(void *ctx);
};
/* The real clock (CLOCK_MONOTONIC, nanosleep, CLOCK_REALTIME). */
extern const struct fetch_clock fetch_real_clock;

struct fetch_opts {
    const char *contact;        /* e-mail or URL for the User-Agent (not copied); NULL: none */
    int64_t interval_ms;        /* between requests to one host that is not arXiv's (1 s) */
    int64_t arxiv_interval_ms;  /* between requests to one arXiv host (3 s; never less) */
    int64_t timeout_ms;         /* an attempt that receives nothing for this long fails (60 s;
                                   measured by the second) */
    int64_t max_time_ms;        /* an attempt that lasts longer fails (10 min) */
    int64_t connect_timeout_ms; /* (20 s) */
    int retries;                /* more attempts after a network error, 5xx, 429 or 408 (5) */
    int64_t backoff_ms;         /* wait before the first retry, doubled each time (5 s) */
    int64_t max_backoff_ms;     /* cap of that doubling (5 min) */
    int64_t max_retry_after_ms; /* a longer Retry-After makes the request fail (10 min) */
    size_t max_body;            /* bytes of one response body, after gunzip (256 MiB) */
    /* Told about each retry ("HOST answered HTTP 503; trying again in 3000 ms (attempt 2 of
     * 6)"), on the thread of fetch_get; NULL: silent. */
    void (*log)(void *ctx, const char *msg);
    void *log_ctx;
    /* Asked while waiting for a turn and during a transfer: non-zero stops both, and fetch_get
     * returns PB_ESTOP ("cancelled"). NULL: never. Lets a server stop without sitting out a
     * Retry-After of ten minutes. */
    int (*is_cancelled)(void *ctx);
    void *cancel_ctx;
};
/* The defaults above. */
void fetch_opts_init(struct fetch_opts *o);
/* Keys of the [fetch] configuration section (NULL-terminated), for config_check_keys. */
extern const char *const fetch_config_keys[];
/* Read [fetch] (docs/CONFIG.md) over the values in o. Returns 0, or PB_EINVAL with
 * "FILE:LINE: why" in err (an unreadable duration, arxiv-interval below 3 s, ...). The contact
 * string points into c, which must outlive o. */
struct config;
PB_MUST_CHECK int fetch_opts_config(struct fetch_opts *o, const struct config *c, char *err,
                                    size_t errlen);

/* --- pure helpers (fetch_util.c) --- */

/* 1 if host is one of arXiv's (arxiv.org or a subdomain: export., oaipmh., rss., ...). */
int fetch_is_arxiv_host(const char *host);
/* The interval the pacer keeps for host under o: arXiv's hosts never below 3 s. */
int64_t fetch_host_interval(const struct fetch_opts *o, const char *host);
/* Wait before retry number attempt (1-based): backoff_ms * 2^(attempt-1), capped. */
int64_t fetch_backoff_ms(const struct fetch_opts *o, int attempt);
/* A Retry-After header value (RFC 9110: delay-seconds or an HTTP-date) as seconds to wait
 * from now_s (seconds since the epoch); a date in the past is 0. Returns 0 or PB_EINVAL. */
PB_MUST_CHECK int fetch_parse_retry_after(const char *value, int64_t now_s, int64_t *delay_s);
/* The host part of an http(s) URL into out (lower-cased, without port or credentials).
 * Returns 0 or PB_EINVAL when url is not http:// or https:// with a host. */
PB_MUST_CHECK int fetch_url_host(const char *url, char *out, size_t outlen);
/* Percent-encode s for a URL query value (unreserved characters stay). Caller frees. */
char *fetch_escape(const char *s);
/* The User-Agent: "paperboy/VERSION (+mailto:CONTACT)" or "(+URL)", or "paperboy/VERSION".
 * Caller frees. */
char *fetch_user_agent(const char *contact);

/* The pacer: per host, one request at a time and a pause between them. Thread-safe. */
struct fetch_pacer;
/* A pacer on clock (copied; NULL: the real clock). */
struct fetch_pacer *fetch_pacer_new(const struct fetch_clock *clock);
void fetch_pacer_free(struct fetch_pacer *p);
/* The process-wide pacer every struct fetch uses unless given another: a harvest on the
 * scheduler thread and a lookup from a web request share each host's turn. */
struct fetch_pacer *fetch_pacer_global(void);
/* Wait (sleeping on the pacer's clock) until no other request to host is running and
 * interval_ms has passed since the last one ended; then host is busy until release. With
 * is_cancelled, the wait is slept in slices of at most FETCH_CANCEL_SLICE_MS and gives up
 * when it answers non-zero. Returns 0 (the turn is taken) or PB_ESTOP (cancelled, no turn). */
#define FETCH_CANCEL_SLICE_MS 100
int fetch_pacer_acquire(struct fetch_pacer *p, const char *host, int64_t interval_ms,
                        int (*is_cancelled)(void *ctx), void *cancel_ctx);
/* The request to host is over; the next may start interval_ms (as given to acquire) or
 * extra_ms (a Retry-After, a backoff), whichever is longer, from now. */
void fetch_pacer_release(struct fetch_pacer *p, const char *host, int64_t extra_ms);

/* --- the client (fetch.c) --- */

/* Where a response body goes. begin is called once per attempt whose body will be delivered
 * (any status but the retried ones: 5xx, 429, 408), before its first byte or, for an empty
 * body, after the transfer; a retry after a partly delivered body calls begin again, so the
 * sink starts over (a new parser). data gets the body in pieces as they arrive. A non-zero
 * return from either stops the transfer and is what fetch_get returns (no retry). */
struct fetch_sink {
    void *ctx;
    int (*begin)(void *ctx, long status);
    int (*data)(void *ctx, const char *p, size_t n);
};

struct fetch_result {
    long status;     /* HTTP status of the last attempt, 0 if none came */
    int attempts;    /* requests sent */
    long long bytes; /* body bytes of the last attempt */
    char msg[320];   /* on failure: what, where and why, in plain words */
};

struct fetch;
/* A client with options o (copied; o->contact must outlive the client), the pacer p (NULL:
 * fetch_pacer_global()) and clock (NULL: real). Never fails (aborts on OOM). A struct fetch is
 * used by one thread at a time; make one per thread. */
struct fetch *fetch_new(const struct fetch_opts *o, struct fetch_pacer *p,
                        const struct fetch_clock *clock);
void fetch_free(struct fetch *f);
/* GET url, body to sink. Returns 0 when a response was delivered (res->status tells which:
 * 2xx, 3xx past the redirect limit, 4xx, or the 5xx of the last attempt is NOT delivered),
 * the sink's non-zero code, PB_ETOOBIG (body over max_body, URL too long), PB_EINVAL (not an
 * http(s) URL), or PB_EIO (network errors or 5xx/429 on every attempt, a Retry-After beyond
 * max_retry_after). res->msg says why. */
PB_MUST_CHECK int fetch_get(struct fetch *f, const char *url, const struct fetch_sink *sink,
                            struct fetch_result *res);

#endif
