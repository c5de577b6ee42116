/* paperboy fetch: live harvesting from the command line (src/harvest does the work): one
 * subcommand per source (oai, api, rss, hf), `due` to run the configured harvests that are due
 * (what `serve` does on its schedule; for cron), and `status`. Messages and progress go to
 * stderr, the summary to stdout; new papers are indexed at the end, as import does. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../harvest/harvest.h"
#include "../util/alloc.h"
#include "../util/config.h"
#include "../util/date.h"
#include "cli.h"

static const char usage_main[] =
    "usage: paperboy fetch SOURCE [OPTIONS]\n"
    "\n"
    "Harvest papers from the live sources into the database, politely (one request at a time\n"
    "per host, 3 s apart for arXiv) and resumably. Sources:\n"
    "  oai     arXiv OAI-PMH: everything new or changed since the last harvest (per set)\n"
    "  api     arXiv API: look up papers by id, or run a search query\n"
    "  rss     arXiv RSS: the latest announcements of categories\n"
    "  hf      Hugging Face daily papers: the community's featured papers and upvotes\n"
    "  due     run the configured [harvest NAME] sections that are due now (for cron)\n"
    "  status  where each harvest stands, and when each configured one is due\n"
    "\n"
    "'paperboy fetch SOURCE --help' describes each. Options of every source:\n"
    "  --db PATH        database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  --config PATH    configuration file (default: $PAPERBOY_CONFIG or ./paperboy.conf)\n"
    "  --quiet          no progress and no notes, only problems and the summary\n"
    "  --no-index       do not update the search index afterwards (the next search will)\n"
    "\n"
    "The [fetch] section of the configuration sets the contact address sent in the\n"
    "User-Agent (contact = you@example.org; arXiv asks for one), intervals, timeouts,\n"
    "retries and the default base URLs; see docs/CONFIG.md and docs/HARVESTING.md.\n"
    "Exit status: 0 done, 1 a harvest failed (what was stored before stays; an OAI harvest\n"
    "resumes where it stopped), 2 usage or configuration error.\n";

#define COMMON_OPTS                                                                                \
    "  --db PATH        database file (default: $PAPERBOY_DB or ./paperboy.db)\n"                  \
    "  --config PATH    configuration file (default: $PAPERBOY_CONFIG or ./paperboy.conf)\n"       \
    "  --quiet          no progress and no notes, only problems and the summary\n"                 \
    "  --no-index       do not update the search index afterwards\n"

static const char usage_oai[] =
    "usage: paperboy fetch oai [--set SET] [--from YYYY-MM-DD] [--prefix arXivRaw|arXiv]\n"
    "                          [--base-url URL] [--db PATH] [--config PATH] [--quiet]\n"
    "                          [--no-index]\n"
    "\n"
    "Harvest arXiv's OAI-PMH interface (ListRecords), following resumption tokens to the end\n"
    "of the list. Incremental: without --from, a harvest starts from the day the previous\n"
    "complete harvest of the same set started (by the server's clock), or 3 days back the\n"
    "first time. Resumable: after every page the papers and the next resumption token are\n"
    "committed together, so a harvest that was interrupted (kill, network, error) goes on\n"
    "from that page when run again. Deleted records mark stored papers deleted.\n"
    "\n"
    "options:\n"
    "  --set SET        an OAI set: cs, math, physics:astro-ph, cs:cs:LG (default: all)\n"
    "  --from DAY       records added or changed since DAY, instead of the saved state\n"
    "  --prefix P       metadata format: arXivRaw (default; version history) or arXiv\n"
    "  --base-url URL   the OAI-PMH endpoint (default: [fetch] oai-url or\n"
    "                   " HARVEST_OAI_URL ")\n" COMMON_OPTS;

static const char usage_api[] =
    "usage: paperboy fetch api (--id ID... | --query Q [--max N] [--sort ORDER])\n"
    "                          [--base-url URL] [--db PATH] [--config PATH] [--quiet]\n"
    "                          [--no-index]\n"
    "\n"
    "Look papers up through the arXiv API, by id or with a search query.\n"
    "\n"
    "options:\n"
    "  --id ID          arXiv ids in any form (2503.11731, arXiv:2503.11731v2, hep-th/9901001,\n"
    "                   an abs URL); repeat --id, separate with commas, or list more after\n"
    "                   the options. 100 ids per request. Ids arXiv does not know are\n"
    "                   listed and make the exit status 1.\n"
    "  --query Q        an arXiv API search_query: 'cat:cs.LG AND ti:diffusion'\n"
    "  --max N          results of the query at most (default 100, at most 30000)\n"
    "  --sort ORDER     submittedDate (default, newest first), lastUpdatedDate or relevance\n"
    "  --base-url URL   the API endpoint (default: [fetch] api-url or\n"
    "                   " HARVEST_API_URL ")\n" COMMON_OPTS;

static const char usage_rss[] =
    "usage: paperboy fetch rss [--base-url URL] [--db PATH] [--config PATH] [--quiet]\n"
    "                          [--no-index] CATEGORY...\n"
    "\n"
    "Read arXiv's RSS feed of each CATEGORY (cs.LG, astro-ph.CO, or several joined with\n"
    "'+': cs.LG+stat.ML): the papers of the latest announcement, each with its listing day.\n"
    "\n"
    "options:\n"
    "  --base-url URL   the feeds' base; a feed is BASE/CATEGORY (default: [fetch] rss-url\n"
    "                   or " HARVEST_RSS_URL ")\n" COMMON_OPTS;

static const char usage_hf[] =
    "usage: paperboy fetch hf [--date YYYY-MM-DD] [--base-url URL] [--db PATH]\n"
    "                         [--config PATH] [--quiet] [--no-index]\n"
    "\n"
    "Read Hugging Face's daily papers of a day: the papers the community featured, with\n"
    "their upvotes, GitHub repository and keywords, merged into the arXiv papers (their\n"
    "provenance names the day's URL). Upvotes only grow: the highest seen is kept.\n"
    "\n"
    "options:\n"
    "  --date DAY       the day (default: today, UTC)\n"
    "  --base-url URL   the daily papers endpoint (default: [fetch] hf-url or\n"
    "                   " HARVEST_HF_URL ")\n" COMMON_OPTS;

static const char usage_due[] =
    "usage: paperboy fetch due [--now TIME] [--db PATH] [--config PATH] [--quiet]\n"
    "                          [--no-index]\n"
    "\n"
    "Run every [harvest NAME] of the configuration that is due: one whose last success is\n"
    "older than its latest scheduled time (at + k * every, UTC). After downtime each runs\n"
    "once and catches up. What `paperboy serve` does on its schedule, for cron instead.\n"
    "\n"
    "options:\n"
    "  --now TIME       pretend it is TIME (YYYY-MM-DDTHH:MM:SSZ or a day), for trying a\n"
    "                   schedule out\n" COMMON_OPTS;

static const char usage_status[] =
    "usage: paperboy fetch status [--now TIME] [--db PATH] [--config PATH]\n"
    "\n"
    "Print every harvest the database remembers (last success, the next from, a harvest in\n"
    "progress and its resumption token, the last error) and when each configured harvest is\n"
    "due next.\n"
    "\n"
    "options:\n"
    "  --now TIME       compute due times as of TIME instead of now\n"
    "  --db PATH        database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  --config PATH    configuration file (default: $PAPERBOY_CONFIG or ./paperboy.conf)\n";

struct fetch_cli {
    const char *db, *config_flag;
    int is_quiet, no_index, is_tty;
    int has_progress_line;
    double last_progress;
};

static void clear_line(struct fetch_cli *c)
{
    if (c->has_progress_line) {
        fprintf(stderr, "\r\033[K");
        c->has_progress_line = 0;
    }
}

static void on_log(void *ctx, const char *msg)
{
    struct fetch_cli *c = ctx;
    if (c->is_quiet)
        return;
    clear_line(c);
    fprintf(stderr, "paperboy: fetch: %s\n", msg);
}

static void on_progress(void *ctx, const struct harvest_progress *p)
{
    struct fetch_cli *c = ctx;
    if (!c->is_tty || c->is_quiet)
        return;
    if (p->elapsed_s - c->last_progress < 0.25 && c->has_progress_line)
        return;
    c->last_progress = p->elapsed_s;
    double rate = p->elapsed_s > 0 ? (double)p->records / p->elapsed_s : 0;
    fprintf(stderr, "\r\033[K%s  page %ld  %ld records  %.0f rec/s", p->what, p->pages + 1,
            p->records, rate);
    if (p->list_size > 0 && p->cursor >= 0) {
        double frac = (double)p->cursor / (double)p->list_size;
        fprintf(stderr, "  %lld of %lld (%.0f%%)", p->cursor, p->list_size,
                frac > 1 ? 100.0 : frac * 100);
        if (rate > 0 && p->cursor < p->list_size) {
            long eta = (long)((double)(p->list_size - p->cursor) / rate);
            fprintf(stderr, "  ETA %ldh%02ldm%02lds", eta / 3600, eta % 3600 / 60, eta % 60);
        }
    }
    fflush(stderr);
    c->has_progress_line = 1;
}

static void print_stats(const char *what, const struct harvest_stats *st, double secs)
{
    printf("%s: %ld pages, %ld records, %ld new, %ld updated, %ld unchanged, %ld deleted, "
           "%ld rejected (%.1f s)\n",
           what, st->pages, st->records, st->n_new, st->n_updated, st->n_unchanged, st->n_deleted,
           st->n_rejected, secs);
}

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int parse_now(const char *v, int64_t *out)
{
    return date_parse_ts(v, out) ? PB_EINVAL : 0;
}

enum {
    OPT_DB = 1000,
    OPT_CONFIG,
    OPT_QUIET,
    OPT_NO_INDEX,
    OPT_BASE,
    OPT_SET,
    OPT_FROM,
    OPT_PREFIX,
    OPT_ID,
    OPT_QUERY,
    OPT_MAX,
    OPT_SORT,
    OPT_DATE,
    OPT_NOW,
    OPT_HELP
};

static const struct option all_opts[] = {{"db", required_argument, NULL, OPT_DB},
                                         {"config", required_argument, NULL, OPT_CONFIG},
                                         {"quiet", no_argument, NULL, OPT_QUIET},
                                         {"no-index", no_argument, NULL, OPT_NO_INDEX},
                                         {"base-url", required_argument, NULL, OPT_BASE},
                                         {"set", required_argument, NULL, OPT_SET},
                                         {"from", required_argument, NULL, OPT_FROM},
                                         {"prefix", required_argument, NULL, OPT_PREFIX},
                                         {"id", required_argument, NULL, OPT_ID},
                                         {"query", required_argument, NULL, OPT_QUERY},
                                         {"max", required_argument, NULL, OPT_MAX},
                                         {"sort", required_argument, NULL, OPT_SORT},
                                         {"date", required_argument, NULL, OPT_DATE},
                                         {"now", required_argument, NULL, OPT_NOW},
                                         {"help", no_argument, NULL, OPT_HELP},
                                         {NULL, 0, NULL, 0}};

/* Which options each subcommand takes (besides --help). */
static int opt_allowed(const char *sub, int opt)
{
    int common = opt == OPT_DB || opt == OPT_CONFIG || opt == OPT_QUIET || opt == OPT_NO_INDEX;
    if (!strcmp(sub, "status"))
        return opt == OPT_DB || opt == OPT_CONFIG || opt == OPT_NOW;
    if (common)
        return 1;
    if (!strcmp(sub, "oai"))
        return opt == OPT_BASE || opt == OPT_SET || opt == OPT_FROM || opt == OPT_PREFIX;
    if (!strcmp(sub, "api"))
        return opt == OPT_BASE || opt == OPT_ID || opt == OPT_QUERY || opt == OPT_MAX ||
               opt == OPT_SORT;
    if (!strcmp(sub, "rss"))
        return opt == OPT_BASE;
    if (!strcmp(sub, "hf"))
        return opt == OPT_BASE || opt == OPT_DATE;
    if (!strcmp(sub, "due"))
        return opt == OPT_NOW;
    return 0;
}

static int usage_error(const char *usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "paperboy fetch: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return EXIT_USAGE;
}

static int is_day(const char *v)
{
    int64_t d;
    return !date_parse_day(v, &d);
}

/* --- status --- */

static int print_harvest(void *ctx, const struct store_harvest *h)
{
    (void)ctx;
    printf("%s\n", h->key);
    printf("  last success: %s", h->ok_at ? h->ok_at : "never");
    if (h->next_from)
        printf("; next from: %s", h->next_from);
    printf("; %lld pages, %lld records in all\n", h->pages, h->records);
    if (h->token) {
        printf("  in progress: from %s, resumption token '%s'",
               h->from_day ? h->from_day : "(start)", h->token);
        if (h->cursor >= 0)
            printf(", at record %lld", h->cursor);
        if (h->list_size >= 0)
            printf(" of %lld", h->list_size);
        printf("\n");
    }
    if (h->error)
        printf("  last run failed (%lld in a row) at %s: %s\n", h->failures,
               h->attempt_at ? h->attempt_at : "?", h->error);
    return 0;
}

static int cmd_status(struct fetch_cli *c, struct harvester *h, struct store *s, int64_t now)
{
    const struct harvest_job *jobs;
    int n = harvester_jobs(h, &jobs);
    if (store_harvest_list(s, print_harvest, c)) {
        fprintf(stderr, "paperboy: %s\n", store_errmsg(s));
        return 1;
    }
    if (n) {
        int64_t when;
        if (harvest_next_due(h, s, now, &when)) {
            fprintf(stderr, "paperboy: %s\n", store_errmsg(s));
            return 1;
        }
        char t[DATE_TS_LEN + 1];
        date_format_ts(when, t);
        printf("configured harvests: %d; next due: %s%s\n", n, when <= now ? "now, " : "", t);
    } else {
        printf("configured harvests: none\n");
    }
    return 0;
}

/* --- the command --- */

static void note_contact(struct fetch_cli *c, struct harvester *h)
{
    if (!c->is_quiet && !harvester_fetch_opts(h)->contact)
        fprintf(stderr, "paperboy: fetch: note: no contact address is configured; arXiv asks "
                        "harvesters to name one ([fetch] contact = you@example.org)\n");
}

static int run_lookup(struct fetch_cli *c, struct harvester *h, struct store *s,
                      struct strlist *ids, struct harvest_stats *st, char *err, size_t errlen)
{
    enum harvest_id_status *status = xcalloc(ids->n + 1, sizeof *status);
    int rc =
        harvest_lookup_ids(h, s, (const char *const *)ids->v, (int)ids->n, status, st, err, errlen);
    int n_missing = 0;
    clear_line(c);
    for (size_t i = 0; i < ids->n; i++) {
        if (status[i] == HARVEST_ID_UNKNOWN) {
            fprintf(stderr, "paperboy: fetch: %s: arXiv has no such paper\n", ids->v[i]);
            n_missing++;
        } else if (status[i] == HARVEST_ID_INVALID) {
            fprintf(stderr, "paperboy: fetch: %s: not an arXiv id\n", ids->v[i]);
            n_missing++;
        }
    }
    xfree(status);
    return rc ? rc : (n_missing ? PB_ENOTFOUND : 0);
}

int cmd_fetch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        fputs(usage_main, stdout);
        return 0;
    }
    const char *usage = !strcmp(sub, "oai")      ? usage_oai
                        : !strcmp(sub, "api")    ? usage_api
                        : !strcmp(sub, "rss")    ? usage_rss
                        : !strcmp(sub, "hf")     ? usage_hf
                        : !strcmp(sub, "due")    ? usage_due
                        : !strcmp(sub, "status") ? usage_status
                                                 : NULL;
    if (!usage) {
        fprintf(stderr, "paperboy fetch: '%s' is not a source\n\n", sub);
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    struct fetch_cli c;
    memset(&c, 0, sizeof c);
    c.is_tty = isatty(2);
    const char *base = NULL, *set = NULL, *from = NULL, *prefix = NULL, *query = NULL;
    const char *sort = NULL, *date = NULL, *now_arg = NULL;
    long max = 100;
    struct strlist ids = {0};
    int has_id = 0, opt;
    int rc = 0;
    optind = 1;
    while ((opt = getopt_long(argc - 1, argv + 1, "", all_opts, NULL)) != -1) {
        if (opt == OPT_HELP) {
            fputs(usage, stdout);
            strlist_clear(&ids);
            return 0;
        }
        if (opt == '?' || !opt_allowed(sub, opt)) {
            for (const struct option *o = all_opts; opt != '?' && o->name; o++)
                if (o->val == opt)
                    fprintf(stderr, "paperboy fetch %s: --%s does not apply to %s\n", sub, o->name,
                            sub);
            fputs(usage, stderr);
            strlist_clear(&ids);
            return EXIT_USAGE;
        }
        switch (opt) {
        case OPT_DB: c.db = optarg; break;
        case OPT_CONFIG: c.config_flag = optarg; break;
        case OPT_QUIET: c.is_quiet = 1; break;
        case OPT_NO_INDEX: c.no_index = 1; break;
        case OPT_BASE: base = optarg; break;
        case OPT_SET: set = optarg; break;
        case OPT_FROM: from = optarg; break;
        case OPT_PREFIX: prefix = optarg; break;
        case OPT_QUERY: query = optarg; break;
        case OPT_SORT: sort = optarg; break;
        case OPT_DATE: date = optarg; break;
        case OPT_NOW: now_arg = optarg; break;
        case OPT_ID: {
            has_id = 1;
            char *copy = xstrdup(optarg), *p = copy;
            for (;;) {
                char *comma = strchr(p, ',');
                if (comma)
                    *comma = 0;
                if (*p)
                    strlist_push(&ids, p);
                if (!comma)
                    break;
                p = comma + 1;
            }
            xfree(copy);
            break;
        }
        case OPT_MAX: {
            char *end;
            max = strtol(optarg, &end, 10);
            if (*end || max < 1 || max > HARVEST_API_MAX) {
                strlist_clear(&ids);
                return usage_error(usage, "--max wants a number from 1 to 30000, not '%s'", optarg);
            }
            break;
        }
        }
    }
    /* what is left: categories (rss) or more ids (api --id) */
    int first_arg = optind + 1;
    int n_args = argc - first_arg;
    if (!strcmp(sub, "api") && has_id) {
        for (int i = first_arg; i < argc; i++)
            strlist_push(&ids, argv[i]);
        n_args = 0;
    }
    const char *bad_arg = NULL;
    if (n_args && strcmp(sub, "rss"))
        bad_arg = argv[first_arg];
    else if (!strcmp(sub, "rss") && !n_args)
        bad_arg = "";
    if (bad_arg) {
        strlist_clear(&ids);
        return usage_error(usage, *bad_arg ? "unexpected argument '%s'" : "no category given%s",
                           bad_arg);
    }
    if (!strcmp(sub, "api") && (has_id == !!query)) {
        strlist_clear(&ids);
        return usage_error(usage, "api wants either --id or --query%s", "");
    }
    if ((from && !is_day(from)) || (date && !is_day(date))) {
        strlist_clear(&ids);
        return usage_error(usage, "'%s' is not a day (YYYY-MM-DD)",
                           from && !is_day(from) ? from : date);
    }
    if (prefix && strcmp(prefix, "arXivRaw") && strcmp(prefix, "arXiv")) {
        strlist_clear(&ids);
        return usage_error(usage, "--prefix is arXivRaw or arXiv, not '%s'", prefix);
    }
    if (sort && strcmp(sort, "submittedDate") && strcmp(sort, "lastUpdatedDate") &&
        strcmp(sort, "relevance")) {
        strlist_clear(&ids);
        return usage_error(usage, "--sort is submittedDate, lastUpdatedDate or relevance, not '%s'",
                           sort);
    }
    char host[256];
    if (base && fetch_url_host(base, host, sizeof host)) {
        strlist_clear(&ids);
        return usage_error(usage, "--base-url wants an http:// or https:// URL, not '%s'", base);
    }
    int64_t now = (int64_t)time(NULL);
    if (now_arg && parse_now(now_arg, &now)) {
        strlist_clear(&ids);
        return usage_error(usage, "--now wants YYYY-MM-DDTHH:MM:SSZ or a day, not '%s'", now_arg);
    }

    /* configuration */
    char err[1024];
    struct config *cfg = NULL;
    const char *cfg_path = config_path(c.config_flag);
    if (cfg_path) {
        if (config_load(cfg_path, &cfg, err, sizeof err)) {
            fprintf(stderr, "paperboy: %s\n", err);
            strlist_clear(&ids);
            return EXIT_USAGE;
        }
    } else {
        cfg = config_new();
    }
    struct harvester *h = NULL;
    if (harvester_new(cfg, &h, err, sizeof err)) {
        fprintf(stderr, "paperboy: %s\n", err);
        config_free(cfg);
        strlist_clear(&ids);
        return EXIT_USAGE;
    }
    struct harvest_hooks hooks = {&c, on_log, on_progress, NULL};
    harvester_set_hooks(h, &hooks);
    struct store *s = cli_open_store(c.db, 0);
    if (!s) {
        harvester_free(h);
        config_free(cfg);
        strlist_clear(&ids);
        return 1;
    }

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct harvest_stats total;
    memset(&total, 0, sizeof total);
    int n_failed = 0;
    if (!strcmp(sub, "status")) {
        rc = cmd_status(&c, h, s, now);
        goto out;
    }
    note_contact(&c, h);
    if (!strcmp(sub, "due")) {
        const struct harvest_job *jobs;
        if (!harvester_jobs(h, &jobs)) {
            fprintf(stderr, "paperboy: fetch due: no [harvest NAME] sections in %s\n",
                    cfg_path ? cfg_path : "the configuration (no file)");
            goto out;
        }
        int hrc = harvest_run_due(h, s, now, &total, err, sizeof err);
        clear_line(&c);
        if (hrc) {
            n_failed++; /* each failure was logged by the hook */
            if (c.is_quiet)
                fprintf(stderr, "paperboy: fetch: %s\n", err);
        }
        print_stats("due", &total, since(&t0));
    } else if (!strcmp(sub, "api") && has_id) {
        if (base)
            harvester_set_base_url(h, HARVEST_API, base);
        int hrc = run_lookup(&c, h, s, &ids, &total, err, sizeof err);
        if (hrc) {
            n_failed++;
            if (hrc != PB_ENOTFOUND)
                fprintf(stderr, "paperboy: fetch: %s\n", err);
        }
        print_stats("api lookup", &total, since(&t0));
    } else {
        int n_jobs = !strcmp(sub, "rss") ? n_args : 1;
        for (int i = 0; i < n_jobs; i++) {
            struct harvest_job job;
            enum harvest_source src = !strcmp(sub, "oai")   ? HARVEST_OAI
                                      : !strcmp(sub, "api") ? HARVEST_API
                                      : !strcmp(sub, "rss") ? HARVEST_RSS
                                                            : HARVEST_HF;
            harvest_job_init(&job, src);
            job.name = xstrdup("");
            job.base_url = base ? xstrdup(base) : NULL;
            job.set = set ? xstrdup(set) : NULL;
            job.from = from ? xstrdup(from) : NULL;
            job.prefix = prefix ? xstrdup(prefix) : NULL;
            job.query = query ? xstrdup(query) : NULL;
            job.sort = sort ? xstrdup(sort) : NULL;
            job.max = max;
            job.date = date ? xstrdup(date) : NULL;
            if (src == HARVEST_RSS)
                job.category = xstrdup(argv[first_arg + i]);
            struct harvest_stats st;
            struct timespec t1;
            clock_gettime(CLOCK_MONOTONIC, &t1);
            int hrc = harvest_run(h, s, &job, now, &st, err, sizeof err);
            clear_line(&c);
            if (hrc) {
                n_failed++;
                fprintf(stderr, "paperboy: fetch: %s\n", err);
            }
            char *what = src == HARVEST_RSS   ? xasprintf("rss %s", job.category)
                         : src == HARVEST_OAI ? xasprintf("oai %s", set ? set : "(all sets)")
                         : src == HARVEST_API ? xasprintf("api '%s'", query)
                                              : xasprintf("hf %s", date ? date : "today");
            print_stats(what, &st, since(&t1));
            xfree(what);
            total.n_new += st.n_new;
            total.n_updated += st.n_updated;
            total.n_deleted += st.n_deleted;
            harvest_job_clear(&job);
            if (hrc == PB_EDB)
                break;
        }
    }
    rc = n_failed ? 1 : 0;
    if (!c.no_index && total.n_new + total.n_updated + total.n_deleted > 0) {
        int irc = cli_index_sync(s, cli_db_path(c.db), c.is_quiet ? CLI_SYNC_QUIET : 0);
        if (irc && irc != PB_EBUSY)
            rc = 1;
    }
out:
    store_close(s);
    harvester_free(h);
    config_free(cfg);
    strlist_clear(&ids);
    return rc;
}
