/* The harvest runs (harvest.h): one loop per source over ingest/fetch.h and the push parsers.
 * Each response is parsed as it arrives; its papers are moved into a batch and committed with
 * the job's state at the end of the response (and every BATCH papers before that, without the
 * state), so a kill at any moment loses at most the response being read: the next run asks for
 * it again, and since store_paper_put is idempotent nothing is counted or stored twice.
 * The store's write lock is held only for those short commits, never across the network.
 * Configuration and the schedule are in schedule.c. What each error does: docs/HARVESTING.md. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../ingest/ingest.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "harvest_int.h"

#define BATCH 500 /* papers per commit inside one response */

const char *harvest_source_name(enum harvest_source s)
{
    static const char *const names[] = {"oai", "api", "rss", "hf"};
    return (unsigned)s < 4 ? names[s] : "?";
}

struct run {
    struct harvester *h;
    struct store *s;
    const struct harvest_job *job;
    char *what;        /* "oai cs" in messages and progress */
    char *source_path; /* provenance: the input as the sources table names it */
    enum ingest_format fmt;
    int64_t sid;
    int has_sid;
    struct paper *batch;
    size_t n_batch, cap_batch;
    struct harvest_stats *st;
    struct parser *parser;
    char *url; /* the response being read */
    int is_db_failed;
    /* what the response said besides papers */
    long status;
    long page_records;
    char *token; /* resumptionToken text; NULL when the response had none */
    long long list_size, cursor, total_results;
    char response_day[DATE_DAY_LEN + 1];
    char *oai_error, *api_error;
    struct strlist *found; /* lookups: ids seen in the response */
    struct timespec t0;
    char *err;
    size_t errlen;
};

static void fail_msg(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_msg(struct run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
}

void harvest__log(struct harvester *h, const char *fmt, ...)
{
    if (!h->hooks.log)
        return;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    h->hooks.log(h->hooks.ctx, msg);
}

static double elapsed(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void progress(struct run *r)
{
    if (!r->h->hooks.progress)
        return;
    long long pos = r->cursor >= 0 ? r->cursor + r->page_records : -1;
    struct harvest_progress p = {r->what,      r->st->pages, r->st->records,
                                 r->list_size, pos,          elapsed(&r->t0)};
    r->h->hooks.progress(r->h->hooks.ctx, &p);
}

/* --- committing --- */

static void batch_clear(struct run *r)
{
    for (size_t i = 0; i < r->n_batch; i++)
        paper_clear(&r->batch[i]);
    r->n_batch = 0;
}

/* Commit the batch, and state when given, in one transaction. */
static int flush(struct run *r, const struct store_harvest *state)
{
    if (!r->n_batch && !state)
        return 0;
    struct store *s = r->s;
    int rc = store_begin(s);
    if (!rc && !r->has_sid) {
        rc = store_source(s, ingest_format_name(r->fmt), r->source_path, &r->sid);
        r->has_sid = !rc;
    }
    long n_new = 0, n_upd = 0, n_same = 0, n_del = 0;
    for (size_t i = 0; i < r->n_batch && !rc; i++) {
        enum store_put_result res;
        rc = store_paper_put(s, &r->batch[i], r->sid, &res);
        if (rc)
            break;
        n_new += res == STORE_NEW;
        n_upd += res == STORE_UPDATED;
        n_same += res == STORE_UNCHANGED;
        n_del += r->batch[i].is_deleted;
    }
    if (!rc && state)
        rc = store_harvest_put(s, state);
    if (!rc)
        rc = store_commit(s);
    size_t n = r->n_batch;
    batch_clear(r);
    if (rc) {
        store_rollback(s);
        r->has_sid = 0; /* the source row may have gone with the transaction */
        r->is_db_failed = 1;
        fail_msg(r, "%s: database: %s", r->what, store_errmsg(s));
        return PB_EDB;
    }
    r->st->n_new += n_new;
    r->st->n_updated += n_upd;
    r->st->n_unchanged += n_same;
    r->st->n_deleted += n_del;
    if (n && r->h->hooks.committed)
        r->h->hooks.committed(r->h->hooks.ctx);
    return 0;
}

/* --- parser sink --- */

static int on_paper(void *ctx, const struct paper *p)
{
    struct run *r = ctx;
    r->st->records++;
    r->page_records++;
    if (r->found)
        strlist_push(r->found, p->id);
    r->batch = xgrow(r->batch, sizeof *r->batch, r->n_batch + 1, &r->cap_batch);
    paper_init(&r->batch[r->n_batch]);
    ingest_paper_take(p, &r->batch[r->n_batch++]);
    if ((r->st->records & 255) == 0)
        progress(r);
    if (r->n_batch >= BATCH)
        return flush(r, NULL);
    return 0;
}

static int on_reject(void *ctx, const struct ingest_error *e)
{
    struct run *r = ctx;
    r->st->records++;
    r->st->n_rejected++;
    r->page_records++;
    if (e->line_no)
        harvest__log(r->h, "rejected record %ld of %s (line %ld): %s", e->record_no, e->source,
                     e->line_no, e->msg);
    else
        harvest__log(r->h, "rejected record %ld of %s: %s", e->record_no, e->source, e->msg);
    return 0;
}

static long long to_ll(const char *v)
{
    char *end;
    long long x = strtoll(v, &end, 10);
    return (*v && !*end && x >= 0) ? x : -1;
}

static void set_str(char **dst, const char *v)
{
    xfree(*dst);
    *dst = v ? xstrdup(v) : NULL;
}

static int on_meta(void *ctx, const char *key, const char *value)
{
    struct run *r = ctx;
    if (!strcmp(key, "resumptionToken")) {
        set_str(&r->token, value);
    } else if (!strcmp(key, "completeListSize")) {
        r->list_size = to_ll(value);
    } else if (!strcmp(key, "cursor")) {
        r->cursor = to_ll(value);
    } else if (!strcmp(key, "totalResults")) {
        r->total_results = to_ll(value);
    } else if (!strcmp(key, "responseDate")) {
        int64_t d;
        char day[DATE_DAY_LEN + 1];
        snprintf(day, sizeof day, "%s", value);
        if (strlen(value) >= DATE_DAY_LEN && !date_parse_day(day, &d))
            memcpy(r->response_day, day, sizeof day);
    } else if (!strcmp(key, "oai-error")) {
        if (!r->oai_error) /* the first says it */
            set_str(&r->oai_error, value);
    } else if (!strcmp(key, "api-error")) {
        if (!r->api_error)
            set_str(&r->api_error, value);
    }
    return 0;
}

/* --- fetch sink: a fresh parser for every attempt --- */

static int on_begin(void *ctx, long status)
{
    struct run *r = ctx;
    r->status = status;
    r->page_records = 0;
    set_str(&r->token, NULL);
    set_str(&r->oai_error, NULL);
    set_str(&r->api_error, NULL);
    r->response_day[0] = 0;
    r->total_results = -1;
    if (r->found)
        strlist_clear(r->found);
    parser_free(r->parser);
    struct ingest_sink sink = {r, on_paper, on_reject, on_meta};
    struct ingest_opts opts = {r->url, NULL};
    r->parser = parser_new(r->fmt, &sink, &opts);
    return 0;
}

static int on_data(void *ctx, const char *p, size_t n)
{
    struct run *r = ctx;
    if (atomic_load(&r->h->is_cancelled))
        return PB_ESTOP;
    return parser_feed(r->parser, p, n);
}

static void on_fetch_log(void *ctx, const char *msg)
{
    harvest__log(ctx, "%s", msg);
}

static int is_cancelled(void *ctx)
{
    struct harvester *h = ctx;
    return atomic_load(&h->is_cancelled);
}

/* Sleep ms on the harvest's clock, in slices, giving up when the harvest is cancelled. */
static void nap(struct harvester *h, int64_t ms)
{
    while (ms > 0 && !is_cancelled(h)) {
        int64_t slice = ms < FETCH_CANCEL_SLICE_MS ? ms : FETCH_CANCEL_SLICE_MS;
        h->clock.sleep_ms(h->clock.ctx, slice);
        ms -= slice;
    }
}

static struct fetch *client(struct harvester *h)
{
    if (!h->fetch) {
        struct fetch_opts o = h->fopts;
        o.log = on_fetch_log;
        o.log_ctx = h;
        o.is_cancelled = is_cancelled;
        o.cancel_ctx = h;
        h->fetch = fetch_new(&o, h->pacer, h->has_clock ? &h->clock : NULL);
    }
    return h->fetch;
}

/* Fetch url and parse all of it. Returns 0 (look at status, token, errors in r) or an error
 * with the message in r->err; papers parsed before a failure are in the batch. */
static int get(struct run *r, const char *url)
{
    set_str(&r->url, url);
    r->status = 0;
    struct fetch_sink sink = {r, on_begin, on_data};
    struct fetch_result fr;
    int rc = fetch_get(client(r->h), url, &sink, &fr);
    r->st->bytes += fr.bytes;
    if (!rc && r->parser)
        rc = parser_finish(r->parser);
    const struct ingest_error *pe = r->parser ? parser_error(r->parser) : NULL;
    if (r->is_db_failed) {
        rc = PB_EDB; /* message already written by flush */
    } else if (rc && rc != PB_ESTOP && pe && r->status >= 300) {
        /* an error page that is not in the format: the status is the news, not the syntax */
        fail_msg(r, "%s: HTTP %ld from %s", r->what, r->status, url);
        rc = PB_EFORMAT;
    } else if (rc == PB_ESTOP) {
        fail_msg(r, "%s: cancelled while reading %s", r->what, url);
    } else if (rc && pe && pe->msg[0]) {
        if (pe->line_no)
            fail_msg(r, "%s: cannot parse %s (line %ld): %s", r->what, url, pe->line_no, pe->msg);
        else
            fail_msg(r, "%s: cannot parse %s: %s", r->what, url, pe->msg);
    } else if (rc) {
        fail_msg(r, "%s: %s (%s)", r->what, fr.msg, url);
    }
    if (!rc)
        r->st->pages++;
    parser_free(r->parser);
    r->parser = NULL;
    progress(r);
    return rc;
}

/* Fetch with the harvest's own retries for what fetch does not retry: a response that breaks
 * off as malformed XML/JSON (a proxy cutting it, a server hiccup). Waits go through the clock. */
static int get_retrying(struct run *r, const char *url)
{
    int max = r->h->fopts.retries + 1;
    for (int attempt = 1;; attempt++) {
        int rc = get(r, url);
        if (rc != PB_EPARSE || attempt >= max)
            return rc;
        int64_t wait = fetch_backoff_ms(&r->h->fopts, attempt);
        harvest__log(r->h, "%s; asking again in %lld ms (attempt %d of %d)", r->err,
                     (long long)wait, attempt + 1, max);
        if (flush(r, NULL)) /* keep the complete records before the break */
            return PB_EDB;
        nap(r->h, wait);
        if (is_cancelled(r->h))
            return rc;
    }
}

static void run_init(struct run *r, struct harvester *h, struct store *s,
                     const struct harvest_job *job, enum ingest_format fmt,
                     struct harvest_stats *st, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->h = h;
    r->s = s;
    r->job = job;
    r->fmt = fmt;
    r->st = st;
    r->err = err;
    r->errlen = errlen;
    r->list_size = r->cursor = r->total_results = -1;
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    memset(st, 0, sizeof *st);
    if (errlen)
        err[0] = 0;
}

static void run_release(struct run *r)
{
    batch_clear(r);
    xfree(r->batch);
    parser_free(r->parser);
    xfree(r->what);
    xfree(r->source_path);
    xfree(r->url);
    xfree(r->token);
    xfree(r->oai_error);
    xfree(r->api_error);
}

const char *harvest__base_url(const struct harvester *h, const struct harvest_job *j)
{
    return j->base_url ? j->base_url : h->urls[j->source];
}

static void ts(int64_t now_s, char *out)
{
    date_format_ts(now_s, out);
}

/* A failed run: keep what the state says about where to resume, note the failure. */
static int save_failure(struct run *r, struct store_harvest *state, int64_t now_s, int rc)
{
    char now[DATE_TS_LEN + 1];
    ts(now_s, now);
    /* Cancelled (the server is stopping) is not the source failing: the next start runs it
     * as due, without the wait that follows a failure. */
    if (!atomic_load(&r->h->is_cancelled)) {
        set_str(&state->attempt_at, now);
        set_str(&state->error, r->err);
        state->failures++;
    }
    /* The complete records read before the failure are kept, with the state as it was before
     * that response: the next run asks for the response again. */
    if (rc != PB_EDB && flush(r, state))
        harvest__log(r->h, "%s", r->err);
    return rc;
}

static void save_success_fields(struct store_harvest *state, int64_t now_s)
{
    char now[DATE_TS_LEN + 1];
    ts(now_s, now);
    set_str(&state->attempt_at, now);
    set_str(&state->ok_at, now);
    set_str(&state->error, NULL);
    state->failures = 0;
}

static void load_state(struct run *r, const char *key, struct store_harvest *state, int *rc)
{
    store_harvest_init(state);
    *rc = store_harvest_get(r->s, key, state);
    if (*rc == PB_ENOTFOUND) {
        *rc = 0;
        state->key = xstrdup(key);
        state->source = xstrdup(harvest_source_name(r->job->source));
    } else if (*rc) {
        fail_msg(r, "%s: database: %s", r->what, store_errmsg(r->s));
    }
}

/* --- OAI-PMH --- */

char *harvest__key(const struct harvester *h, const struct harvest_job *j)
{
    const char *base = harvest__base_url(h, j);
    switch (j->source) {
    case HARVEST_OAI:
        return xasprintf("oai %s %s %s", base, j->set ? j->set : "*",
                         j->prefix ? j->prefix : "arXivRaw");
    case HARVEST_RSS: return xasprintf("rss %s/%s", base, j->category ? j->category : "");
    case HARVEST_HF: return xasprintf("hf %s", base);
    case HARVEST_API: return xasprintf("api %s %s", base, j->query ? j->query : "");
    }
    return xstrdup("?");
}

static char *oai_first_url(const char *base, const struct harvest_job *j, const char *from)
{
    struct buf b = BUF_INIT(FETCH_MAX_URL);
    char *set = j->set ? fetch_escape(j->set) : NULL;
    int rc = buf_printf(&b, "%s%sverb=ListRecords&metadataPrefix=%s", base,
                        strchr(base, '?') ? "&" : "?", j->prefix ? j->prefix : "arXivRaw");
    if (!rc && set)
        rc = buf_printf(&b, "&set=%s", set);
    if (!rc && from)
        rc = buf_printf(&b, "&from=%s", from);
    xfree(set);
    (void)rc; /* past the cap fetch_get refuses the URL with a message */
    return buf_take(&b);
}

static char *oai_token_url(const char *base, const char *token)
{
    char *t = fetch_escape(token);
    char *url = xasprintf("%s%sverb=ListRecords&resumptionToken=%s", base,
                          strchr(base, '?') ? "&" : "?", t);
    xfree(t);
    return url;
}

static int oai_error_code(const char *e, const char *code)
{
    size_t n = strlen(code);
    return !strncmp(e, code, n) && e[n] == ':';
}

static int run_oai(struct run *r, int64_t now_s)
{
    struct harvester *h = r->h;
    const struct harvest_job *j = r->job;
    const char *base = harvest__base_url(h, j);
    char *key = harvest__key(h, j);
    r->what = xasprintf("oai %s", j->set ? j->set : "(all sets)");
    r->source_path = xasprintf("%s?set=%s&metadataPrefix=%s", base, j->set ? j->set : "",
                               j->prefix ? j->prefix : "arXivRaw");
    struct store_harvest state;
    int rc;
    load_state(r, key, &state, &rc);
    xfree(key);
    if (rc) {
        store_harvest_clear(&state);
        return rc;
    }
    char now[DATE_TS_LEN + 1];
    ts(now_s, now);
    /* Resume the harvest in progress, unless asked for another from. */
    int is_resuming =
        state.token && (!j->from || (state.from_day && !strcmp(j->from, state.from_day)));
    char from_buf[DATE_DAY_LEN + 1];
    const char *from = NULL;
    if (!is_resuming) {
        if (j->from) {
            from = j->from;
        } else if (state.next_from) {
            from = state.next_from;
        } else if (j->initial_days > 0) {
            date_format_day((now_s - (int64_t)j->initial_days * 86400) / 86400, from_buf);
            from = from_buf;
        }
        if (state.token)
            harvest__log(h, "%s: leaving the unfinished harvest from %s for a new one from %s",
                         r->what, state.from_day ? state.from_day : "the start",
                         from ? from : "the start");
        set_str(&state.from_day, from);
        set_str(&state.token, NULL);
        state.cursor = state.list_size = -1;
        set_str(&state.started_at, now);
    } else {
        harvest__log(h, "%s: resuming the harvest from %s at record %lld", r->what,
                     state.from_day ? state.from_day : "the start",
                     state.cursor >= 0 ? state.cursor : 0);
    }
    r->list_size = state.list_size;
    r->cursor = state.cursor;
    int is_restarted = 0;
    char *url = is_resuming ? oai_token_url(base, state.token) : oai_first_url(base, j, from);
    for (long page = 0;; page++) {
        if (atomic_load(&h->is_cancelled)) {
            fail_msg(r, "%s: cancelled", r->what);
            rc = PB_ESTOP;
            break;
        }
        if (page >= HARVEST_MAX_PAGES) {
            fail_msg(r, "%s: more than %d pages in one run; the server's list does not end",
                     r->what, HARVEST_MAX_PAGES);
            rc = PB_EFORMAT;
            break;
        }
        int is_first = !state.token;
        rc = get_retrying(r, url);
        if (rc)
            break;
        if (is_first && r->response_day[0]) {
            /* The server's clock, not ours: the next harvest's from. */
            char started[DATE_TS_LEN + 1];
            snprintf(started, sizeof started, "%sT00:00:00Z", r->response_day);
            set_str(&state.started_at, started);
        }
        if (r->oai_error) {
            batch_clear(r); /* an error response has no records */
            if (oai_error_code(r->oai_error, "noRecordsMatch")) {
                /* Nothing changed since from: a complete, empty harvest. */
                set_str(&state.token, NULL);
                break;
            }
            if (oai_error_code(r->oai_error, "badResumptionToken") && state.token &&
                !is_restarted) {
                /* Tokens expire (arXiv's after a day): start that harvest over; what is
                 * already stored merges idempotently. */
                harvest__log(h,
                             "%s: the server refused the resumption token (%s); starting "
                             "again from %s",
                             r->what, r->oai_error, state.from_day ? state.from_day : "the start");
                is_restarted = 1;
                set_str(&state.token, NULL);
                state.cursor = state.list_size = -1;
                set_str(&state.started_at, now);
                xfree(url);
                url = oai_first_url(base, j, state.from_day);
                continue;
            }
            fail_msg(r, "%s: the OAI-PMH server answered with an error: %s (%s)", r->what,
                     r->oai_error, r->url);
            rc = PB_EFORMAT;
            break;
        }
        if (r->status != 200) {
            batch_clear(r);
            fail_msg(r, "%s: HTTP %ld from %s", r->what, r->status, r->url);
            rc = PB_EFORMAT;
            break;
        }
        state.pages++;
        state.records += r->page_records;
        if (r->token && *r->token) {
            if (state.token && !strcmp(state.token, r->token)) {
                fail_msg(r, "%s: the server sent the same resumption token again (%s)", r->what,
                         r->token);
                rc = PB_EFORMAT;
                break;
            }
            set_str(&state.token, r->token);
            state.cursor = r->cursor >= 0 ? r->cursor + r->page_records : -1;
            state.list_size = r->list_size;
            r->cursor = state.cursor;
            if ((rc = flush(r, &state)))
                break;
            xfree(url);
            url = oai_token_url(base, state.token);
            continue;
        }
        set_str(&state.token, NULL);
        break;
    }
    xfree(url);
    if (!rc) {
        /* Complete: the next harvest starts from the day this one started, by the server's
         * clock (records changed later that day are then fetched again, never missed). */
        char day[DATE_DAY_LEN + 1];
        snprintf(day, sizeof day, "%s", state.started_at ? state.started_at : now);
        /* ... but never back in time: a server whose clock jumped would re-harvest years */
        if (!state.next_from || strcmp(day, state.next_from) > 0)
            set_str(&state.next_from, day);
        set_str(&state.from_day, NULL);
        state.cursor = state.list_size = -1;
        save_success_fields(&state, now_s);
        rc = flush(r, &state);
    } else {
        rc = save_failure(r, &state, now_s, rc);
    }
    store_harvest_clear(&state);
    return rc;
}

/* --- arXiv API --- */

static int api_check(struct run *r)
{
    if (r->api_error) {
        fail_msg(r, "%s: the arXiv API answered with an error: %s (HTTP %ld, %s)", r->what,
                 r->api_error, r->status, r->url);
        return PB_EFORMAT;
    }
    if (r->status != 200) {
        fail_msg(r, "%s: HTTP %ld from %s", r->what, r->status, r->url);
        return PB_EFORMAT;
    }
    return 0;
}

static int run_api_query(struct run *r, int64_t now_s)
{
    struct harvester *h = r->h;
    const struct harvest_job *j = r->job;
    const char *base = harvest__base_url(h, j);
    r->what = xasprintf("api '%s'", j->query);
    r->source_path = xasprintf("%s?search_query=%s", base, j->query);
    char *key = harvest__key(h, j);
    struct store_harvest state;
    int rc;
    load_state(r, key, &state, &rc);
    xfree(key);
    if (rc) {
        store_harvest_clear(&state);
        return rc;
    }
    char *q = fetch_escape(j->query);
    long max = j->max > 0 ? j->max : 100;
    if (max > HARVEST_API_MAX)
        max = HARVEST_API_MAX;
    long page_size = j->page_size > 0 ? j->page_size : 100;
    if (page_size > HARVEST_API_PAGE_MAX)
        page_size = HARVEST_API_PAGE_MAX;
    long start = 0, got = 0;
    int empty_tries = 0;
    while (got < max && start < HARVEST_API_MAX) {
        long n = max - got < page_size ? max - got : page_size;
        char *url = xasprintf("%s%ssearch_query=%s&start=%ld&max_results=%ld&sortBy=%s"
                              "&sortOrder=descending",
                              base, strchr(base, '?') ? "&" : "?", q, start, n,
                              j->sort ? j->sort : "submittedDate");
        rc = get_retrying(r, url);
        xfree(url);
        if (!rc)
            rc = api_check(r);
        if (rc) {
            batch_clear(r);
            break;
        }
        long entries = r->page_records;
        state.pages++;
        state.records += entries;
        if ((rc = flush(r, NULL)))
            break;
        if (!entries) {
            /* The API now and then answers an empty page inside a result; ask again. */
            if (r->total_results > start && empty_tries++ < h->fopts.retries) {
                harvest__log(h, "%s: empty page at %ld of %lld results; asking again", r->what,
                             start, r->total_results);
                continue;
            }
            break;
        }
        empty_tries = 0;
        got += entries;
        start += entries;
        if (r->total_results >= 0 && start >= r->total_results)
            break;
    }
    xfree(q);
    if (!rc) {
        save_success_fields(&state, now_s);
        rc = flush(r, &state);
    } else {
        rc = save_failure(r, &state, now_s, rc);
    }
    store_harvest_clear(&state);
    return rc;
}

int harvest_lookup_ids(struct harvester *h, struct store *s, const char *const *ids, int n_ids,
                       enum harvest_id_status *status, struct harvest_stats *st, char *err,
                       size_t errlen)
{
    struct harvest_stats local;
    if (!st)
        st = &local;
    struct harvest_job job;
    harvest_job_init(&job, HARVEST_API);
    struct run r;
    run_init(&r, h, s, &job, INGEST_ATOM, st, err, errlen);
    const char *base = harvest__base_url(h, &job);
    r.what = xstrdup("api lookup");
    r.source_path = xasprintf("%s?id_list", base);
    struct strlist found = {0};
    r.found = &found;
    char(*canon)[PAPER_MAX_ID] = xcalloc((size_t)n_ids + 1, sizeof *canon);
    int *todo = xcalloc((size_t)n_ids + 1, sizeof *todo);
    if (status)
        memset(status, 0, (size_t)n_ids * sizeof *status);
    int n_todo = 0, rc = 0;
    for (int i = 0; i < n_ids; i++) {
        int ver;
        if (paper_parse_arxiv_id(ids[i], canon[i], &ver)) {
            if (status)
                status[i] = HARVEST_ID_INVALID;
            continue;
        }
        todo[n_todo++] = i;
    }
    for (int b = 0; b < n_todo && !rc; b += HARVEST_IDS_PER_REQUEST) {
        int e = b + HARVEST_IDS_PER_REQUEST < n_todo ? b + HARVEST_IDS_PER_REQUEST : n_todo;
        struct buf list = BUF_INIT(FETCH_MAX_URL);
        for (int k = b; k < e && !rc; k++)
            rc = buf_printf(&list, "%s%s", k > b ? "," : "", canon[todo[k]]);
        char *url = rc ? NULL
                       : xasprintf("%s%sid_list=%s&max_results=%d", base,
                                   strchr(base, '?') ? "&" : "?", buf_str(&list), e - b);
        buf_release(&list);
        if (!url) {
            fail_msg(&r, "api lookup: the id list is too long");
            break;
        }
        rc = get_retrying(&r, url);
        xfree(url);
        if (!rc)
            rc = api_check(&r);
        if (rc) {
            batch_clear(&r);
            break;
        }
        if ((rc = flush(&r, NULL)))
            break;
        for (int k = b; k < e && status; k++)
            status[todo[k]] =
                strlist_contains(&found, canon[todo[k]]) ? HARVEST_ID_FOUND : HARVEST_ID_UNKNOWN;
    }
    strlist_clear(&found);
    xfree(canon);
    xfree(todo);
    run_release(&r);
    harvest_job_clear(&job);
    return rc;
}

/* --- RSS --- */

static int run_rss(struct run *r, int64_t now_s)
{
    const struct harvest_job *j = r->job;
    const char *base = harvest__base_url(r->h, j);
    char *url = xasprintf("%s/%s", base, j->category);
    r->what = xasprintf("rss %s", j->category);
    r->source_path = xstrdup(url);
    char *key = harvest__key(r->h, j);
    struct store_harvest state;
    int rc;
    load_state(r, key, &state, &rc);
    xfree(key);
    if (!rc) {
        rc = get_retrying(r, url);
        if (!rc && r->status != 200) {
            fail_msg(r, "%s: HTTP %ld from %s", r->what, r->status, url);
            rc = PB_EFORMAT;
        }
        if (!rc) {
            state.pages++;
            state.records += r->page_records;
            save_success_fields(&state, now_s);
            rc = flush(r, &state);
        } else {
            rc = save_failure(r, &state, now_s, rc);
        }
    }
    xfree(url);
    store_harvest_clear(&state);
    return rc;
}

/* --- Hugging Face daily papers --- */

static int run_hf(struct run *r, int64_t now_s)
{
    struct harvester *h = r->h;
    const struct harvest_job *j = r->job;
    const char *base = harvest__base_url(h, j);
    r->what = xstrdup("hf");
    char *key = harvest__key(h, j);
    struct store_harvest state;
    int rc;
    load_state(r, key, &state, &rc);
    xfree(key);
    if (rc) {
        store_harvest_clear(&state);
        return rc;
    }
    int64_t today = now_s / 86400, first, last;
    if (j->date) {
        if (date_parse_day(j->date, &first)) {
            fail_msg(r, "hf: '%s' is not a day (YYYY-MM-DD)", j->date);
            store_harvest_clear(&state);
            return PB_EINVAL;
        }
        last = first;
    } else {
        /* Catch up the days missed, the last one fetched again: its list grows all day. */
        int days = j->catch_up_days > 0 ? j->catch_up_days : 1;
        first = today - days + 1;
        int64_t next;
        if (state.next_from && !date_parse_day(state.next_from, &next) && next > first)
            first = next;
        if (first > today)
            first = today;
        last = today;
    }
    for (int64_t d = first; d <= last && !rc; d++) {
        char day[DATE_DAY_LEN + 1];
        date_format_day(d, day);
        char *url = xasprintf("%s%sdate=%s", base, strchr(base, '?') ? "&" : "?", day);
        xfree(r->source_path);
        r->source_path = xstrdup(url);
        r->has_sid = 0; /* one provenance source per day */
        xfree(r->what);
        r->what = xasprintf("hf %s", day);
        rc = get_retrying(r, url);
        if (!rc && r->status != 200) {
            fail_msg(r, "%s: HTTP %ld from %s", r->what, r->status, url);
            rc = PB_EFORMAT;
        }
        xfree(url);
        if (rc)
            break;
        state.pages++;
        state.records += r->page_records;
        int64_t next = 0;
        if (!state.next_from || date_parse_day(state.next_from, &next) || d >= next)
            set_str(&state.next_from, day);
        rc = flush(r, &state);
    }
    if (!rc) {
        save_success_fields(&state, now_s);
        rc = flush(r, &state);
    } else if (rc != PB_EDB) {
        rc = save_failure(r, &state, now_s, rc);
    }
    store_harvest_clear(&state);
    return rc;
}

int harvest_run(struct harvester *h, struct store *s, const struct harvest_job *job, int64_t now_s,
                struct harvest_stats *st, char *err, size_t errlen)
{
    struct harvest_stats local;
    if (!st)
        st = &local;
    static const enum ingest_format fmts[] = {INGEST_OAI, INGEST_ATOM, INGEST_RSS, INGEST_HF};
    struct run r;
    run_init(&r, h, s, job, fmts[job->source], st, err, errlen);
    int rc = PB_EINVAL;
    switch (job->source) {
    case HARVEST_OAI: rc = run_oai(&r, now_s); break;
    case HARVEST_API:
        if (!job->query) {
            fail_msg(&r, "api: no query");
            break;
        }
        rc = run_api_query(&r, now_s);
        break;
    case HARVEST_RSS:
        if (!job->category) {
            fail_msg(&r, "rss: no category");
            break;
        }
        rc = run_rss(&r, now_s);
        break;
    case HARVEST_HF: rc = run_hf(&r, now_s); break;
    }
    run_release(&r);
    return rc;
}
