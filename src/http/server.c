/* The HTTP server: libmicrohttpd in thread-pool mode, one SQLite connection and one index
 * reader per worker thread, routing, limits, sessions, the page cache and the access log.
 *
 * Limits (an outsider controls all of these): request target HTTP_MAX_URI bytes (414), header
 * fields HTTP_MAX_HEADERS (431) and 32 KiB of header bytes per connection (microhttpd answers
 * 431/414 itself), body opts.max_body (413), connections opts.max_connections (and 64 per
 * client address), idle timeout opts.timeout_s, rate limits per client address and action.
 *
 * Page cache: anonymous GETs of cacheable pages are kept in memory keyed by the request target
 * and served again until the data changes (a write through this server, or a commit by another
 * process seen as a new PRAGMA data_version on any worker), the search index moves on, or their
 * max-age passes. Signed-in visitors always get a fresh page (it shows their votes and a CSRF
 * token). A response says X-Cache: hit or miss when the cache keeps that page.
 *
 * The index is re-read before the cache is consulted, at most once a second per worker, or at
 * once when ix_epoch moved (http_invalidate, or another worker saw a new index). A worker that
 * finds a new index bumps ix_epoch and then the cache generation; a request reads the
 * generation before it checks the index, so a page built from an old index is stored under an
 * old generation and never served. */
#include "internal.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "../util/alloc.h"
#include "../util/date.h"

#define CACHE_SETS 1024 /* x CACHE_WAYS entries, least recently used replaced in a set */
#define CACHE_WAYS 4
#define CACHE_MAX_BYTES (64 << 20) /* bodies held at once; past it, new pages are not kept */
#define CACHE_MAX_PAGE (1 << 20)   /* larger bodies are never kept */
#define RATE_SLOTS 4096

/* A cached body, shared by the cache and every response sending it: the last one frees it. */
struct page {
    _Atomic int refs;
    size_t len;
    char body[];
};

struct cached {
    char *key;
    struct page *pg;
    const char *ctype;
    uint64_t gen;
    int64_t expires; /* 0: until the generation changes */
    uint64_t used;   /* tick of the last hit, for LRU */
};

struct rate {
    uint64_t key;
    int64_t window; /* hour number */
    int count;
};

struct http_server {
    struct http_opts o;
    struct MHD_Daemon *d;
    int port;
    char key[AUTH_HEX_LEN];
    _Atomic uint64_t gen;
    _Atomic uint64_t ix_epoch; /* bumped when the index changed: workers re-read it */
    pthread_mutex_t mu; /* workers list, cache, rate table, access log */
    struct worker *workers;
    struct cached cache[CACHE_SETS][CACHE_WAYS];
    uint64_t tick;
    size_t cache_bytes;
    struct rate rates[RATE_SLOTS];
};

static _Thread_local struct worker *tl_worker;

void http_opts_default(struct http_opts *o)
{
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->port = 8080;
    o->threads = 4;
    o->max_connections = 1000;
    o->timeout_s = 30;
    o->max_body = 64 * 1024;
    o->site_name = "paperboy";
    o->base_url = "";
    o->rate_signup = 10;
    o->rate_login = 60;
    o->rate_vote = 600;
    o->rate_comment = 60;
}

const struct http_opts *http_server_opts(const struct http_server *s)
{
    return &s->o;
}

const char *http_server_key(const struct http_server *s)
{
    return s->key;
}

int64_t http_now(const struct req *r)
{
    return r->srv->o.now ? r->srv->o.now() : date_now();
}

void http_server_changed(struct http_server *s)
{
    atomic_fetch_add(&s->gen, 1);
}

void http_invalidate(struct http_server *s)
{
    atomic_fetch_add(&s->ix_epoch, 1); /* before the generation: see the comment at the top */
    http_server_changed(s);
}

int http_port(const struct http_server *s)
{
    return s->port;
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- output helpers ---- */

void out_mem(struct req *r, const char *s, size_t n)
{
    if (buf_append(&r->out, s, n))
        r->status = 500;
}

void out_str(struct req *r, const char *s)
{
    out_mem(r, s, strlen(s));
}

void out_fmt(struct req *r, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        out_mem(r, small, (size_t)n);
        return;
    }
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    out_mem(r, big, (size_t)n);
    xfree(big);
}

void http_redirect(struct req *r, const char *location)
{
    r->status = r->is_post ? 303 : 302;
    snprintf(r->location, sizeof r->location, "%s", location);
    buf_reset(&r->out);
    r->ctype = "text/plain; charset=utf-8";
    out_str(r, "See ");
    out_str(r, location);
    out_str(r, "\n");
}

static int is_api_path(const struct req *r)
{
    return !strncmp(r->path, "/api/", 5);
}

void http_error(struct req *r, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    buf_reset(&r->out);
    r->status = status;
    r->cacheable = 0;
    if (is_api_path(r)) {
        r->ctype = "application/json";
        out_str(r, "{\"error\":\"");
        for (const char *p = msg; *p; p++) {
            if (*p == '"' || *p == '\\')
                out_fmt(r, "\\%c", *p);
            else if ((unsigned char)*p < 0x20)
                out_fmt(r, "\\u%04x", *p);
            else
                out_mem(r, p, 1);
        }
        out_fmt(r, "\",\"status\":%d}\n", status);
        return;
    }
    const char *title = status == 404   ? "Not found"
                        : status == 400 ? "Bad request"
                        : status == 403 ? "Forbidden"
                        : status == 413 ? "Request too large"
                        : status == 429 ? "Too many requests"
                                        : "Error";
    html_begin(r, title, NULL);
    out_fmt(r, "<main class=\"narrow\"><h1>%s</h1><p class=\"error\">", title);
    html_esc(r, msg);
    out_str(r, "</p><p><a href=\"/\">Back to today's papers</a></p></main>");
    html_end(r);
    r->status = status;
}

const char *http_param(const struct req *r, const char *key)
{
    const char *v = r->is_post ? form_get(&r->body, key) : NULL;
    return v ? v : form_get(&r->query, key);
}

void http_cookie(struct req *r, const char *name, const char *value, long max_age)
{
    int slot = r->cookie[0][0] ? 1 : 0;
    snprintf(r->cookie[slot], sizeof r->cookie[slot],
             "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%ld", name, value, max_age);
}

void http_base_url(struct req *r, char *out, size_t n)
{
    if (r->srv->o.base_url && r->srv->o.base_url[0]) {
        snprintf(out, n, "%s", r->srv->o.base_url);
        size_t len = strlen(out);
        if (len && out[len - 1] == '/')
            out[len - 1] = 0;
        return;
    }
    snprintf(out, n, "http://%s:%d", r->srv->o.host, r->srv->port);
}

/* ---- rate limits: fixed one-hour windows per (client address, action) ---- */

static uint64_t fnv(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = a; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (const char *p = b; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h | 1;
}

int http_rate_limit(struct req *r, const char *action, int per_hour)
{
    if (per_hour <= 0)
        return 0;
    struct http_server *s = r->srv;
    uint64_t key = fnv(r->ip, action);
    int64_t now = http_now(r);
    int64_t window = now / 3600;
    pthread_mutex_lock(&s->mu);
    struct rate *slot = &s->rates[key % RATE_SLOTS];
    if (slot->key != key || slot->window != window)
        *slot = (struct rate){key, window, 0};
    int over = ++slot->count > per_hour;
    pthread_mutex_unlock(&s->mu);
    if (!over)
        return 0;
    r->retry_after = (int)((window + 1) * 3600 - now);
    http_error(r, 429, "Too many %s requests from your address; try again in %d minutes.",
               action, r->retry_after / 60 + 1);
    return -1;
}

int http_check_csrf(struct req *r)
{
    if (r->via_token)
        return 0;
    const char *t = form_get(&r->body, "csrf");
    if (t && r->csrf[0] && auth_equal(t, r->csrf))
        return 0;
    http_error(r, 403, "The form has expired or did not come from this site (CSRF check "
                       "failed). Go back, reload the page and try again.");
    return -1;
}

/* ---- workers ---- */

static struct worker *worker_get(struct http_server *s)
{
    if (tl_worker)
        return tl_worker;
    struct worker *w = xcalloc(1, sizeof *w);
    char err[512];
    if (store_open(s->o.db_path, 0, &w->st, err, sizeof err)) {
        if (s->o.access_log)
            fprintf(s->o.access_log, "paperboy: %s\n", err);
        xfree(w);
        return NULL;
    }
    pthread_mutex_lock(&s->mu);
    w->next = s->workers;
    s->workers = w;
    pthread_mutex_unlock(&s->mu);
    tl_worker = w;
    return w;
}

struct index *http_index_quiet(struct req *r, char *err, size_t errlen)
{
    struct worker *w = r->w;
    if (!w->ix) {
        w->ix_epoch = atomic_load(&r->srv->ix_epoch);
        w->ix_checked = mono_us();
        if (index_open(r->srv->o.index_dir, 0, &w->ix, err, errlen))
            w->ix = NULL;
    }
    return w->ix;
}

struct index *http_index(struct req *r)
{
    char err[512];
    struct index *ix = http_index_quiet(r, err, sizeof err);
    if (!ix)
        http_error(r, 503, "The search index is not available: %s", err);
    return ix;
}

/* Move this worker's index reader to the newest index (see the comment at the top). */
static void check_index(struct req *r)
{
    struct worker *w = r->w;
    struct http_server *s = r->srv;
    if (!w->ix)
        return; /* opened fresh on first use */
    int64_t now = mono_us();
    uint64_t epoch = atomic_load(&s->ix_epoch);
    if (epoch == w->ix_epoch && now - w->ix_checked < 1000000)
        return;
    w->ix_checked = now;
    w->ix_epoch = epoch;
    uint64_t seq = index_seq(w->ix);
    char err[512];
    if (index_refresh(w->ix, err, sizeof err)) {
        index_close(w->ix); /* http_index reopens it, or reports why it cannot */
        w->ix = NULL;
        return;
    }
    if (index_seq(w->ix) != seq) {
        w->ix_epoch = atomic_fetch_add(&s->ix_epoch, 1) + 1;
        http_server_changed(s);
    }
}

/* Another connection (import, harvest, another worker) committed since this worker last
 * looked: every cached page may be stale. */
static void check_data_version(struct req *r)
{
    int64_t v = store_data_version(r->w->st);
    if (v != r->w->data_version) {
        if (r->w->data_version)
            http_server_changed(r->srv);
        r->w->data_version = v;
    }
}

/* ---- the visitor ---- */

static const char *cookie(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_COOKIE_KIND, name);
}

static void identify(struct req *r, struct MHD_Connection *c)
{
    char now[DATE_TS_LEN + 1], h[AUTH_HEX_LEN];
    date_format_ts(http_now(r), now);
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (auth && !strncmp(auth, "Bearer ", 7) && strlen(auth + 7) < AUTH_TOKEN_LEN) {
        auth_token_hash(auth + 7, h);
        if (store_api_token_user(r->w->st, h, &r->user) == 0) {
            r->via_token = 1;
            return;
        }
        memset(&r->user, 0, sizeof r->user);
    }
    const char *sess = cookie(c, "pb_session");
    if (sess && strlen(sess) < AUTH_TOKEN_LEN) {
        auth_token_hash(sess, h);
        if (store_session_user(r->w->st, h, now, &r->user) == 0) {
            snprintf(r->session, sizeof r->session, "%s", sess);
            auth_csrf(r->srv->key, r->session, r->csrf);
            return;
        }
        memset(&r->user, 0, sizeof r->user);
    }
    const char *anon = cookie(c, "pb_anon");
    if (anon && strlen(anon) == AUTH_TOKEN_LEN - 1) {
        snprintf(r->anon, sizeof r->anon, "%s", anon);
        auth_csrf(r->srv->key, r->anon, r->csrf);
    }
}

/* Forms shown to anonymous visitors (login, signup) need a CSRF token: give them an anonymous
 * cookie to bind it to. */
void http_ensure_anon(struct req *r)
{
    if (r->user.uid || r->anon[0])
        return;
    auth_token_new(r->anon);
    auth_csrf(r->srv->key, r->anon, r->csrf);
    r->set_anon = 1;
}

/* ---- routing ---- */

static const char *suffix(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) ? NULL : path + n;
}

/* "/papers/<id>[/vote|/comment]" -> id and rest. Old-style ids contain one '/'. */
static int split_paper_path(const char *p, char *id, size_t n, const char **rest)
{
    static const char *const tails[] = {"/vote", "/comment", "/bibtex", NULL};
    size_t len = strlen(p);
    *rest = "";
    for (const char *const *t = tails; *t; t++) {
        size_t tl = strlen(*t);
        if (len > tl && !strcmp(p + len - tl, *t)) {
            *rest = *t + 1;
            len -= tl;
            break;
        }
    }
    if (len == 0 || len >= n)
        return -1;
    memcpy(id, p, len);
    id[len] = 0;
    return 0;
}

static void route(struct req *r)
{
    const char *p = r->path, *rest;
    char id[128];
    if (mail_route(r)) {
        if (r->is_post)
            http_server_changed(r->srv);
        return;
    }
    if (r->is_post) {
        if (!strcmp(p, "/signup"))
            page_signup(r);
        else if (!strcmp(p, "/login"))
            page_login(r);
        else if (!strcmp(p, "/logout"))
            page_logout(r);
        else if (!strcmp(p, "/submit"))
            page_submit(r);
        else if (!strcmp(p, "/admin/hide"))
            page_admin_hide(r);
        else if ((rest = suffix(p, "/api/papers/")) &&
                 !split_paper_path(rest, id, sizeof id, &rest) && !strcmp(rest, "vote"))
            action_vote(r, id, 1);
        else if ((rest = suffix(p, "/papers/")) && !split_paper_path(rest, id, sizeof id, &rest) &&
                 !strcmp(rest, "vote"))
            action_vote(r, id, 0);
        else if ((rest = suffix(p, "/papers/")) && !split_paper_path(rest, id, sizeof id, &rest) &&
                 !strcmp(rest, "comment"))
            action_comment(r, id);
        else
            http_error(r, 404, "There is nothing to post to at %s.", p);
        http_server_changed(r->srv);
        return;
    }
    if (!strcmp(p, "/") || !strcmp(p, "/papers"))
        page_daily(r);
    else if (!strcmp(p, "/trending"))
        page_trending(r);
    else if (!strcmp(p, "/search"))
        page_search(r);
    else if (!strcmp(p, "/about"))
        page_about(r);
    else if (!strcmp(p, "/stats"))
        page_stats(r);
    else if (!strcmp(p, "/submit")) {
        http_ensure_anon(r);
        page_submit(r);
    } else if (!strcmp(p, "/signup")) {
        http_ensure_anon(r);
        page_signup(r);
    } else if (!strcmp(p, "/login")) {
        http_ensure_anon(r);
        page_login(r);
    } else if ((rest = suffix(p, "/u/")) && *rest)
        page_user(r, rest);
    else if ((rest = suffix(p, "/papers/")) && !split_paper_path(rest, id, sizeof id, &rest))
        page_paper(r, id, rest);
    else if (!strcmp(p, "/api/daily_papers"))
        api_daily_papers(r);
    else if (!strcmp(p, "/api/papers/search"))
        api_search(r);
    else if ((rest = suffix(p, "/api/papers/")) && !split_paper_path(rest, id, sizeof id, &rest))
        api_paper(r, id, rest);
    else if (!strcmp(p, "/feeds/daily.rss") || !strcmp(p, "/papers.rss"))
        feed_daily(r, 0);
    else if (!strcmp(p, "/feeds/daily.atom") || !strcmp(p, "/papers.atom"))
        feed_daily(r, 1);
    else if (!strcmp(p, "/trending.rss"))
        feed_trending(r, 0);
    else if (!strcmp(p, "/trending.atom"))
        feed_trending(r, 1);
    else if (!strcmp(p, "/search.rss"))
        feed_search(r, 0);
    else if (!strcmp(p, "/search.atom"))
        feed_search(r, 1);
    else if (!strcmp(p, "/opensearch.xml"))
        feed_opensearch(r);
    else if (!strcmp(p, "/static/style.css") || !strcmp(p, "/static/app.js") ||
             !strcmp(p, "/favicon.ico") || !strcmp(p, "/favicon.svg"))
        http_static(r);
    else
        http_error(r, 404, "There is no page at %s.", p);
}

/* ---- the page cache ---- */

static uint64_t key_hash(const char *s)
{
    return fnv(s, "");
}

static void page_unref(struct page *pg)
{
    if (pg && atomic_fetch_sub(&pg->refs, 1) == 1)
        xfree(pg);
}

/* microhttpd's free callback for a response sending a cached body. */
static void page_release(void *body)
{
    page_unref((struct page *)(void *)((char *)body - offsetof(struct page, body)));
}

static struct cached *cache_set(struct http_server *s, const char *key)
{
    return s->cache[key_hash(key) % CACHE_SETS];
}

static void cache_drop(struct http_server *s, struct cached *c)
{
    if (c->pg)
        s->cache_bytes -= c->pg->len;
    page_unref(c->pg);
    xfree(c->key);
    memset(c, 0, sizeof *c);
}

/* A hit hands the shared body to the response (r->page): nothing is copied. */
static int cache_serve(struct req *r)
{
    struct http_server *s = r->srv;
    struct cached *set = cache_set(s, r->uri);
    int64_t now = http_now(r);
    uint64_t gen = atomic_load(&s->gen);
    pthread_mutex_lock(&s->mu);
    for (int w = 0; w < CACHE_WAYS; w++) {
        struct cached *c = &set[w];
        if (!c->key || strcmp(c->key, r->uri))
            continue;
        if (c->gen != gen || (c->expires && c->expires <= now)) {
            cache_drop(s, c);
            break;
        }
        atomic_fetch_add(&c->pg->refs, 1);
        c->used = ++s->tick;
        r->page = c->pg;
        r->ctype = c->ctype;
        break;
    }
    pthread_mutex_unlock(&s->mu);
    if (!r->page)
        return 0;
    r->status = 200;
    r->x_cache = "hit";
    return 1;
}

/* Keep this response's body; the response itself then sends the shared copy too. */
static void cache_put(struct req *r, uint64_t gen)
{
    struct http_server *s = r->srv;
    size_t n = r->out.len;
    if (n > CACHE_MAX_PAGE)
        return;
    struct page *pg = xmalloc(sizeof *pg + n + 1);
    atomic_init(&pg->refs, 2); /* the cache and this response */
    pg->len = n;
    memcpy(pg->body, r->out.data ? r->out.data : "", n);
    pg->body[n] = 0;
    char *key = xstrdup(r->uri);
    struct cached *set = cache_set(s, r->uri);
    pthread_mutex_lock(&s->mu);
    struct cached *victim = &set[0];
    for (int w = 0; w < CACHE_WAYS; w++) {
        struct cached *c = &set[w];
        if (c->key && !strcmp(c->key, r->uri)) { /* another worker's copy: replace it */
            victim = c;
            break;
        }
        if (!c->key || c->gen != gen) {
            victim = c;
            continue;
        }
        if (victim->key && victim->gen == gen && c->used < victim->used)
            victim = c;
    }
    cache_drop(s, victim);
    int keep = s->cache_bytes + n <= CACHE_MAX_BYTES;
    if (keep) {
        *victim = (struct cached){key, pg, r->ctype, gen,
                                  r->max_age ? http_now(r) + r->max_age : 0, ++s->tick};
        s->cache_bytes += n;
    }
    pthread_mutex_unlock(&s->mu);
    if (!keep) {
        xfree(key);
        atomic_fetch_sub(&pg->refs, 1);
    }
    r->page = pg;
}

/* ---- microhttpd callbacks ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)c;
    struct req *r = xcalloc(1, sizeof *r);
    r->srv = cls;
    r->t0_us = mono_us();
    size_t n = strlen(uri);
    r->uri = xstrndup(uri, n > HTTP_MAX_URI ? HTTP_MAX_URI + 1 : n);
    buf_init(&r->out, HTTP_MAX_PAGE);
    return r;
}

static void req_free(struct req *r)
{
    page_unref(r->page); /* still set only when no response was made */
    form_release(&r->query);
    form_release(&r->body);
    buf_release(&r->raw_body);
    buf_release(&r->out);
    xfree(r->path);
    xfree(r->uri);
    xfree(r);
}

static void log_access(struct req *r, struct MHD_Connection *c)
{
    FILE *f = r->srv->o.access_log;
    if (!f)
        return;
    (void)c;
    char ts[DATE_TS_LEN + 1];
    date_format_ts(date_now(), ts);
    long us = (long)(mono_us() - r->t0_us);
    pthread_mutex_lock(&r->srv->mu);
    fprintf(f, "%s %s %s \"", ts, r->ip[0] ? r->ip : "-", r->method);
    for (const char *p = r->uri; *p && p - r->uri < 512; p++)
        fputc((unsigned char)*p < 0x20 || *p == '"' || *p == 0x7f ? '?' : *p, f);
    fprintf(f, "\" %d %zu %ldus %s\n", r->status, r->bytes_sent, us,
             r->user.uid ? r->user.name : "-");
    fflush(f);
    pthread_mutex_unlock(&r->srv->mu);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)toe;
    struct req *r = *con_cls;
    if (!r)
        return;
    log_access(r, c);
    req_free(r);
    *con_cls = NULL;
}

static enum MHD_Result respond(struct req *r, struct MHD_Connection *c)
{
    if (r->status == 0)
        r->status = 200;
    if (r->status == 500 && r->out.len >= HTTP_MAX_PAGE) {
        buf_reset(&r->out);
        out_str(r, "internal error: page too large\n");
    }
    /* For HEAD, microhttpd sends the headers (Content-Length included) and not the body. */
    struct MHD_Response *resp;
    size_t n;
    if (r->page) { /* a cached body: shared, released when microhttpd is done with it */
        n = r->page->len;
        resp = MHD_create_response_from_buffer_with_free_callback(n, r->page->body,
                                                                  page_release);
        r->page = NULL;
    } else {
        n = r->out.len;
        char *body = buf_take(&r->out);
        resp = MHD_create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE);
    }
    r->bytes_sent = n;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->ctype ? r->ctype : "text/html; charset=utf-8");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    if (!r->ctype || !strncmp(r->ctype, "text/html", 9)) {
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self';"
                                " script-src 'self'; frame-ancestors 'none'");
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    }
    if (r->location[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    for (int i = 0; i < 2; i++)
        if (r->cookie[i][0])
            MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->cookie[i]);
    if (r->set_anon) {
        char ck[128];
        snprintf(ck, sizeof ck, "pb_anon=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400",
                 r->anon);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, ck);
    }
    if (r->retry_after) {
        char ra[32];
        snprintf(ra, sizeof ra, "%d", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            r->cache_control ? r->cache_control
                            : r->user.uid    ? "private, no-store"
                                             : "no-cache");
    if (r->status == 405)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, POST");
    if (r->x_cache)
        MHD_add_response_header(resp, "X-Cache", r->x_cache);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void client_ip(struct req *r, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->ip,
                  sizeof r->ip);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->ip,
                  sizeof r->ip);
}

/* Split the raw target into the decoded path and the parsed query. */
static int parse_target(struct req *r)
{
    if (strlen(r->uri) > HTTP_MAX_URI)
        return 414;
    const char *q = strchr(r->uri, '?');
    size_t plen = q ? (size_t)(q - r->uri) : strlen(r->uri);
    r->path = form_decode(r->uri, plen, 0);
    if (!r->path || r->path[0] != '/')
        return 400;
    if (q && form_parse(&r->query, q + 1, strlen(q + 1)))
        return 400;
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)url;
    (void)version;
    struct http_server *s = cls;
    struct req *r = *con_cls;
    if (!r) /* no URI callback happened (cannot occur with our options) */
        return MHD_NO;
    if (!r->method[0]) { /* first call: headers are in */
        snprintf(r->method, sizeof r->method, "%s", method);
        r->is_post = !strcmp(method, "POST");
        r->is_head = !strcmp(method, "HEAD");
        client_ip(r, c);
        buf_init(&r->raw_body, s->o.max_body);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->o.max_body) {
            r->status = 413;
            r->path = xstrdup("/");
            http_error(r, 413, "The request body is larger than %zu bytes.", s->o.max_body);
            return respond(r, c);
        }
        return MHD_YES;
    }
    if (*upload_data_size) { /* a piece of the body */
        if (!r->body_too_big && buf_append(&r->raw_body, upload_data, *upload_data_size))
            r->body_too_big = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    /* the whole request is in */
    int status = parse_target(r);
    if (!r->path)
        r->path = xstrdup("/");
    if (status == 414) {
        http_error(r, 414, "The address is longer than %d bytes.", HTTP_MAX_URI);
        return respond(r, c);
    }
    if (status) {
        http_error(r, 400, "The address could not be read (bad %%-escape or not UTF-8).");
        return respond(r, c);
    }
    if (MHD_get_connection_values(c, MHD_HEADER_KIND, NULL, NULL) > HTTP_MAX_HEADERS) {
        http_error(r, 431, "More than %d header fields.", HTTP_MAX_HEADERS);
        return respond(r, c);
    }
    if (r->body_too_big) {
        http_error(r, 413, "The request body is larger than %zu bytes.", s->o.max_body);
        return respond(r, c);
    }
    if (!r->is_post && strcmp(method, "GET") && !r->is_head) {
        http_error(r, 405, "%s is not supported here.", method);
        return respond(r, c);
    }
    if (r->is_post) {
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_TYPE);
        /* RFC 8058 lets a mail provider post the one-click unsubscribe as multipart/form-data
         * too; its URL carries everything, so that body is not read. */
        int one_click = !strcmp(r->path, "/mail/unsubscribe");
        if (one_click && ct && strncmp(ct, "application/x-www-form-urlencoded", 33))
            buf_reset(&r->raw_body);
        if (r->raw_body.len && (!ct || strncmp(ct, "application/x-www-form-urlencoded", 33))) {
            http_error(r, 415, "Send forms as application/x-www-form-urlencoded.");
            return respond(r, c);
        }
        int rc = form_parse(&r->body, buf_str(&r->raw_body), r->raw_body.len);
        if (rc) {
            http_error(r, rc == PB_ETOOBIG ? 413 : 400, "The form could not be read.");
            return respond(r, c);
        }
    }
    r->w = worker_get(s);
    if (!r->w) {
        http_error(r, 503, "The database cannot be opened.");
        return respond(r, c);
    }
    check_data_version(r);
    identify(r, c);
    uint64_t gen = atomic_load(&s->gen);
    check_index(r);
    int anonymous = !r->user.uid && !r->is_post;
    if (anonymous && cache_serve(r))
        return respond(r, c);
    route(r);
    if (r->status == 0) /* handlers leave it unset for a normal page */
        r->status = 200;
    if (anonymous && r->cacheable && r->status == 200 && !r->set_anon && !r->cookie[0][0]) {
        cache_put(r, gen);
        r->x_cache = "miss";
    }
    return respond(r, c);
}

int http_start(const struct http_opts *o, struct http_server **out, char *err, size_t errlen)
{
    *out = NULL;
    if (auth_init()) {
        snprintf(err, errlen, "cannot initialise libsodium");
        return PB_EIO;
    }
    struct http_server *s = xcalloc(1, sizeof *s);
    s->o = *o;
    pthread_mutex_init(&s->mu, NULL);
    atomic_store(&s->gen, 1);
    struct store *st;
    int rc = store_open(o->db_path, 0, &st, err, errlen);
    if (rc) {
        xfree(s);
        return rc;
    }
    if (store_meta_get(st, "secret", s->key, sizeof s->key)) {
        auth_key_new(s->key);
        if (store_meta_set(st, "secret", s->key)) {
            snprintf(err, errlen, "cannot store the server key: %s", store_errmsg(st));
            store_close(st);
            xfree(s);
            return PB_EDB;
        }
    }
    store_close(st);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->host, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "cannot listen on '%s': not an IPv4 address", o->host);
        xfree(s);
        return PB_EINVAL;
    }
    s->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY, 0, NULL, NULL, on_request, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)(o->threads > 0 ? o->threads : 1), MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)o->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(64 * 1024), MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, s, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
        MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, errlen, "cannot listen on %s:%d (address in use or not permitted)",
                 o->host, o->port);
        xfree(s);
        return PB_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : o->port;
    *out = s;
    return 0;
}

void http_stop(struct http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->d);
    for (struct worker *w = s->workers, *next; w; w = next) {
        next = w->next;
        index_close(w->ix);
        store_close(w->st);
        xfree(w);
    }
    for (int i = 0; i < CACHE_SETS; i++)
        for (int w = 0; w < CACHE_WAYS; w++)
            cache_drop(s, &s->cache[i][w]);
    pthread_mutex_destroy(&s->mu);
    xfree(s);
}
