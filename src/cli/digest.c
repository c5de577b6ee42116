/* paperboy digest: compose the digests that are due into the outbox and, with --send, deliver
 * the outbox over SMTP. For cron; `paperboy serve` runs the same at the configured send time.
 * Periods, states and crash semantics: docs/MAIL.md. */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../index/index.h"
#include "../mail/mail.h"
#include "../store/mail.h"
#include "../util/config.h"
#include "../util/tz.h"
#include "cli.h"

static const char usage[] =
    "usage: paperboy digest [--db PATH] [--config FILE] [--smtp URL] [--base-url URL]\n"
    "                       [--send] [--dry-run] [--status]\n"
    "\n"
    "Compose the mail digests that are due into the outbox in the database: the trending\n"
    "digest and saved-search alerts of every confirmed subscription whose period (the day,\n"
    "or the ISO week from [mail] weekly-day on, in [mail] timezone) has no digest yet. A\n"
    "saved search lists the papers that are new since its last digest; a digest with no\n"
    "papers is not sent. Each subscription gets at most one digest per period, even when\n"
    "runs overlap or one is killed and run again (docs/MAIL.md).\n"
    "\n"
    "options:\n"
    "  --send        then deliver what the outbox holds (new digests, opt-in and password\n"
    "                mails, retries that are due) over the relay; one sender at a time\n"
    "  --dry-run     print what would be composed (address, subject) and change nothing\n"
    "  --status      print the outbox: messages per state and the latest 20\n"
    "  --db PATH     database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  --config FILE configuration file (default: $PAPERBOY_CONFIG or ./paperboy.conf)\n"
    "  --smtp URL    the relay (smtp://HOST:PORT, smtps://HOST:PORT), overriding [mail] smtp;\n"
    "                credentials only from [mail] user/password or PAPERBOY_SMTP_USER and\n"
    "                PAPERBOY_SMTP_PASSWORD, never on the command line\n"
    "  --base-url URL the site's address for links in messages ([server] base_url)\n"
    "\n"
    "[mail] keys: smtp, starttls, user, password, from, from-name, send-time, timezone,\n"
    "weekly-day, papers, max-bounces, max-attempts, timeout (docs/CONFIG.md).\n"
    "A temporary refusal (4xx) is retried later with backoff (5 minutes doubling to 6 hours,\n"
    "at most max-attempts tries); a permanent one (5xx) fails the message, and max-bounces\n"
    "in a row pause the subscription. The clock is $PAPERBOY_NOW when set (tests).\n"
    "Exit status: 0 done, 1 the run failed, 2 usage error.\n";

struct status_ctx {
    int n;
};

static int on_msg(void *arg, const struct store_msg *m)
{
    (void)arg;
    printf("%-6lld %-7s %-7s %-30s %-10s %d  %s%s%s\n", (long long)m->mid,
           store_msg_kind_name(m->kind), store_msg_state_name(m->state), m->rcpt, m->period,
           m->attempts, m->subject, m->error[0] ? "  -- " : "", m->error);
    return 0;
}

static int show_status(struct store *st)
{
    long long c[4];
    if (store_msg_counts(st, c)) {
        fprintf(stderr, "paperboy digest: %s\n", store_errmsg(st));
        return 1;
    }
    printf("outbox: %lld queued, %lld sending, %lld sent, %lld failed\n", c[0], c[1], c[2],
           c[3]);
    if (store_msg_list(st, 20, on_msg, NULL)) {
        fprintf(stderr, "paperboy digest: %s\n", store_errmsg(st));
        return 1;
    }
    return 0;
}

int cmd_digest(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"smtp", required_argument, NULL, 's'},
                                         {"base-url", required_argument, NULL, 'b'},
                                         {"send", no_argument, NULL, 'S'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"status", no_argument, NULL, 't'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *config_flag = NULL, *smtp = NULL, *base_url = NULL;
    int is_send = 0, is_dry = 0, is_status = 0, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db = optarg; break;
        case 'c': config_flag = optarg; break;
        case 's': smtp = optarg; break;
        case 'b': base_url = optarg; break;
        case 'S': is_send = 1; break;
        case 'n': is_dry = 1; break;
        case 't': is_status = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "paperboy digest: unexpected argument '%s'\n\n%s", argv[optind], usage);
        return EXIT_USAGE;
    }
    if (is_dry && is_send) {
        fprintf(stderr, "paperboy digest: --dry-run and --send exclude each other\n");
        return EXIT_USAGE;
    }
    struct store *st = cli_open_store(db, 0);
    if (!st)
        return 1;
    if (is_status) {
        int rc = show_status(st);
        store_close(st);
        return rc;
    }
    char err[512];
    struct config *cfg = NULL;
    struct tz *tz = NULL;
    struct mail_conf mc;
    struct index *ix = NULL;
    int rc = 1;
    const char *cfg_path = config_path(config_flag);
    if (cfg_path ? config_load(cfg_path, &cfg, err, sizeof err) : (cfg = config_new(), 0)) {
        fprintf(stderr, "paperboy digest: %s\n", err);
        store_close(st);
        return 1;
    }
    if (cli_mail_conf(cfg, smtp, base_url, &mc, &tz, err, sizeof err)) {
        fprintf(stderr, "paperboy digest: %s\n", err);
        goto out;
    }
    if (is_send && !mc.smtp_url[0]) {
        fprintf(stderr, "paperboy digest: --send needs a relay: [mail] smtp in the config file "
                        "or --smtp smtp://HOST:PORT\n");
        goto out;
    }
    const char *db_path = cli_db_path(db);
    struct mail_ctx ctx;
    if (mail_ctx_init(&ctx, st, &mc, db_path, err, sizeof err)) {
        fprintf(stderr, "paperboy digest: %s\n", err);
        goto out;
    }
    ctx.is_dry_run = is_dry;
    ctx.log = is_dry ? stdout : stderr;
    /* Saved searches need the index up to date; papers it has not seen stay "new" for the
     * next digest (max_pid bounds them). */
    int64_t max_pid = 0;
    if (cli_index_open(st, db_path, &ix)) {
        fprintf(stderr, "paperboy digest: no search index: saved searches are skipped\n");
        ix = NULL;
    } else if (store_max_pid_at(st, (int64_t)index_seq(ix), &max_pid)) {
        fprintf(stderr, "paperboy digest: %s\n", store_errmsg(st));
        goto out;
    }
    int64_t now = cli_now();
    struct mail_stats ms = {0};
    if (mail_compose_due(&ctx, ix, max_pid, now, &ms, err, sizeof err)) {
        fprintf(stderr, "paperboy digest: %s\n", err);
        goto out;
    }
    printf("%s%ld due, %ld %s (%ld papers), %ld empty (not sent), %ld skipped\n",
           is_dry ? "dry run: " : "", ms.due, ms.queued, is_dry ? "would be queued" : "queued",
           ms.papers, ms.empty, ms.skipped);
    rc = 0;
    if (is_send) {
        int drc = mail_deliver(&ctx, now, 0, &ms, err, sizeof err);
        if (drc == PB_EBUSY) {
            printf("not delivering: %s\n", err);
        } else if (drc) {
            fprintf(stderr, "paperboy digest: %s\n", err);
            rc = 1;
        } else {
            printf("%ld sent, %ld to retry later, %ld failed (%ld subscription%s paused), "
                   "%ld connection%s\n",
                   ms.sent, ms.retried, ms.failed, ms.paused, ms.paused == 1 ? "" : "s",
                   ms.connections, ms.connections == 1 ? "" : "s");
        }
    }
out:
    index_close(ix);
    store_close(st);
    tz_free(tz);
    config_free(cfg);
    return rc;
}
