/* paperboy stats: what the database holds. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: paperboy stats [--db PATH] [--check]\n"
    "\n"
    "Print what the database holds: papers, listing days, sources, records by format,\n"
    "the most common primary categories, schema version and file size.\n"
    "\n"
    "options:\n"
    "  --db PATH   database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  --check     also verify the file: SQLite's integrity and foreign-key checks and\n"
    "              paperboy's own invariants; exit status 1 if anything is wrong\n";

static int print_count(void *ctx, const char *key, long long n)
{
    (void)ctx;
    printf("  %-16s %lld\n", key, n);
    return 0;
}

int cmd_stats(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"check", no_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int opt, is_check = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db = optarg; break;
        case 'c': is_check = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    struct store *s = cli_open_store(db, 1);
    if (!s)
        return 1;
    struct store_stats st;
    int rc = store_stats(s, &st);
    if (!rc) {
        printf("database:        %s (schema %d, %.1f MB)\n", cli_db_path(db),
               store_schema_version(s), (double)st.file_bytes / 1e6);
        printf("papers:          %lld (%lld with abstracts, %lld deleted)\n", st.papers,
               st.with_abstract, st.deleted);
        printf("listing days:    %lld (%s .. %s), %lld paper-day rows\n", st.listing_days,
               st.first_day[0] ? st.first_day : "-", st.last_day[0] ? st.last_day : "-",
               st.listing_rows);
        printf("community data:  %lld papers with Hugging Face upvotes\n", st.hf_papers);
        printf("sources:         %lld files, %lld provenance records\n", st.sources,
               st.provenance);
        printf("records by format:\n");
        rc = store_count_formats(s, print_count, NULL);
    }
    if (!rc) {
        printf("top primary categories:\n");
        rc = store_count_primary_categories(s, 10, print_count, NULL);
    }
    if (!rc && is_check) {
        rc = store_check(s);
        printf("check:           %s\n", rc ? store_errmsg(s) : "ok");
    }
    if (rc)
        fprintf(stderr, "paperboy stats: %s\n", store_errmsg(s));
    store_close(s);
    return rc ? 1 : 0;
}
