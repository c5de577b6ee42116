/* The HTTP client of the harvesters (API and behaviour in fetch.h): libcurl's easy interface,
 * one handle per struct fetch, reused so the connection stays open between requests. Bodies
 * are handed to the sink from curl's write callback as they arrive. Retries, Retry-After and
 * backoff happen here, their waits in the pacer (fetch_util.c), so that every thread going to
 * the same host waits too. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../util/alloc.h"
#include "fetch.h"

struct fetch {
    CURL *curl;
    struct fetch_opts opts;
    struct fetch_pacer *pacer;
    struct fetch_clock clock;
    char *user_agent;
};

/* One attempt's state, seen by curl's callbacks. */
struct attempt {
    struct fetch *f;
    const struct fetch_sink *sink;
    int is_started;    /* the first body byte (or the end) has been seen */
    int is_discarding; /* a status that will be retried: the body is dropped */
    int is_too_big;
    int sink_rc; /* what the sink returned to stop us */
    long long bytes;
    int64_t last_rx_ms; /* when bytes last came (monotonic) */
    int is_idle;        /* nothing came for timeout_ms */
    int is_cancelled;   /* opts.is_cancelled said so */
    char retry_after[80];
};

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* curl's own low-speed limit averages over several seconds, so a burst followed by silence
 * goes unnoticed for a while; this measures the silence itself. Called about once a second. */
static int on_xferinfo(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    struct attempt *a = ud;
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const struct fetch_opts *o = &a->f->opts;
    if (o->is_cancelled && o->is_cancelled(o->cancel_ctx)) {
        a->is_cancelled = 1;
        return 1; /* abort */
    }
    if (mono_ms() - a->last_rx_ms > o->timeout_ms) {
        a->is_idle = 1;
        return 1; /* abort */
    }
    return 0;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct fetch *fetch_new(const struct fetch_opts *o, struct fetch_pacer *p,
                        const struct fetch_clock *clock)
{
    pthread_once(&curl_once, curl_init_once);
    struct fetch *f = xcalloc(1, sizeof *f);
    f->opts = *o;
    f->pacer = p ? p : fetch_pacer_global();
    f->clock = clock ? *clock : fetch_real_clock;
    f->curl = curl_easy_init();
    if (!f->curl) {
        fprintf(stderr, "paperboy: cannot initialise libcurl\n");
        abort();
    }
    f->user_agent = fetch_user_agent(o->contact);
    return f;
}

void fetch_free(struct fetch *f)
{
    if (!f)
        return;
    curl_easy_cleanup(f->curl);
    xfree(f->user_agent);
    xfree(f);
}

static int is_retried_status(long status)
{
    return status >= 500 || status == 429 || status == 408;
}

static int start_body(struct attempt *a)
{
    a->is_started = 1;
    long status = 0;
    curl_easy_getinfo(a->f->curl, CURLINFO_RESPONSE_CODE, &status);
    if (is_retried_status(status)) {
        a->is_discarding = 1;
        return 0;
    }
    return a->sink->begin ? a->sink->begin(a->sink->ctx, status) : 0;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct attempt *a = ud;
    size_t n = size * nmemb;
    a->last_rx_ms = mono_ms();
    if (!a->is_started) {
        int rc = start_body(a);
        if (rc) {
            a->sink_rc = rc;
            return 0; /* anything but n aborts the transfer */
        }
    }
    a->bytes += (long long)n;
    if ((size_t)a->bytes > a->f->opts.max_body) {
        a->is_too_big = 1;
        return 0;
    }
    if (a->is_discarding || !n)
        return n;
    int rc = a->sink->data(a->sink->ctx, ptr, n);
    if (rc) {
        a->sink_rc = rc;
        return 0;
    }
    return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct attempt *a = ud;
    size_t n = size * nmemb;
    a->last_rx_ms = mono_ms();
    if (n >= 5 && !strncmp(ptr, "HTTP/", 5)) {
        a->retry_after[0] = 0; /* a new response (after a redirect or a 100) */
    } else if (n > 12 && !strncasecmp(ptr, "Retry-After:", 12)) {
        const char *v = ptr + 12;
        size_t k = n - 12;
        while (k && (*v == ' ' || *v == '\t')) {
            v++;
            k--;
        }
        while (k && (v[k - 1] == '\r' || v[k - 1] == '\n' || v[k - 1] == ' '))
            k--;
        if (k >= sizeof a->retry_after)
            k = 0; /* not a value we could read: ignored, backoff applies */
        memcpy(a->retry_after, v, k);
        a->retry_after[k] = 0;
    }
    return n;
}

/* Errors that another attempt will not fix. */
static int is_permanent(CURLcode cc)
{
    switch (cc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_OUT_OF_MEMORY: return 1;
    default: return 0;
    }
}

static void setup(struct fetch *f, const char *url, struct attempt *a, char *errbuf)
{
    CURL *c = f->curl;
    const struct fetch_opts *o = &f->opts;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, f->user_agent);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding curl can decode */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)o->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)o->max_time_ms);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xferinfo);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, a);
    a->last_rx_ms = mono_ms();
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    errbuf[0] = 0;
}

int fetch_get(struct fetch *f, const char *url, const struct fetch_sink *sink,
              struct fetch_result *res)
{
    memset(res, 0, sizeof *res);
    char host[256];
    if (strlen(url) > FETCH_MAX_URL) {
        snprintf(res->msg, sizeof res->msg, "URL longer than %d bytes", FETCH_MAX_URL);
        return PB_ETOOBIG;
    }
    if (fetch_url_host(url, host, sizeof host)) {
        snprintf(res->msg, sizeof res->msg, "'%.200s' is not an http:// or https:// URL", url);
        return PB_EINVAL;
    }
    int64_t interval = fetch_host_interval(&f->opts, host);
    int max_attempts = f->opts.retries + 1;
    for (int attempt = 1;; attempt++) {
        struct attempt a;
        memset(&a, 0, sizeof a);
        a.f = f;
        a.sink = sink;
        char errbuf[CURL_ERROR_SIZE];
        setup(f, url, &a, errbuf);
        if (fetch_pacer_acquire(f->pacer, host, interval, f->opts.is_cancelled,
                                f->opts.cancel_ctx)) {
            snprintf(res->msg, sizeof res->msg, "%s: cancelled before the request", host);
            return PB_ESTOP;
        }
        CURLcode cc = curl_easy_perform(f->curl);
        long status = 0;
        curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &status);
        res->attempts = attempt;
        res->status = status;
        res->bytes = a.bytes;

        int64_t wait = 0;
        int rc = 0, is_retry = 0;
        if (a.is_cancelled) {
            rc = PB_ESTOP;
            snprintf(res->msg, sizeof res->msg, "%s: cancelled during the transfer", host);
        } else if (a.sink_rc) {
            rc = a.sink_rc; /* the sink's own verdict: it wrote its message elsewhere */
            snprintf(res->msg, sizeof res->msg, "%s: stopped reading the response", host);
        } else if (a.is_too_big || cc == CURLE_FILESIZE_EXCEEDED) {
            rc = PB_ETOOBIG;
            snprintf(res->msg, sizeof res->msg, "%s: response larger than %zu MiB", host,
                     f->opts.max_body >> 20);
        } else if (a.is_idle) {
            rc = PB_EIO;
            snprintf(res->msg, sizeof res->msg, "%s: nothing received for %lld ms (timeout)", host,
                     (long long)f->opts.timeout_ms);
            is_retry = 1;
            wait = fetch_backoff_ms(&f->opts, attempt);
        } else if (cc != CURLE_OK) {
            rc = PB_EIO;
            snprintf(res->msg, sizeof res->msg, "%s: %s%s%s", host, curl_easy_strerror(cc),
                     errbuf[0] ? ": " : "", errbuf);
            size_t m = strlen(res->msg);
            while (m && res->msg[m - 1] == '\n')
                res->msg[--m] = 0;
            is_retry = !is_permanent(cc);
            wait = fetch_backoff_ms(&f->opts, attempt);
        } else if (is_retried_status(status)) {
            rc = PB_EIO;
            snprintf(res->msg, sizeof res->msg, "%s answered HTTP %ld", host, status);
            is_retry = 1;
            wait = fetch_backoff_ms(&f->opts, attempt);
            int64_t ra;
            if (a.retry_after[0] &&
                !fetch_parse_retry_after(a.retry_after, f->clock.wall_s(f->clock.ctx), &ra)) {
                wait = ra * 1000;
                if (wait > f->opts.max_retry_after_ms) {
                    size_t m = strlen(res->msg);
                    snprintf(res->msg + m, sizeof res->msg - m,
                             " asking to retry after %lld s, longer than max-retry-after",
                             (long long)ra);
                    wait = f->opts.max_retry_after_ms;
                    is_retry = 0;
                }
            }
        } else if (!a.is_started) {
            rc = start_body(&a); /* an empty body: the sink still learns the status */
        }
        if (is_retry && attempt >= max_attempts) {
            size_t m = strlen(res->msg);
            snprintf(res->msg + m, sizeof res->msg - m, " (%d attempt%s)", attempt,
                     attempt == 1 ? "" : "s");
            is_retry = 0;
        }
        /* The host's next turn is after the wait: another thread's request waits as well. */
        fetch_pacer_release(f->pacer, host, wait);
        if (!is_retry)
            return rc;
        if (f->opts.log) {
            char note[sizeof res->msg + 96];
            snprintf(note, sizeof note, "%s; trying again in %lld ms (attempt %d of %d)", res->msg,
                     (long long)(wait > 0 ? wait : 0), attempt + 1, max_attempts);
            f->opts.log(f->opts.log_ctx, note);
        }
    }
}
