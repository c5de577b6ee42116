/* paperboy search: until the search index exists (src/index), a plain scan of titles and
 * abstracts in the store: every word must appear (case-insensitive substring match). */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "cli.h"

#define MAX_WORDS 32

static const char usage[] =
    "usage: paperboy search [--db PATH] [-k N] [--json] WORDS...\n"
    "\n"
    "Find papers whose title or abstract contains every word (case-insensitive substring\n"
    "match on ASCII letters), newest listing first. This is a linear scan of the store;\n"
    "the ranked search engine replaces it.\n"
    "\n"
    "options:\n"
    "  --db PATH   database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  -k N        at most N results (default 10)\n"
    "  --json      a JSON array of papers\n";

struct search_ctx {
    json_t *arr;
    long n;
};

static int print_hit(void *ctx, const struct paper *p)
{
    struct search_ctx *c = ctx;
    c->n++;
    if (c->arr)
        json_array_append_new(c->arr, cli_paper_json(p));
    else
        cli_print_paper(stdout, p, 0);
    return 0;
}

int cmd_search(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int is_json = 0, k = 10, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db = optarg; break;
        case 'j': is_json = 1; break;
        case 'k': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 10000) {
                fprintf(stderr, "paperboy search: -k wants a number from 1 to 10000\n");
                return EXIT_USAGE;
            }
            k = (int)v;
            break;
        }
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    const char *words[MAX_WORDS];
    int n = 0;
    for (int i = optind; i < argc; i++) {
        if (!*argv[i])
            continue;
        if (n == MAX_WORDS || strlen(argv[i]) > 200) {
            fprintf(stderr, "paperboy search: at most %d words of at most 200 bytes\n", MAX_WORDS);
            return EXIT_USAGE;
        }
        words[n++] = argv[i];
    }
    if (!n) {
        fprintf(stderr, "paperboy search: no words to search for\n");
        return EXIT_USAGE;
    }
    struct store *s = cli_open_store(db, 1);
    if (!s)
        return 1;
    struct search_ctx c = {is_json ? json_array() : NULL, 0};
    int rc = store_scan_words(s, words, n, k, print_hit, &c);
    if (rc) {
        fprintf(stderr, "paperboy search: %s\n", store_errmsg(s));
        json_decref(c.arr);
    } else if (is_json) {
        cli_print_json(stdout, c.arr);
    } else if (!c.n) {
        printf("no papers match\n");
    }
    store_close(s);
    return rc ? 1 : 0;
}
