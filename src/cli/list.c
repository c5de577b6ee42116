/* paperboy list: the papers of a listing day, ISO week or month. */
#include <getopt.h>
#include <jansson.h>
#include <string.h>

#include "../util/date.h"
#include "cli.h"

static const char usage[] =
    "usage: paperboy list [--db PATH] [--date YYYY-MM-DD | --week YYYY-Www | --month YYYY-MM]\n"
    "                     [--json]\n"
    "\n"
    "List the papers announced on a day (default: the latest listing day in the database),\n"
    "in an ISO week (Monday to Sunday) or in a month, newest day first.\n"
    "\n"
    "options:\n"
    "  --db PATH          database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  --date YYYY-MM-DD  one listing day\n"
    "  --week YYYY-Www    an ISO week, e.g. 2025-W27\n"
    "  --month YYYY-MM    a calendar month\n"
    "  --json             a JSON array of papers (each with its listing_day)\n";

struct list_ctx {
    json_t *arr;
    char day[11];
    long n;
};

static int print_one(void *ctx, const struct paper *p)
{
    struct list_ctx *c = ctx;
    c->n++;
    if (c->arr) {
        json_array_append_new(c->arr, cli_paper_json(p));
        return 0;
    }
    if (strcmp(c->day, p->listing_day ? p->listing_day : "")) {
        snprintf(c->day, sizeof c->day, "%s", p->listing_day ? p->listing_day : "");
        printf("\n== %s ==\n\n", c->day);
    }
    cli_print_paper(stdout, p, 0);
    return 0;
}

int cmd_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},   {"date", required_argument, NULL, 'D'},
        {"week", required_argument, NULL, 'w'}, {"month", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *date = NULL, *week = NULL, *month = NULL;
    int is_json = 0, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db = optarg; break;
        case 'D': date = optarg; break;
        case 'w': week = optarg; break;
        case 'm': month = optarg; break;
        case 'j': is_json = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc || (!!date + !!week + !!month) > 1) {
        fprintf(stderr, "paperboy list: give at most one of --date, --week, --month\n");
        return EXIT_USAGE;
    }
    int64_t first = 0, last = 0;
    if (date && date_parse_day(date, &first)) {
        fprintf(stderr, "paperboy list: --date '%s' is not a day (YYYY-MM-DD)\n", date);
        return EXIT_USAGE;
    }
    last = first;
    if (week && date_parse_week(week, &first, &last)) {
        fprintf(stderr, "paperboy list: --week '%s' is not an ISO week (YYYY-Www)\n", week);
        return EXIT_USAGE;
    }
    if (month && date_parse_month(month, &first, &last)) {
        fprintf(stderr, "paperboy list: --month '%s' is not a month (YYYY-MM)\n", month);
        return EXIT_USAGE;
    }
    struct store *s = cli_open_store(db, 1);
    if (!s)
        return 1;
    char a[11], b[11];
    if (!date && !week && !month) {
        int rc = store_latest_day(s, a);
        if (rc) {
            if (rc == PB_ENOTFOUND)
                fprintf(stderr, "paperboy list: no listing days in %s yet (import some papers)\n",
                        cli_db_path(db));
            else
                fprintf(stderr, "paperboy list: %s\n", store_errmsg(s));
            store_close(s);
            return 1;
        }
        memcpy(b, a, sizeof b);
    } else {
        date_format_day(first, a);
        date_format_day(last, b);
    }
    struct list_ctx c = {is_json ? json_array() : NULL, "", 0};
    int rc = store_list_days(s, a, b, print_one, &c);
    if (rc) {
        fprintf(stderr, "paperboy list: %s\n", store_errmsg(s));
        json_decref(c.arr);
    } else if (is_json) {
        cli_print_json(stdout, c.arr);
    } else {
        printf("\n%ld papers, %s%s%s\n", c.n, a, strcmp(a, b) ? " .. " : "", strcmp(a, b) ? b : "");
    }
    store_close(s);
    return rc ? 1 : 0;
}
