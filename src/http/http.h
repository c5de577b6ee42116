/* The web server behind `paperboy serve`: pages, JSON API and feeds over libmicrohttpd (the
 * only code that includes <microhttpd.h>). Routes, limits and the response cache are described
 * in docs/HTTP_API.md and at the top of server.c. */
#ifndef PB_HTTP_HTTP_H
#define PB_HTTP_HTTP_H
#include <stdint.h>
#include <stdio.h>

#include "../util/err.h"

struct mail_conf;

struct http_opts {
    const char *db_path;     /* the database; each worker thread opens its own connection */
    const char *index_dir;   /* the search index directory (DB.index) */
    const char *host;        /* address to listen on ("127.0.0.1") */
    int port;                /* 0: any free port (http_port tells which) */
    int threads;             /* worker threads (>= 1) */
    int max_connections;
    int timeout_s;           /* idle connection timeout */
    size_t max_body;         /* request body limit (413 past it) */
    FILE *access_log;        /* one line per request, or NULL */
    const char *site_name;   /* shown in the header and feeds */
    const char *base_url;    /* absolute URL prefix for feeds and mail ("" = from Host) */
    int rate_signup, rate_login, rate_vote, rate_comment; /* per client address and hour */
    int64_t (*now)(void);    /* the clock (tests inject one); NULL = the system's */
    const struct mail_conf *mail; /* mail settings (mail.h), or NULL: no mail pages */
};
/* Defaults for every field (listen 127.0.0.1:8080, 4 threads, ...). */
void http_opts_default(struct http_opts *o);

struct http_server;
/* Opens the database once to check it and read (or create) the server's secret key, then
 * starts listening. Returns 0, or PB_EIO/PB_EDB with a message in err. */
PB_MUST_CHECK int http_start(const struct http_opts *o, struct http_server **out, char *err,
                             size_t errlen);
/* The port actually bound (useful with port 0). */
int http_port(const struct http_server *s);
/* Tell the server the data or the search index changed behind its back (e.g. a harvest in the
 * same process, the index keeper): cached pages are dropped and every worker re-reads the index
 * before its next request. Thread-safe. */
void http_invalidate(struct http_server *s);
/* Stop accepting, finish the requests in flight, close everything. */
void http_stop(struct http_server *s);

#endif
