/* paperboy show: one paper with every field, its listing days and provenance. */
#include <getopt.h>
#include <jansson.h>
#include <string.h>

#include "../util/alloc.h"
#include "cli.h"

static const char usage[] =
    "usage: paperboy show [--db PATH] [--json] ID\n"
    "\n"
    "Show one paper: metadata, abstract, the listing days it appeared on and where each\n"
    "record about it came from. ID may be any form of arXiv id: 2503.11731,\n"
    "arXiv:2503.11731v2, https://arxiv.org/abs/2503.11731, hep-th/9901001, or the id of\n"
    "another source with its namespace (beir:4983).\n"
    "\n"
    "options:\n"
    "  --db PATH   database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  --json      print one JSON object (fields, listing_days, provenance)\n"
    "\n"
    "Exit status: 0 found, 1 not found or error, 2 usage error.\n";

struct prov_ctx {
    FILE *out;
    json_t *arr;
};

static int print_prov(void *ctx, const struct store_provenance *pv)
{
    struct prov_ctx *c = ctx;
    if (c->arr) {
        json_t *o = json_object();
        json_object_set_new(o, "format", json_string(pv->format));
        json_object_set_new(o, "file", json_string(pv->path));
        json_object_set_new(o, "record", json_integer(pv->record_no));
        json_object_set_new(o, "version", pv->version ? json_integer(pv->version) : json_null());
        json_object_set_new(o, "fields", json_string(pv->fields));
        json_object_set_new(o, "seen_at", json_string(pv->seen_at));
        json_array_append_new(c->arr, o);
    } else {
        fprintf(c->out, "  %s  %s record %ld", pv->seen_at, pv->format, pv->record_no);
        if (pv->version)
            fprintf(c->out, " (v%d)", pv->version);
        fprintf(c->out, "  %s\n    said: %s\n", pv->path, pv->fields);
    }
    return 0;
}

int cmd_show(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int is_json = 0, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db = optarg; break;
        case 'j': is_json = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *arg = argv[optind];
    char id[PAPER_MAX_ID];
    int version;
    if (paper_parse_arxiv_id(arg, id, &version)) {
        /* Not an arXiv id: maybe a namespaced id ("beir:123"), used as given. */
        if (!strchr(arg, ':') || strlen(arg) >= sizeof id) {
            fprintf(stderr, "paperboy show: '%s' is not an arXiv id or a namespaced id\n", arg);
            return 1;
        }
        snprintf(id, sizeof id, "%s", arg);
    }
    struct store *s = cli_open_store(db, 1);
    if (!s)
        return 1;
    struct paper p;
    paper_init(&p);
    int rc = store_paper_get(s, id, &p);
    if (rc == PB_ENOTFOUND) {
        fprintf(stderr, "paperboy show: no paper '%s' in %s\n", id, cli_db_path(db));
        store_close(s);
        return 1;
    }
    struct strlist days = {0};
    if (rc || store_paper_days(s, id, &days)) {
        fprintf(stderr, "paperboy show: %s\n", store_errmsg(s));
        paper_clear(&p);
        store_close(s);
        return 1;
    }
    struct prov_ctx pc = {stdout, NULL};
    if (is_json) {
        json_t *o = cli_paper_json(&p);
        json_t *d = json_array();
        for (size_t i = 0; i < days.n; i++)
            json_array_append_new(d, json_string(days.v[i]));
        json_object_set_new(o, "listing_days", d);
        pc.arr = json_array();
        rc = store_paper_provenance(s, id, print_prov, &pc);
        json_object_set_new(o, "provenance", pc.arr);
        if (!rc)
            cli_print_json(stdout, o);
        else
            json_decref(o);
    } else {
        cli_print_paper(stdout, &p, 1);
        printf("\nlinks:       https://arxiv.org/abs/%s  https://arxiv.org/pdf/%s\n", p.id, p.id);
        if (days.n) {
            printf("listed on:   ");
            for (size_t i = 0; i < days.n; i++)
                printf("%s%s", i ? " " : "", days.v[i]);
            printf("\n");
        }
        printf("provenance:\n");
        rc = store_paper_provenance(s, id, print_prov, &pc);
    }
    if (rc)
        fprintf(stderr, "paperboy show: %s\n", store_errmsg(s));
    strlist_clear(&days);
    paper_clear(&p);
    store_close(s);
    return rc ? 1 : 0;
}
