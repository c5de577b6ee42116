/* Private to src/http: the request, the per-thread worker and the helpers every handler file
 * uses (server.c: connection handling, routing, cache, limits; html.c: escaping and page
 * layout; pages.c, account.c, api.c, feeds.c: the handlers). */
#ifndef PB_HTTP_INTERNAL_H
#define PB_HTTP_INTERNAL_H
#include <stdint.h>

#include "../auth/auth.h"
#include "../index/index.h"
#include "../store/community.h"
#include "../store/store.h"
#include "../util/buf.h"
#include "form.h"
#include "http.h"

#define HTTP_MAX_URI 4096      /* longer request targets get 414 */
#define HTTP_MAX_HEADERS 64    /* more header fields get 431 */
#define HTTP_MAX_PAGE (8 << 20) /* a response body larger than this is a bug: 500 */
#define HTTP_PAGE_SIZE 30       /* cards per page */
#define HTTP_SESSION_DAYS 30

/* One worker thread's connections: the store and the index are not shared between threads. */
struct worker {
    struct store *st;
    struct index *ix;     /* NULL until the first search; refreshed at most once a second */
    int64_t ix_checked;   /* when the MANIFEST was last looked at */
    uint64_t ix_epoch;    /* the server's ix_epoch when it was */
    int64_t data_version; /* PRAGMA data_version last seen: a change means another writer */
    struct worker *next;
};

struct page;
struct req {
    struct http_server *srv;
    struct worker *w;
    char method[8];
    int is_post, is_head;
    char *uri;             /* raw request target (path?query), from the URI log callback */
    char *path;            /* percent-decoded path */
    struct form query;     /* decoded query string */
    struct form body;      /* decoded urlencoded POST body */
    struct buf raw_body;   /* the body as received, capped at opts.max_body */
    int body_too_big;
    int bad_uri;           /* the target could not be decoded */
    char ip[64];
    int64_t t0_us;
    /* the visitor */
    struct store_user user; /* uid 0: anonymous */
    char session[AUTH_TOKEN_LEN]; /* the session cookie's secret, "" if none */
    char anon[AUTH_TOKEN_LEN];    /* the anonymous cookie (CSRF for login/signup forms) */
    int set_anon;                 /* send anon as a new cookie */
    char csrf[AUTH_HEX_LEN];      /* the token forms must carry */
    int via_token;                /* authenticated by an API token (no CSRF needed) */
    /* the response */
    int status;
    struct buf out;
    const char *ctype;
    char location[512];
    char cookie[2][256];
    const char *cache_control;
    int cacheable;                /* may be served to other anonymous visitors */
    int max_age;                  /* seconds a cached copy stays fresh (0: until data change) */
    struct page *page;            /* a cached body to send instead of out (server.c) */
    const char *x_cache;          /* "hit" or "miss" for pages the cache keeps, else NULL */
    int retry_after;
    size_t bytes_sent;
};

struct http_server;
const struct http_opts *http_server_opts(const struct http_server *s);
const char *http_server_key(const struct http_server *s);
int64_t http_now(const struct req *r);
/* Bump the cache generation: every cached page is stale. */
void http_server_changed(struct http_server *s);

/* --- responses (server.c) --- */
/* Append to the response body (a cap violation is a 500 at the end). */
void out_str(struct req *r, const char *s);
void out_mem(struct req *r, const char *s, size_t n);
void out_fmt(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A redirect (303 after a POST) to a local path. */
void http_redirect(struct req *r, const char *location);
/* An error page (HTML) or JSON error for /api paths. */
void http_error(struct req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Rate limit check for an action ("signup", ...): 0 ok, or sends 429 and returns -1. */
int http_rate_limit(struct req *r, const char *action, int per_hour);
/* POST guard: the form's csrf field must match the visitor's token (or the request carries an
 * API token). 0 ok, or sends 403 and returns -1. */
int http_check_csrf(struct req *r);
/* The query or body parameter (body first for POST). */
const char *http_param(const struct req *r, const char *key);
/* The search index, refreshed when another process published (NULL + error page if none). */
struct index *http_index(struct req *r);
/* The same without answering: NULL with the reason in err (for a page that can do without). */
struct index *http_index_quiet(struct req *r, char *err, size_t errlen);
/* Set a cookie on the response (name=value, HttpOnly, SameSite=Lax, Path=/). max_age 0
 * deletes it. */
void http_cookie(struct req *r, const char *name, const char *value, long max_age);

/* --- HTML (html.c) --- */
void html_esc(struct req *r, const char *s);            /* text and attribute values */
void html_esc_n(struct req *r, const char *s, size_t n);
void url_esc(struct req *r, const char *s);             /* a query-string value */
/* Page top: doctype, head, site header with navigation and the search box (q prefilled). */
void html_begin(struct req *r, const char *title, const char *q);
void html_end(struct req *r);
/* A paper card as on the daily, trending, search and user pages. snippet_html, if non-NULL, is
 * already-escaped HTML shown instead of the abstract preview. rank > 0 prints a number. */
void html_card(struct req *r, const struct store_card *c, const char *snippet_html, int rank);
/* Plain text with URLs made into links (rel="nofollow ugc"), escaped, newlines kept. */
void html_linkify(struct req *r, const char *s);
/* Hidden input with the CSRF token. */
void html_csrf(struct req *r);
/* "Jane Doe, John Roe and 3 others" from "\n"-separated names; all_names: every name. */
void html_authors(struct req *r, const char *authors, int all_names, int as_links);

/* --- handlers --- */
void page_daily(struct req *r);
void page_trending(struct req *r);
void page_paper(struct req *r, const char *id, const char *rest);
void page_search(struct req *r);
void page_about(struct req *r);
void page_stats(struct req *r);
void page_user(struct req *r, const char *name);
void page_signup(struct req *r);
void page_login(struct req *r);
void page_logout(struct req *r);
void page_submit(struct req *r);
void page_admin_hide(struct req *r);
void api_daily_papers(struct req *r);
void api_paper(struct req *r, const char *id, const char *rest);
void api_search(struct req *r);
void feed_daily(struct req *r, int is_atom);
void feed_trending(struct req *r, int is_atom);
void feed_search(struct req *r, int is_atom);
void feed_opensearch(struct req *r);
/* Voting and commenting, shared by the page and the API routes. */
void action_vote(struct req *r, const char *id, int is_api);
void action_comment(struct req *r, const char *id);

/* The mail pages (mail_pages.c): 1 if the path is theirs (handled), else 0. */
int mail_route(struct req *r);
/* Give an anonymous visitor the cookie a form's CSRF token is bound to. */
void http_ensure_anon(struct req *r);

/* /static/style.css, /static/app.js, the favicon (static.c). */
void http_static(struct req *r);

/* --- shared by pages, API and feeds (pages.c) --- */
struct http_period {
    int kind;            /* 'd' day, 'w' ISO week, 'm' month */
    int is_default;      /* no parameter: the latest listing day */
    char first[11], last[11];
    int64_t first_day, last_day;
};
/* The period of ?date=YYYY-MM-DD | ?week=YYYY-Www | ?month=YYYY-MM (default: the latest
 * listing day). -1 for a malformed value. */
int http_period(struct req *r, struct http_period *pd);
/* "now" for trending: the clock, or the store's last activity if that is earlier. */
int64_t http_trending_now(struct req *r);
struct http_hits {
    struct index_result res;
    int has_res;
    int64_t *pids;
    int n;
    double ms;
    int jumped;          /* the query was an arXiv id of a stored paper: jump_id */
    char jump_id[64];
    char err[256];       /* why the query was refused (PB_EINVAL) */
};
/* Parse and run a query. 0 (hits in h, or h->jumped), PB_EINVAL (h->err says why: a 400 for
 * the caller to render), or another error after an error page was sent. Release h always. */
int http_search(struct req *r, const char *text, size_t k, size_t offset, struct http_hits *h);
void http_hits_release(struct http_hits *h);
/* Run the query q and call fn with the card of each hit, best first, card->score set (a query
 * that is one stored paper's id gives that paper). 0, or -1 after an error answer was sent
 * (400 for a malformed query). */
int http_search_cards(struct req *r, const char *q, size_t k, store_card_fn fn, void *ctx);
/* An escaped snippet of text with the result's matches in <mark> (a new string). */
char *http_snippet_html(const struct index_result *res, const char *text);

/* The base URL for absolute links: opts.base_url or "http://" + Host. */
void http_base_url(struct req *r, char *out, size_t n);

#endif
