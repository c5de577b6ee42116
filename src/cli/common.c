/* Database opening and paper printing shared by the subcommands. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *cli_db_path(const char *flag)
{
    if (flag && *flag)
        return flag;
    const char *env = getenv("PAPERBOY_DB");
    if (env && *env)
        return env;
    return STORE_DEFAULT_PATH;
}

struct store *cli_open_store(const char *flag, int readonly)
{
    struct store *s = NULL;
    char err[512];
    const char *path = cli_db_path(flag);
    int rc = store_open(path, readonly ? STORE_OPEN_READONLY : 0, &s, err, sizeof err);
    if (rc && readonly && strstr(err, "needs upgrading")) {
        /* A file from an older paperboy: upgrade it once (read-write), then read it. */
        rc = store_open(path, 0, &s, err, sizeof err);
        store_close(s);
        s = NULL;
        if (!rc)
            rc = store_open(path, STORE_OPEN_READONLY, &s, err, sizeof err);
    }
    if (rc) {
        fprintf(stderr, "paperboy: %s\n", err);
        return NULL;
    }
    return s;
}

static void print_list(FILE *out, const struct strlist *l, const char *sep)
{
    for (size_t i = 0; i < l->n; i++)
        fprintf(out, "%s%s", i ? sep : "", l->v[i]);
}

void cli_print_paper(FILE *out, const struct paper *p, int is_full)
{
    if (!is_full) {
        fprintf(out, "%s", p->id);
        if (p->categories.n)
            fprintf(out, "  [%s]", p->categories.v[0]);
        if (p->upvotes > 0)
            fprintf(out, "  ▲%ld", p->upvotes);
        fprintf(out, "\n  %s\n", p->title ? p->title : "");
        if (p->authors.n) {
            fprintf(out, "  ");
            size_t n = p->authors.n > 6 ? 6 : p->authors.n;
            for (size_t i = 0; i < n; i++)
                fprintf(out, "%s%s", i ? ", " : "", p->authors.v[i]);
            if (p->authors.n > n)
                fprintf(out, " and %zu more", p->authors.n - n);
            fprintf(out, "\n");
        }
        return;
    }
    fprintf(out, "id:          %s%s\n", p->id, p->is_deleted ? "  (deleted)" : "");
    if (p->version)
        fprintf(out, "version:     v%d\n", p->version);
    fprintf(out, "title:       %s\n", p->title ? p->title : "");
    if (p->authors.n) {
        fprintf(out, "authors:     ");
        print_list(out, &p->authors, ", ");
        fprintf(out, "\n");
    }
    if (p->categories.n) {
        fprintf(out, "categories:  ");
        print_list(out, &p->categories, " ");
        fprintf(out, "\n");
    }
    const struct {
        const char *label, *v;
    } f[] = {{"comment:     ", p->comment},   {"journal-ref: ", p->journal_ref},
             {"doi:         ", p->doi},       {"report-no:   ", p->report_no},
             {"license:     ", p->license},   {"submitted:   ", p->submitted},
             {"updated:     ", p->updated},   {"github:      ", p->github_repo},
             {"featured:    ", p->featured_day}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (f[i].v)
            fprintf(out, "%s%s\n", f[i].label, f[i].v);
    if (p->upvotes >= 0)
        fprintf(out, "upvotes:     %ld\n", p->upvotes);
    if (p->keywords.n) {
        fprintf(out, "keywords:    ");
        print_list(out, &p->keywords, ", ");
        fprintf(out, "\n");
    }
    if (p->abstract)
        fprintf(out, "\n%s\n", p->abstract);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *list_json(const struct strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    return a;
}

json_t *cli_paper_json(const struct paper *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(p->id));
    json_object_set_new(o, "version", p->version ? json_integer(p->version) : json_null());
    json_object_set_new(o, "title", str_or_null(p->title));
    json_object_set_new(o, "authors", list_json(&p->authors));
    json_object_set_new(o, "categories", list_json(&p->categories));
    json_object_set_new(o, "abstract", str_or_null(p->abstract));
    json_object_set_new(o, "comment", str_or_null(p->comment));
    json_object_set_new(o, "journal_ref", str_or_null(p->journal_ref));
    json_object_set_new(o, "doi", str_or_null(p->doi));
    json_object_set_new(o, "report_no", str_or_null(p->report_no));
    json_object_set_new(o, "license", str_or_null(p->license));
    json_object_set_new(o, "submitted", str_or_null(p->submitted));
    json_object_set_new(o, "updated", str_or_null(p->updated));
    json_object_set_new(o, "listing_day", str_or_null(p->listing_day));
    json_object_set_new(o, "deleted", json_boolean(p->is_deleted));
    json_object_set_new(o, "upvotes", p->upvotes >= 0 ? json_integer(p->upvotes) : json_null());
    json_object_set_new(o, "github_repo", str_or_null(p->github_repo));
    json_object_set_new(o, "keywords", list_json(&p->keywords));
    json_object_set_new(o, "featured_day", str_or_null(p->featured_day));
    return o;
}

void cli_print_json(FILE *out, json_t *v)
{
    json_dumpf(v, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(v);
}
