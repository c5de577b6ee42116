/* paperboy sub: subscriptions from the command line (importing a list, scripts). Without
 * --confirmed an address gets the opt-in message first, as from the site; docs/MAIL.md. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../mail/mail.h"
#include "../store/mail.h"
#include "../util/config.h"
#include "../util/date.h"
#include "../util/tz.h"
#include "cli.h"

static const char usage[] =
    "usage: paperboy sub add EMAIL (--trending daily|weekly | --query 'Q' --every daily|weekly)\n"
    "                        [--confirmed] [--db PATH] [--config FILE] [--smtp URL]\n"
    "                        [--base-url URL]\n"
    "       paperboy sub list [--json] [--db PATH]\n"
    "       paperboy sub rm EMAIL [--id SID] [--db PATH]\n"
    "\n"
    "Mail subscriptions: the trending digest (daily or weekly) and saved-search alerts (new\n"
    "papers matching a query in the search language, daily or weekly).\n"
    "  add   subscribe EMAIL. Without --confirmed the address is sent an opt-in message\n"
    "        whose link must be followed before any digest goes out (delivered right away\n"
    "        when a relay is configured, else queued for 'paperboy digest --send' or\n"
    "        'paperboy serve'). --confirmed skips that (for importing a list that opted in\n"
    "        elsewhere) and also resumes a paused or pending subscription.\n"
    "  list  every subscription: id, address, what, how often, state (pending, active,\n"
    "        paused after repeated hard bounces), last period sent, bounces (--json: an\n"
    "        array of objects)\n"
    "  rm    remove every subscription of EMAIL (or only subscription --id SID of it);\n"
    "        messages still queued for them are dropped\n"
    "\n"
    "options:\n"
    "  --trending daily|weekly   the digest of the site's trending papers\n"
    "  --query Q --every daily|weekly\n"
    "                            new papers matching Q since the last digest\n"
    "  --confirmed               the address has opted in already\n"
    "  --db PATH                 database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  --config FILE             configuration file ([mail] and [server] keys; default:\n"
    "                            $PAPERBOY_CONFIG or ./paperboy.conf)\n"
    "  --smtp URL                the relay, smtp://HOST:PORT or smtps://HOST:PORT, overriding\n"
    "                            [mail] smtp (credentials only from the config file or\n"
    "                            PAPERBOY_SMTP_USER / PAPERBOY_SMTP_PASSWORD)\n"
    "  --base-url URL            the site's address for links ([server] base_url)\n"
    "\n"
    "Addresses are checked (local@domain, ASCII, no spaces or line breaks), and so are queries\n"
    "(at most 512 bytes, no line breaks or control characters, something to search for).\n"
    "Exit status: 0 done, 1 refused or failed (the reason is printed), 2 usage error.\n";

struct list_ctx {
    json_t *arr;
    int n;
};

static int on_sub(void *arg, const struct store_sub *u)
{
    struct list_ctx *l = arg;
    l->n++;
    if (l->arr) {
        json_array_append_new(
            l->arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:i}", "id",
                              (json_int_t)u->sid, "email", u->email, "kind",
                              u->query[0] ? "search" : "trending", "query", u->query, "every",
                              u->is_weekly ? "weekly" : "daily", "state",
                              store_sub_state_name(u->state), "created_at", u->created_at,
                              "last_period", u->last_period, "last_pid",
                              (json_int_t)u->last_pid, "bounces", u->n_bounces));
        return 0;
    }
    printf("%-5lld %-32s %-8s %-7s %-8s %-10s ", (long long)u->sid, u->email,
           u->query[0] ? "search" : "trending", u->is_weekly ? "weekly" : "daily",
           store_sub_state_name(u->state), u->last_period[0] ? u->last_period : "-");
    if (u->n_bounces)
        printf("%d bounces  ", u->n_bounces);
    if (u->query[0])
        printf("\"%s\"", u->query);
    printf("\n");
    return 0;
}

static int parse_every(const char *v, int *is_weekly)
{
    if (!strcmp(v, "daily"))
        *is_weekly = 0;
    else if (!strcmp(v, "weekly"))
        *is_weekly = 1;
    else
        return -1;
    return 0;
}

int cmd_sub(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"smtp", required_argument, NULL, 's'},
                                         {"base-url", required_argument, NULL, 'b'},
                                         {"trending", required_argument, NULL, 't'},
                                         {"query", required_argument, NULL, 'q'},
                                         {"every", required_argument, NULL, 'e'},
                                         {"confirmed", no_argument, NULL, 'C'},
                                         {"id", required_argument, NULL, 'i'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *config_flag = NULL, *smtp = NULL, *base_url = NULL, *trending = NULL,
               *query = NULL, *every = NULL;
    int confirmed = 0, is_json = 0, opt;
    long long only_id = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db = optarg; break;
        case 'c': config_flag = optarg; break;
        case 's': smtp = optarg; break;
        case 'b': base_url = optarg; break;
        case 't': trending = optarg; break;
        case 'q': query = optarg; break;
        case 'e': every = optarg; break;
        case 'C': confirmed = 1; break;
        case 'i': only_id = strtoll(optarg, NULL, 10); break;
        case 'j': is_json = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *verb = argv[optind];
    int n_args = argc - optind - 1;
    const char *email = n_args >= 1 ? argv[optind + 1] : NULL;
    int is_add = !strcmp(verb, "add"), is_list = !strcmp(verb, "list"),
        is_rm = !strcmp(verb, "rm");
    if ((!is_add && !is_list && !is_rm) || (is_list && n_args) || ((is_add || is_rm) &&
                                                                   n_args != 1)) {
        fprintf(stderr, "paperboy sub: expected 'add EMAIL', 'list' or 'rm EMAIL'\n\n%s",
                usage);
        return EXIT_USAGE;
    }
    int is_weekly = 0;
    if (is_add) {
        if (!!trending == !!query) {
            fprintf(stderr, "paperboy sub: give either --trending daily|weekly or --query Q "
                            "--every daily|weekly\n");
            return EXIT_USAGE;
        }
        if ((trending && (every || parse_every(trending, &is_weekly))) ||
            (query && (!every || parse_every(every, &is_weekly)))) {
            fprintf(stderr, "paperboy sub: --trending takes daily or weekly; --query needs "
                            "--every daily or --every weekly\n");
            return EXIT_USAGE;
        }
    }
    char err[512];
    if (is_add && mail_sub_check(email, query ? query : "", err, sizeof err)) {
        fprintf(stderr, "paperboy sub: cannot subscribe '%s': %s\n", email, err);
        return 1;
    }
    struct store *st = cli_open_store(db, is_list);
    if (!st)
        return 1;
    int rc = 1;
    if (is_list) {
        struct list_ctx l = {is_json ? json_array() : NULL, 0};
        if (store_sub_list(st, NULL, 0, on_sub, &l))
            fprintf(stderr, "paperboy sub: %s\n", store_errmsg(st));
        else
            rc = 0;
        if (l.arr)
            cli_print_json(stdout, l.arr);
        else if (!l.n && !rc)
            printf("no subscriptions\n");
        store_close(st);
        return rc;
    }
    if (is_rm) {
        int n = 0;
        int src = only_id ? store_sub_delete(st, only_id, &n) : store_sub_delete_email(st, email,
                                                                                      &n);
        if (src)
            fprintf(stderr, "paperboy sub: %s\n", store_errmsg(st));
        else if (!n)
            fprintf(stderr, "paperboy sub: '%s' has no subscription%s\n", email,
                    only_id ? " with that id" : "s");
        else
            printf("removed %d subscription%s of %s\n", n, n == 1 ? "" : "s", email);
        store_close(st);
        return src || !n ? 1 : 0;
    }
    /* add */
    struct config *cfg = NULL;
    struct tz *tz = NULL;
    struct mail_conf mc;
    const char *cfg_path = config_path(config_flag);
    if (cfg_path ? config_load(cfg_path, &cfg, err, sizeof err) : (cfg = config_new(), 0)) {
        fprintf(stderr, "paperboy sub: %s\n", err);
        store_close(st);
        return 1;
    }
    if (cli_mail_conf(cfg, smtp, base_url, &mc, &tz, err, sizeof err)) {
        fprintf(stderr, "paperboy sub: %s\n", err);
        goto out;
    }
    int64_t now = cli_now(), sid = 0;
    char ts[DATE_TS_LEN + 1];
    date_format_ts(now, ts);
    int is_new = 0;
    int arc = store_sub_add(st, email, query ? query : "", is_weekly, 0, ts, &sid, &is_new);
    if (arc) {
        fprintf(stderr, "paperboy sub: cannot subscribe '%s': %s\n", email, store_errmsg(st));
        goto out;
    }
    struct mail_ctx ctx;
    if (mail_ctx_init(&ctx, st, &mc, cli_db_path(db), err, sizeof err)) {
        fprintf(stderr, "paperboy sub: %s\n", err);
        goto out;
    }
    if (confirmed) {
        int64_t max_pid = 0;
        if (store_max_pid_at(st, INT64_MAX, &max_pid) ||
            store_sub_confirm(st, sid, ts, max_pid)) {
            fprintf(stderr, "paperboy sub: %s\n", store_errmsg(st));
            goto out;
        }
        printf("%s subscription %lld: %s, %s, %s (active)\n", is_new ? "added" : "confirmed",
               (long long)sid, email, query ? "saved search" : "trending",
               is_weekly ? "weekly" : "daily");
        rc = 0;
        goto out;
    }
    int64_t mid = 0;
    if (mail_queue_confirm(&ctx, sid, now, &mid, err, sizeof err)) {
        fprintf(stderr, "paperboy sub: %s\n", err);
        goto out;
    }
    printf("%s subscription %lld for %s (pending until the address confirms)\n",
           is_new ? "added" : "found", (long long)sid, email);
    if (!mid) {
        printf("an opt-in message went to %s today already; not sending another\n", email);
        rc = 0;
        goto out;
    }
    if (!mc.smtp_url[0]) {
        printf("the opt-in message is queued: no relay is configured ([mail] smtp or --smtp); "
               "'paperboy digest --send' or 'paperboy serve' delivers it\n");
        rc = 0;
        goto out;
    }
    struct mail_stats ms = {0};
    int drc = mail_deliver(&ctx, now, mid, &ms, err, sizeof err);
    if (drc == PB_EBUSY) {
        printf("the opt-in message is queued: %s\n", err);
        rc = 0;
    } else if (drc) {
        fprintf(stderr, "paperboy sub: %s\n", err);
    } else if (ms.sent) {
        printf("sent the opt-in message to %s\n", email);
        rc = 0;
    } else {
        fprintf(stderr, "paperboy sub: the opt-in message to %s was not accepted by the relay "
                        "(%s); see 'paperboy digest --status'\n",
                email, ms.retried ? "will retry" : "failed");
    }
out:
    store_close(st);
    tz_free(tz);
    config_free(cfg);
    return rc;
}
