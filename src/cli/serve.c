/* paperboy serve: the web site (src/http) plus the housekeeping a long-running instance needs:
 * the search index kept in step with the store (papers imported or harvested by any process
 * become searchable within about a second), the configured harvests run on their schedule and
 * submitted papers that are not here yet looked up through the arXiv API (src/harvest), and a
 * clean stop on SIGTERM/SIGINT. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../harvest/harvest.h"
#include "../http/http.h"
#include "../index/index.h"
#include "../mail/mail.h"
#include "../store/community.h"
#include "../store/mail.h"
#include "../util/alloc.h"
#include "../util/config.h"
#include "../util/date.h"
#include "../util/tz.h"
#include "cli.h"

static const char usage[] =
    "usage: paperboy serve [--db PATH] [--config FILE] [--listen HOST:PORT] [--threads N]\n"
    "                      [--access-log FILE] [--base-url URL] [--site-name NAME]\n"
    "\n"
    "Serve the site: the daily listing (/), trending (/trending), search (/search), paper pages\n"
    "(/papers/ID), accounts, voting, comments and submissions, the JSON API (/api/...), RSS and\n"
    "Atom feeds and an OpenSearch description. Routes: docs/HTTP_API.md.\n"
    "\n"
    "options (each overrides the [server] key of the same name in the config file):\n"
    "  --db PATH          database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  --config FILE      configuration file (default: $PAPERBOY_CONFIG or ./paperboy.conf)\n"
    "  --listen HOST:PORT address to listen on (default 127.0.0.1:8080; port 0 picks a free\n"
    "                     one); the chosen address is printed as 'listening on http://...'\n"
    "  --threads N        worker threads, each with its own database connection (default 4)\n"
    "  --access-log FILE  one line per request: time, client, method, target, status, bytes,\n"
    "                     duration, user ('-' for stderr; default: none)\n"
    "  --base-url URL     absolute address of the site for feeds and mail links\n"
    "                     (default: http://HOST:PORT)\n"
    "  --site-name NAME   the name in the header and feeds (default: paperboy)\n"
    "\n"
    "[server] keys in the config file: listen, threads, access-log, base-url, site-name,\n"
    "max-body (bytes, default 65536), max-connections (1000), timeout (seconds, 30),\n"
    "rate-signup, rate-login, rate-vote, rate-comment (per client address and hour:\n"
    "10, 60, 600, 60; 0 = no limit), lookup-submissions (yes: look up submitted papers that\n"
    "are not here yet through the arXiv API, [fetch] api-url; no: wait for a harvest).\n"
    "The [harvest NAME] sections run on their schedule while serving (docs/HARVESTING.md).\n"
    "\n"
    "Mail: with a relay in [mail] smtp the site offers email subscriptions (/subscribe,\n"
    "/mail), one-click unsubscribe and password reset by email, and a scheduler thread\n"
    "composes the due digests every day from [mail] send-time in [mail] timezone and\n"
    "delivers the outbox (opt-in and reset mails within seconds, retries when due). The\n"
    "[mail] keys are those of 'paperboy digest --help' (docs/CONFIG.md, docs/MAIL.md).\n"
    "\n"
    "The search index is updated first if it is behind the database, then kept up to date\n"
    "while serving. SIGTERM or SIGINT stops accepting, finishes the requests in flight and\n"
    "exits 0. Exit status: 1 if the server cannot start, 2 on a usage error.\n";

static const char *const server_keys[] = {
    "listen",      "threads",   "access-log",      "base-url",    "site-name",
    "max-body",    "max-connections", "timeout",   "rate-signup", "rate-login",
    "rate-vote",   "rate-comment",    "lookup-submissions", NULL};

struct keeper {
    struct store *st;
    const char *db;
    struct http_server *srv;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int is_quitting;
};

/* Once a second: if the store has changes the index has not seen, index them and tell the
 * server (its cached pages may now be stale). */
static void *keeper_main(void *arg)
{
    struct keeper *k = arg;
    char *dir = cli_index_dir(k->db);
    struct index *ix = NULL;
    pthread_mutex_lock(&k->mu);
    while (!k->is_quitting) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&k->cond, &k->mu, &ts);
        if (k->is_quitting)
            break;
        pthread_mutex_unlock(&k->mu);
        /* One reader kept open: a refresh only re-reads the MANIFEST when it changed. */
        char err[256];
        if (!ix && index_open(dir, 0, &ix, err, sizeof err))
            ix = NULL;
        else if (ix && index_refresh(ix, err, sizeof err)) {
            index_close(ix);
            ix = NULL;
        }
        int64_t seq = 0;
        int behind = !ix || (store_seq(k->st, &seq) == 0 && (uint64_t)seq > index_seq(ix));
        if (behind && cli_index_sync(k->st, k->db, CLI_SYNC_QUIET) == 0)
            http_invalidate(k->srv);
        pthread_mutex_lock(&k->mu);
    }
    pthread_mutex_unlock(&k->mu);
    index_close(ix);
    xfree(dir);
    return NULL;
}

static int64_t env_now(void);

#define PENDING_EVERY_S 10  /* how often the harvest thread looks for pending submissions */
#define PENDING_BATCH 100   /* ids looked up per round (one API request) */

struct harvest_thread {
    const char *db;
    struct harvester *h;
    struct http_server *srv;
    int lookup_submissions;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int is_quitting;
};

static void harvest_log(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "paperboy serve: harvest: %s\n", msg);
}

static int collect_id(void *ctx, const char *id)
{
    strlist_push(ctx, id);
    return 0;
}

/* One round: the due harvests, then pending submissions. Returns how many papers changed. */
static long harvest_round(struct harvest_thread *t, struct store *st)
{
    struct harvest_stats hs;
    memset(&hs, 0, sizeof hs);
    char err[512];
    if (harvest_run_due(t->h, st, env_now(), &hs, err, sizeof err))
        fprintf(stderr, "paperboy serve: harvest: %s\n", err);
    if (t->lookup_submissions) {
        struct strlist ids = {0};
        if (store_submissions_pending(st, PENDING_BATCH, collect_id, &ids) == 0 && ids.n) {
            enum harvest_id_status *status = xcalloc(ids.n, sizeof *status);
            if (harvest_lookup_ids(t->h, st, (const char *const *)ids.v, (int)ids.n, status, &hs,
                                   err, sizeof err))
                fprintf(stderr, "paperboy serve: looking up submitted papers: %s\n", err);
            xfree(status);
        }
        strlist_clear(&ids);
    }
    return hs.n_new + hs.n_updated + hs.n_deleted;
}

static void *harvest_main(void *arg)
{
    struct harvest_thread *t = arg;
    struct store *st = NULL;
    char err[512];
    if (store_open(t->db, 0, &st, err, sizeof err)) {
        fprintf(stderr, "paperboy serve: harvest: %s\n", err);
        return NULL;
    }
    pthread_mutex_lock(&t->mu);
    while (!t->is_quitting) {
        pthread_mutex_unlock(&t->mu);
        if (harvest_round(t, st) > 0 && cli_index_sync(st, t->db, CLI_SYNC_QUIET) == 0)
            http_invalidate(t->srv);
        int64_t now = env_now(), next = INT64_MAX;
        if (harvest_next_due(t->h, st, now, &next))
            next = INT64_MAX;
        int64_t wait = next - now;
        if (t->lookup_submissions && wait > PENDING_EVERY_S)
            wait = PENDING_EVERY_S;
        if (wait > 60)
            wait = 60; /* re-read the schedule now and then (the clock may jump) */
        if (wait < 1)
            wait = 1;
        pthread_mutex_lock(&t->mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += wait;
        if (!t->is_quitting)
            pthread_cond_timedwait(&t->cond, &t->mu, &ts);
    }
    pthread_mutex_unlock(&t->mu);
    store_close(st);
    return NULL;
}

static int64_t env_now(void)
{
    return cli_now();
}

/* The mail scheduler: once a second, compose the digests that are due once the local time is
 * past send_time (composing is idempotent: a period already done costs one query), then
 * deliver whatever the outbox holds for now. Its own store connection and index reader. */
struct mailer {
    const char *db;
    struct mail_conf *conf;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int is_quitting;
};

static void *mailer_main(void *arg)
{
    struct mailer *m = arg;
    char err[512], *dir = cli_index_dir(m->db);
    struct store *st = NULL;
    struct index *ix = NULL;
    struct mail_ctx ctx;
    int ready = store_open(m->db, 0, &st, err, sizeof err) == 0 &&
                mail_ctx_init(&ctx, st, m->conf, m->db, err, sizeof err) == 0;
    if (!ready)
        fprintf(stderr, "paperboy serve: mail scheduler: %s\n", err);
    else
        ctx.log = stderr;
    pthread_mutex_lock(&m->mu);
    while (ready && !m->is_quitting) {
        pthread_mutex_unlock(&m->mu);
        int64_t now = env_now();
        struct mail_stats ms = {0};
        if (mail_local_seconds(m->conf, now) >= m->conf->send_minute * 60L) {
            int64_t max_pid = 0;
            if (!ix && index_open(dir, 0, &ix, err, sizeof err))
                ix = NULL;
            else if (ix && index_refresh(ix, err, sizeof err)) {
                index_close(ix);
                ix = NULL;
            }
            if (ix && store_max_pid_at(st, (int64_t)index_seq(ix), &max_pid))
                max_pid = 0;
            if (mail_compose_due(&ctx, ix, max_pid, now, &ms, err, sizeof err))
                fprintf(stderr, "paperboy serve: composing digests: %s\n", err);
            else if (ms.queued || ms.empty)
                fprintf(stderr, "paperboy serve: %ld digests queued, %ld empty (not sent)\n",
                        ms.queued, ms.empty);
        }
        int drc = mail_deliver(&ctx, now, 0, &ms, err, sizeof err);
        if (drc && drc != PB_EBUSY)
            fprintf(stderr, "paperboy serve: delivering mail: %s\n", err);
        pthread_mutex_lock(&m->mu);
        if (m->is_quitting)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&m->cond, &m->mu, &ts);
    }
    pthread_mutex_unlock(&m->mu);
    index_close(ix);
    store_close(st);
    xfree(dir);
    return NULL;
}

static int parse_listen(const char *s, char *host, size_t n, int *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || (size_t)(colon - s) >= n)
        return -1;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || p < 0 || p > 65535)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    *port = (int)p;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"access-log", required_argument, NULL, 'a'},
                                         {"base-url", required_argument, NULL, 'b'},
                                         {"site-name", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db_flag = NULL, *config_flag = NULL, *listen = NULL, *threads = NULL,
               *access = NULL, *base_url = NULL, *site = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db_flag = optarg; break;
        case 'c': config_flag = optarg; break;
        case 'l': listen = optarg; break;
        case 't': threads = optarg; break;
        case 'a': access = optarg; break;
        case 'b': base_url = optarg; break;
        case 's': site = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "paperboy serve: unexpected argument '%s'\n\n%s", argv[optind], usage);
        return EXIT_USAGE;
    }
    char err[512];
    struct config *cfg = NULL;
    const char *cfg_path = config_path(config_flag);
    if (cfg_path ? config_load(cfg_path, &cfg, err, sizeof err) : (cfg = config_new(), 0)) {
        fprintf(stderr, "paperboy serve: %s\n", err);
        return 1;
    }
    struct http_opts o;
    http_opts_default(&o);
    long v;
    int bad = config_check_keys(cfg, "server", server_keys, err, sizeof err);
#define INT_KEY(key, field, lo, hi)                                                            \
    if (!bad) {                                                                                \
        v = (long)o.field;                                                                     \
        bad = config_get_int(cfg, "server", NULL, key, lo, hi, &v, err, sizeof err);           \
        o.field = v;                                                                           \
    }
    INT_KEY("threads", threads, 1, 256)
    INT_KEY("max-body", max_body, 1024, 64L << 20)
    INT_KEY("max-connections", max_connections, 1, 100000)
    INT_KEY("timeout", timeout_s, 1, 3600)
    INT_KEY("rate-signup", rate_signup, 0, 1000000)
    INT_KEY("rate-login", rate_login, 0, 1000000)
    INT_KEY("rate-vote", rate_vote, 0, 1000000)
    INT_KEY("rate-comment", rate_comment, 0, 1000000)
#undef INT_KEY
    if (bad) {
        fprintf(stderr, "paperboy serve: %s\n", err);
        config_free(cfg);
        return 1;
    }
    if (!listen)
        listen = config_get(cfg, "server", NULL, "listen");
    if (!access)
        access = config_get(cfg, "server", NULL, "access-log");
    o.base_url = base_url ? base_url : config_get(cfg, "server", NULL, "base-url");
    if (!o.base_url)
        o.base_url = "";
    o.site_name = site ? site : config_get(cfg, "server", NULL, "site-name");
    if (!o.site_name || !*o.site_name)
        o.site_name = "paperboy";
    if (threads) {
        char *end;
        long t = strtol(threads, &end, 10);
        if (*end || t < 1 || t > 256) {
            fprintf(stderr, "paperboy serve: --threads must be 1 to 256\n");
            config_free(cfg);
            return EXIT_USAGE;
        }
        o.threads = (int)t;
    }
    char host[64] = "127.0.0.1";
    if (listen && parse_listen(listen, host, sizeof host, &o.port)) {
        fprintf(stderr, "paperboy serve: cannot read the listen address '%s' (HOST:PORT)\n",
                listen);
        config_free(cfg);
        return EXIT_USAGE;
    }
    o.host = host;
    FILE *log = NULL;
    if (access && !strcmp(access, "-")) {
        o.access_log = stderr;
    } else if (access && *access) {
        log = fopen(access, "a");
        if (!log) {
            fprintf(stderr, "paperboy serve: cannot open the access log '%s': %s\n", access,
                    strerror(errno));
            config_free(cfg);
            return 1;
        }
        o.access_log = log;
    }
    o.now = env_now;
    const char *lookup = config_get(cfg, "server", NULL, "lookup-submissions");
    if (lookup && strcmp(lookup, "yes") && strcmp(lookup, "no")) {
        fprintf(stderr, "paperboy serve: lookup-submissions in [server] is yes or no, not '%s'\n",
                lookup);
        config_free(cfg);
        return 1;
    }
    struct harvest_thread ht = {NULL, NULL, NULL, !lookup || !strcmp(lookup, "yes"),
                                PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    if (harvester_new(cfg, &ht.h, err, sizeof err)) {
        fprintf(stderr, "paperboy serve: %s\n", err);
        config_free(cfg);
        return 1;
    }
    struct harvest_hooks hooks = {NULL, harvest_log, NULL, NULL};
    harvester_set_hooks(ht.h, &hooks);
    struct mail_conf mc;
    struct tz *tz = NULL;
    if (cli_mail_conf(cfg, NULL, base_url, &mc, &tz, err, sizeof err)) {
        fprintf(stderr, "paperboy serve: %s\n", err);
        harvester_free(ht.h);
        if (log)
            fclose(log);
        config_free(cfg);
        return 1;
    }
    mc.site_name = o.site_name;
    if (mc.smtp_url[0])
        o.mail = &mc;
    const char *db = cli_db_path(db_flag);
    o.db_path = db;
    char *dir = cli_index_dir(db);
    o.index_dir = dir;
    int rc = 1;
    struct store *st = cli_open_store(db_flag, 0);
    struct http_server *srv = NULL;
    if (!st)
        goto out;
    /* A failure here (printed by cli_index_sync) is not fatal: the pages work without the
     * index, search answers 503 until the keeper thread manages an update. */
    if (cli_index_sync(st, db, CLI_SYNC_QUIET))
        fprintf(stderr, "paperboy serve: starting without an up-to-date search index\n");
    /* Signals are taken by sigwait below, in this thread only: block them before any thread
     * starts so every thread inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (http_start(&o, &srv, err, sizeof err)) {
        fprintf(stderr, "paperboy serve: %s\n", err);
        goto out;
    }
    struct keeper k = {st, db, srv, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    pthread_t keeper, harvester;
    pthread_create(&keeper, NULL, keeper_main, &k);
    ht.db = db;
    ht.srv = srv;
    pthread_create(&harvester, NULL, harvest_main, &ht);
    char mail_base[600];
    struct mailer mailer = {db, &mc, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    pthread_t mailer_thread;
    if (o.mail) {
        if (!o.base_url[0]) { /* links in mail need the address the port 0 turned into */
            snprintf(mail_base, sizeof mail_base, "http://%s:%d", host, http_port(srv));
            mc.base_url = mail_base;
        }
        pthread_create(&mailer_thread, NULL, mailer_main, &mailer);
    }
    printf("listening on http://%s:%d\n", host, http_port(srv));
    fflush(stdout);
    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "paperboy serve: %s, stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    pthread_mutex_lock(&k.mu);
    k.is_quitting = 1;
    pthread_cond_signal(&k.cond);
    pthread_mutex_unlock(&k.mu);
    pthread_join(keeper, NULL);
    harvester_cancel(ht.h, 1);
    pthread_mutex_lock(&ht.mu);
    ht.is_quitting = 1;
    pthread_cond_signal(&ht.cond);
    pthread_mutex_unlock(&ht.mu);
    pthread_join(harvester, NULL);
    if (o.mail) {
        pthread_mutex_lock(&mailer.mu);
        mailer.is_quitting = 1;
        pthread_cond_signal(&mailer.cond);
        pthread_mutex_unlock(&mailer.mu);
        pthread_join(mailer_thread, NULL);
    }
    http_stop(srv);
    rc = 0;
out:
    harvester_free(ht.h);
    store_close(st);
    tz_free(tz);
    if (log)
        fclose(log);
    xfree(dir);
    config_free(cfg);
    return rc;
}
