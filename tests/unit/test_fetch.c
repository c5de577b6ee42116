/* Unit tests for the network-free parts of the HTTP client (src/ingest/fetch_util.c) and the
 * harvest schedule (src/harvest/schedule.c), on a fake clock: arXiv's 3-second floor, per-host
 * turns, Retry-After, backoff, [fetch] options, durations, due times with catch-up. */
#include <pthread.h>
#include <stdint.h>

#include "../../src/harvest/harvest.h"
#include "../../src/ingest/fetch.h"
#include "../../src/util/alloc.h"
#include "../../src/util/config.h"
#include "../../src/util/date.h"
#include "../../src/util/duration.h"
#include "../harness.h"
#include "../tmpdir.h"

/* A clock that only moves when someone sleeps on it; thread-safe. */
struct fake_clock {
    pthread_mutex_t mu;
    int64_t now;
    int64_t slept;
};

static int64_t fake_now(void *ctx)
{
    struct fake_clock *c = ctx;
    pthread_mutex_lock(&c->mu);
    int64_t t = c->now;
    pthread_mutex_unlock(&c->mu);
    return t;
}

static void fake_sleep(void *ctx, int64_t ms)
{
    struct fake_clock *c = ctx;
    pthread_mutex_lock(&c->mu);
    c->now += ms;
    c->slept += ms;
    pthread_mutex_unlock(&c->mu);
}

static int64_t fake_wall(void *ctx)
{
    return 1700000000 + fake_now(ctx) / 1000;
}

static void fake_init(struct fake_clock *c, struct fetch_clock *fc)
{
    pthread_mutex_init(&c->mu, NULL);
    c->now = 1000000;
    c->slept = 0;
    *fc = (struct fetch_clock){c, fake_now, fake_sleep, fake_wall};
}

/* Requests to arXiv's hosts start >= 3 s apart whatever the options say; others at the
 * configured interval; hosts do not wait for each other. */
static void pacer_arxiv_floor(void)
{
    struct fake_clock fc;
    struct fetch_clock clock;
    fake_init(&fc, &clock);
    struct fetch_opts o;
    fetch_opts_init(&o);
    o.interval_ms = 100;
    o.arxiv_interval_ms = 500; /* below the floor: a caller bypassing fetch_opts_config */
    CHECK_INT(fetch_host_interval(&o, "export.arxiv.org"), 3000);
    CHECK_INT(fetch_host_interval(&o, "oaipmh.arxiv.org"), 3000);
    CHECK_INT(fetch_host_interval(&o, "arxiv.org"), 3000);
    CHECK_INT(fetch_host_interval(&o, "RSS.ArXiv.org."), 3000);
    CHECK_INT(fetch_host_interval(&o, "notarxiv.org"), 100);
    CHECK_INT(fetch_host_interval(&o, "arxiv.org.evil.example"), 100);
    CHECK_INT(fetch_host_interval(&o, "127.0.0.1"), 100);
    o.arxiv_interval_ms = 5000;
    CHECK_INT(fetch_host_interval(&o, "export.arxiv.org"), 5000);

    struct fetch_pacer *p = fetch_pacer_new(&clock);
    int64_t starts[4];
    for (int i = 0; i < 4; i++) {
        CHECK_INT(fetch_pacer_acquire(p, "export.arxiv.org",
                                      fetch_host_interval(&o, "export.arxiv.org"), NULL, NULL),
                  0);
        starts[i] = fc.now;
        fc.now += 700; /* the request takes 0.7 s */
        fetch_pacer_release(p, "export.arxiv.org", 0);
    }
    for (int i = 1; i < 4; i++)
        CHECK(starts[i] - (starts[i - 1] + 700) >= 5000);
    /* another host is not held up by arXiv's turn */
    int64_t before = fc.now;
    CHECK_INT(fetch_pacer_acquire(p, "huggingface.co", 100, NULL, NULL), 0);
    CHECK_INT(fc.now, before);
    fetch_pacer_release(p, "huggingface.co", 0);
    /* a Retry-After longer than the interval pushes the next turn */
    CHECK_INT(fetch_pacer_acquire(p, "huggingface.co", 100, NULL, NULL), 0);
    fetch_pacer_release(p, "huggingface.co", 7000);
    before = fc.now;
    CHECK_INT(fetch_pacer_acquire(p, "huggingface.co", 100, NULL, NULL), 0);
    CHECK_INT(fc.now - before, 7000);
    fetch_pacer_release(p, "huggingface.co", 0);
    fetch_pacer_free(p);
}

struct racer {
    struct fetch_pacer *p;
    struct fake_clock *fc;
    int64_t start[3];
};

static void *race(void *arg)
{
    struct racer *r = arg;
    for (int i = 0; i < 3; i++) {
        if (fetch_pacer_acquire(r->p, "export.arxiv.org", 3000, NULL, NULL))
            return NULL;
        r->start[i] = fake_now(r->fc);
        fetch_pacer_release(r->p, "export.arxiv.org", 0);
    }
    return NULL;
}

/* Two threads sharing a pacer (the scheduler's harvest and a submission lookup) still take
 * turns: no two requests to one host start within 3 s of each other. */
static void pacer_threads_take_turns(void)
{
    struct fake_clock fc;
    struct fetch_clock clock;
    fake_init(&fc, &clock);
    struct fetch_pacer *p = fetch_pacer_new(&clock);
    struct racer a = {p, &fc, {0}}, b = {p, &fc, {0}};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, race, &a);
    pthread_create(&tb, NULL, race, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    int64_t all[6];
    for (int i = 0; i < 3; i++) {
        all[i] = a.start[i];
        all[3 + i] = b.start[i];
    }
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            if (i != j) {
                int64_t d = all[i] > all[j] ? all[i] - all[j] : all[j] - all[i];
                CHECK(d >= 3000);
            }
    fetch_pacer_free(p);
}

static void retry_after_values(void)
{
    int64_t d = -1, now = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
    CHECK_INT(fetch_parse_retry_after("120", now, &d), 0);
    CHECK_INT(d, 120);
    CHECK_INT(fetch_parse_retry_after("  0 ", now, &d), 0);
    CHECK_INT(d, 0);
    CHECK_INT(fetch_parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now, &d), 0);
    CHECK_INT(d, 30);
    CHECK_INT(fetch_parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now, &d), 0);
    CHECK_INT(d, 0); /* in the past: now */
    CHECK_INT(fetch_parse_retry_after("Sun, 6 Nov 1994 08:49:47 +0000", now, &d), 0);
    CHECK_INT(d, 10);
    /* the obsolete forms RFC 9110 still makes recipients read */
    CHECK_INT(fetch_parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now, &d), 0);
    CHECK_INT(d, 60);
    CHECK_INT(fetch_parse_retry_after("Sun Nov  6 08:51:37 1994", now, &d), 0);
    CHECK_INT(d, 120);
    /* a two-digit year: below 50 is 20xx, else 19xx (date_parse's rule; RFC 9110's "more
     * than 50 years ahead" agrees for every year near now) */
    CHECK_INT(fetch_parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", 1780000000, &d), 0);
    CHECK_INT(d, 0);
    CHECK_INT(fetch_parse_retry_after("Friday, 06-Nov-26 08:50:37 GMT", 1780000000, &d), 0);
    CHECK(d > 0); /* 2026, ahead of mid-2026 */
    static const char *bad[] = {"",
                                "soon",
                                "-5",
                                "1.5",
                                "12abc",
                                "99999999999999999999",
                                "2026-01-01",
                                "Sun, 06 Nov 1994",
                                "Sunday, 06-Foo-94 08:49:37 GMT",
                                "Sunday, 06-Nov-94 25:49:37 GMT",
                                "Sun Nov  6 08:49:37 1994 x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(fetch_parse_retry_after(bad[i], now, &d), PB_EINVAL);
}

static int cancel_after(void *ctx)
{
    int *left = ctx;
    return --*left < 0;
}

/* A wait for a turn (a Retry-After of ten minutes) gives up soon after cancellation, in
 * slices, without taking the turn; a later acquire without cancellation still waits it out. */
static void pacer_wait_cancelled(void)
{
    struct fake_clock fc;
    struct fetch_clock clock;
    fake_init(&fc, &clock);
    struct fetch_pacer *p = fetch_pacer_new(&clock);
    CHECK_INT(fetch_pacer_acquire(p, "example.org", 100, NULL, NULL), 0);
    fetch_pacer_release(p, "example.org", 600000);
    int64_t t0 = fc.now;
    int left = 5;
    CHECK_INT(fetch_pacer_acquire(p, "example.org", 100, cancel_after, &left), PB_ESTOP);
    CHECK(fc.now - t0 <= 5 * FETCH_CANCEL_SLICE_MS);
    CHECK_INT(fetch_pacer_acquire(p, "example.org", 100, NULL, NULL), 0);
    CHECK(fc.now - t0 >= 600000);
    fetch_pacer_release(p, "example.org", 0);
    fetch_pacer_free(p);
}

static void backoff_doubles_to_cap(void)
{
    struct fetch_opts o;
    fetch_opts_init(&o);
    o.backoff_ms = 1000;
    o.max_backoff_ms = 6000;
    CHECK_INT(fetch_backoff_ms(&o, 1), 1000);
    CHECK_INT(fetch_backoff_ms(&o, 2), 2000);
    CHECK_INT(fetch_backoff_ms(&o, 3), 4000);
    CHECK_INT(fetch_backoff_ms(&o, 4), 6000);
    CHECK_INT(fetch_backoff_ms(&o, 60), 6000);
}

static void urls_and_agent(void)
{
    char host[64];
    CHECK_INT(fetch_url_host("https://export.arxiv.org/api/query?x=1", host, sizeof host), 0);
    CHECK_STR(host, "export.arxiv.org");
    CHECK_INT(fetch_url_host("http://user:pw@Example.COM:8080/a", host, sizeof host), 0);
    CHECK_STR(host, "example.com");
    CHECK_INT(fetch_url_host("http://[::1]:99/x", host, sizeof host), 0);
    CHECK_STR(host, "[::1]");
    CHECK_INT(fetch_url_host("ftp://example.com/", host, sizeof host), PB_EINVAL);
    CHECK_INT(fetch_url_host("http:///x", host, sizeof host), PB_EINVAL);
    char *e = fetch_escape("cat:cs.LG AND ti:\"a/b\"~");
    CHECK_STR(e, "cat%3Acs.LG%20AND%20ti%3A%22a%2Fb%22~");
    xfree(e);
    char *ua = fetch_user_agent("me@lab.org");
    CHECK(strstr(ua, "paperboy/") == ua && strstr(ua, " (+mailto:me@lab.org)"));
    xfree(ua);
    ua = fetch_user_agent("https://lab.org/");
    CHECK(strstr(ua, " (+https://lab.org/)") != NULL);
    xfree(ua);
    ua = fetch_user_agent(NULL);
    CHECK(!strchr(ua, '('));
    xfree(ua);
}

static int opts_from(const char *text, struct fetch_opts *o, char *err, size_t errlen)
{
    struct config *c = NULL;
    int rc = config_parse(text, strlen(text), "t.conf", &c, err, errlen);
    if (!rc) {
        fetch_opts_init(o);
        rc = fetch_opts_config(o, c, err, errlen);
        o->contact = NULL; /* points into c */
    }
    config_free(c);
    return rc;
}

static void fetch_config_keys_checked(void)
{
    struct fetch_opts o;
    char err[256];
    CHECK_INT(opts_from("[fetch]\ninterval = 250ms\narxiv-interval = 10\ntimeout = 1m\n"
                        "retries = 2\nbackoff = 0.5\nmax-body-mb = 8\n",
                        &o, err, sizeof err),
              0);
    CHECK_INT(o.interval_ms, 250);
    CHECK_INT(o.arxiv_interval_ms, 10000);
    CHECK_INT(o.timeout_ms, 60000);
    CHECK_INT(o.retries, 2);
    CHECK_INT(o.backoff_ms, 500);
    CHECK_INT((long long)o.max_body, 8LL << 20);
    CHECK_INT(opts_from("[fetch]\narxiv-interval = 2.9\n", &o, err, sizeof err), PB_EINVAL);
    CHECK(strstr(err, "t.conf:2: arxiv-interval") && strstr(err, "3 s at least"));
    CHECK_INT(opts_from("[fetch]\n\ninterval = fast\n", &o, err, sizeof err), PB_EINVAL);
    CHECK(strstr(err, "t.conf:3: interval in [fetch] must be a duration") != NULL);
    CHECK_INT(opts_from("[fetch]\ncontact = a (b)\n", &o, err, sizeof err), PB_EINVAL);
    CHECK_INT(opts_from("[fetch]\nretry = 3\n", &o, err, sizeof err), PB_EINVAL);
    CHECK(strstr(err, "unknown key 'retry'") != NULL);
}

static void durations(void)
{
    static const struct {
        const char *s;
        int64_t ms;
    } ok[] = {{"3", 3000},   {"2.5s", 2500},   {"500ms", 500},   {"0.25", 250},
              {"10m", 600000}, {"10 min", 600000}, {"1h", 3600000}, {"1D", 86400000},
              {" 7 s ", 7000}, {"0", 0},          {"1.5ms", -1}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t ms = -2;
        int rc = duration_parse(ok[i].s, &ms);
        if (ok[i].ms < 0) {
            CHECK_INT(rc, PB_EINVAL);
        } else {
            CHECK_INT(rc, 0);
            CHECK_INT(ms, ok[i].ms);
        }
    }
    static const char *bad[] = {"", "s", "-1", "1x", "1.2345", "9999999999999d", "1 2", ".", "1e3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms;
        CHECK_INT(duration_parse(bad[i], &ms), PB_EINVAL);
    }
    char out[32];
    duration_format(3000, out, sizeof out);
    CHECK_STR(out, "3 s");
    duration_format(2500, out, sizeof out);
    CHECK_STR(out, "2.5 s");
    duration_format(250, out, sizeof out);
    CHECK_STR(out, "250 ms");
}

static void timestamps(void)
{
    int64_t t;
    CHECK_INT(date_parse_ts("2026-01-05T20:00:01Z", &t), 0);
    char out[DATE_TS_LEN + 1];
    date_format_ts(t, out);
    CHECK_STR(out, "2026-01-05T20:00:01Z");
    CHECK_INT(date_parse_ts("1970-01-02", &t), 0);
    CHECK_INT(t, 86400);
    CHECK_INT(date_parse_ts("yesterday", &t), PB_EINVAL);
    date_format_ts(-1, out);
    CHECK_STR(out, "1969-12-31T23:59:59Z");
}

static int64_t at(const char *ts)
{
    int64_t t = 0;
    if (date_parse_ts(ts, &t))
        abort();
    return t;
}

/* Due times from state: never ran -> now; done after the latest slot -> the next slot;
 * missed slots (downtime) -> now, once; failures wait retry, doubling. */
static void schedule_due_times(void)
{
    char err[256];
    const char *text = "[harvest cs]\nset = cs\nat = 01:30\nevery = 12h\nretry = 10m\n";
    struct config *c = NULL;
    CHECK_INT(config_parse(text, strlen(text), "t.conf", &c, err, sizeof err), 0);
    struct harvester *h = NULL;
    CHECK_INT(harvester_new(c, &h, err, sizeof err), 0);
    const struct harvest_job *jobs;
    CHECK_INT(harvester_jobs(h, &jobs), 1);
    char *dir = test_tmp_dir();
    char *path = xasprintf("%s/s.db", dir);
    struct store *s = NULL;
    CHECK_INT(store_open(path, 0, &s, err, sizeof err), 0);
    int64_t when;
    int64_t now = at("2026-03-10T09:00:00Z");
    CHECK_INT(harvest_next_due(h, s, now, &when), 0);
    CHECK_INT(when, now);

    struct store_harvest st;
    store_harvest_init(&st);
    st.key = xstrdup("oai " HARVEST_OAI_URL " cs arXivRaw");
    st.source = xstrdup("oai");
    st.ok_at = xstrdup("2026-03-10T02:00:00Z");
    st.attempt_at = xstrdup("2026-03-10T02:00:00Z");
    CHECK_INT(store_harvest_put(s, &st), 0);
    CHECK_INT(harvest_next_due(h, s, now, &when), 0);
    CHECK_INT(when, at("2026-03-10T13:30:00Z"));
    /* three days of downtime: due at once */
    now = at("2026-03-13T08:00:00Z");
    CHECK_INT(harvest_next_due(h, s, now, &when), 0);
    CHECK_INT(when, now);
    /* failed at 08:00 twice in a row: the next try 20 minutes later */
    xfree(st.attempt_at);
    st.attempt_at = xstrdup("2026-03-13T08:00:00Z");
    st.failures = 2;
    CHECK_INT(store_harvest_put(s, &st), 0);
    CHECK_INT(harvest_next_due(h, s, now, &when), 0);
    CHECK_INT(when, at("2026-03-13T08:20:00Z"));
    /* ... but no later than the next slot */
    st.failures = 10;
    CHECK_INT(store_harvest_put(s, &st), 0);
    CHECK_INT(harvest_next_due(h, s, now, &when), 0);
    CHECK_INT(when, at("2026-03-13T13:30:00Z"));
    store_harvest_clear(&st);
    store_close(s);
    xfree(path);
    test_remove_dir(dir);
    harvester_free(h);
    config_free(c);
}

TEST_MAIN(T(pacer_arxiv_floor), T(pacer_threads_take_turns), T(retry_after_values),
          T(pacer_wait_cancelled), T(backoff_doubles_to_cap), T(urls_and_agent),
          T(fetch_config_keys_checked), T(durations), T(timestamps), T(schedule_due_times))
