/* paperboy index: keeps the search index (src/index) in step with the store. The index lives in
 * the directory PATH.index beside the database PATH and records the store's change counter it
 * has reached; an update indexes the papers changed since (import runs one at its end, search
 * runs one when the index is behind), a rebuild indexes every paper again. A missing or damaged
 * index is rebuilt from the store automatically. */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../index/index.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "cli.h"

#define MERGE_ABOVE 8 /* segments; an update merges the small ones when there are more */

char *cli_index_dir(const char *db_path)
{
    return xasprintf("%s.index", db_path);
}

struct sync_ctx {
    struct index *ix;
    struct buf authors, cats;
    long added, deleted;
    int progress;
    time_t last_report;
};

static int32_t paper_day(const struct paper *p)
{
    const char *cands[] = {p->submitted, p->listing_day, p->featured_day, p->updated};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        if (!cands[i] || strlen(cands[i]) < 10)
            continue;
        char day[11];
        memcpy(day, cands[i], 10);
        day[10] = 0;
        int64_t d;
        if (date_parse_day(day, &d) == 0)
            return (int32_t)d;
    }
    return INT32_MIN;
}

static void join(struct buf *b, const struct strlist *l, char sep)
{
    buf_reset(b);
    for (size_t i = 0; i < l->n; i++) {
        if ((i && buf_putc(b, sep)) || buf_puts(b, l->v[i]))
            break; /* past the cap: index what fits */
    }
}

static int on_changed(void *vctx, int64_t pid, const struct paper *p)
{
    struct sync_ctx *c = vctx;
    if (p->is_deleted) {
        index_delete(c->ix, (uint32_t)pid);
        c->deleted++;
        return 0;
    }
    struct index_doc d;
    memset(&d, 0, sizeof d);
    d.docid = (uint32_t)pid;
    d.day = paper_day(p);
    join(&c->authors, &p->authors, '\n');
    join(&c->cats, &p->categories, ' ');
    const char *text[IF_COUNT] = {p->title, p->abstract, buf_str(&c->authors),
                                  buf_str(&c->cats), p->id, p->comment};
    for (int f = 0; f < IF_COUNT; f++) {
        d.text[f] = text[f];
        d.len[f] = text[f] ? strlen(text[f]) : 0;
    }
    index_add(c->ix, &d);
    c->added++;
    if (c->progress && (c->added & 1023) == 0) {
        time_t now = time(NULL);
        if (now != c->last_report) {
            fprintf(stderr, "\rindexing: %ld papers", c->added);
            c->last_report = now;
        }
    }
    return 0;
}

/* Deletes every file in dir (a damaged index), keeping the directory. */
static void wipe(const char *dir)
{
    char *m = xasprintf("%s/MANIFEST", dir);
    unlink(m);
    xfree(m);
}

int cli_index_sync(struct store *s, const char *db_path, int flags)
{
    char *dir = cli_index_dir(db_path);
    char err[512];
    struct index *ix = NULL;
    int rc = index_open(dir, INDEX_WRITE, &ix, err, sizeof err);
    if (rc == PB_EFORMAT || rc == PB_EIO) {
        fprintf(stderr, "paperboy: rebuilding the search index from the store (%s)\n", err);
        wipe(dir);
        flags |= CLI_SYNC_REBUILD;
        rc = index_open(dir, INDEX_WRITE, &ix, err, sizeof err);
    }
    if (rc) {
        if (!(rc == PB_EBUSY && (flags & CLI_SYNC_QUIET)))
            fprintf(stderr, "paperboy: %s\n", err);
        xfree(dir);
        return rc;
    }
    int64_t seq = 0;
    rc = store_seq(s, &seq);
    if (rc) {
        fprintf(stderr, "paperboy: %s\n", store_errmsg(s));
        goto out;
    }
    int64_t since = (flags & CLI_SYNC_REBUILD) ? 0 : (int64_t)index_seq(ix);
    if (since >= seq && !(flags & CLI_SYNC_REBUILD))
        goto out;
    struct sync_ctx c;
    memset(&c, 0, sizeof c);
    c.ix = ix;
    buf_init(&c.authors, 1 << 20);
    buf_init(&c.cats, 1 << 16);
    c.progress = !(flags & CLI_SYNC_QUIET) && isatty(2);
    if (flags & CLI_SYNC_REBUILD)
        index_clear(ix);
    rc = store_scan_changed(s, since, on_changed, &c);
    buf_release(&c.authors);
    buf_release(&c.cats);
    if (c.progress)
        fprintf(stderr, "\r\033[K");
    if (rc) {
        fprintf(stderr, "paperboy: %s\n", store_errmsg(s));
        index_rollback(ix);
        goto out;
    }
    rc = index_commit(ix, (uint64_t)seq, err, sizeof err);
    if (!rc) {
        struct index_stats st;
        index_stats(ix, &st);
        if (flags & CLI_SYNC_REBUILD)
            rc = index_merge(ix, 1, err, sizeof err);
        else if (st.segments > MERGE_ABOVE)
            rc = index_merge(ix, MERGE_ABOVE / 2, err, sizeof err);
    }
    if (rc)
        fprintf(stderr, "paperboy: %s\n", err);
    else if (!(flags & CLI_SYNC_QUIET))
        fprintf(stderr, "indexed %ld papers, removed %ld\n", c.added, c.deleted);
out:
    index_close(ix);
    xfree(dir);
    return rc;
}

int cli_index_open(struct store *s, const char *db_path, struct index **out)
{
    char *dir = cli_index_dir(db_path);
    char err[512];
    *out = NULL;
    int rc = index_open(dir, 0, out, err, sizeof err);
    int64_t seq = 0;
    int stale = rc == 0 && store_seq(s, &seq) == 0 && (uint64_t)seq > index_seq(*out);
    if (rc || stale) {
        /* missing, damaged or behind the store: bring it up to date first */
        if (rc != PB_ENOTFOUND && rc != 0 && rc != PB_EFORMAT) /* EFORMAT: sync says it */
            fprintf(stderr, "paperboy: %s\n", err);
        int src = cli_index_sync(s, db_path, CLI_SYNC_QUIET);
        if (src && src != PB_EBUSY) {
            index_close(*out);
            *out = NULL;
            xfree(dir);
            return src;
        }
        if (*out)
            rc = index_refresh(*out, err, sizeof err);
        else
            rc = index_open(dir, 0, out, err, sizeof err);
        if (rc)
            fprintf(stderr, "paperboy: %s\n", err);
    }
    xfree(dir);
    return rc;
}

static const char usage[] =
    "usage: paperboy index [--db PATH] [--quiet] COMMAND\n"
    "\n"
    "The search index lives in the directory PATH.index beside the database. `paperboy\n"
    "import` updates it after every import and `paperboy search` brings it up to date when\n"
    "it is behind, so these commands are for maintenance.\n"
    "\n"
    "commands:\n"
    "  update    index the papers added, changed or deleted since the last update\n"
    "  rebuild   index every paper again from scratch (one segment)\n"
    "  optimize  merge all segments into one\n"
    "  check     verify every index structure, and that the index holds every live paper\n"
    "  stats     documents, deleted documents, segments, terms, bytes on disk\n"
    "\n"
    "options:\n"
    "  --db PATH   database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  --quiet     no progress or summary on stderr\n";

int cmd_index(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int quiet = 0, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[optind];
    if (strcmp(cmd, "update") && strcmp(cmd, "rebuild") && strcmp(cmd, "optimize") &&
        strcmp(cmd, "check") && strcmp(cmd, "stats")) {
        fprintf(stderr, "paperboy index: unknown command '%s'\n", cmd);
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    struct store *s = cli_open_store(db, 1);
    if (!s)
        return 1;
    const char *path = cli_db_path(db);
    int rc = 0;
    char err[512];
    if (!strcmp(cmd, "update") || !strcmp(cmd, "rebuild")) {
        rc = cli_index_sync(s, path, (quiet ? CLI_SYNC_QUIET : 0) |
                                         (!strcmp(cmd, "rebuild") ? CLI_SYNC_REBUILD : 0));
    } else if (!strcmp(cmd, "optimize")) {
        char *dir = cli_index_dir(path);
        struct index *ix;
        rc = index_open(dir, INDEX_WRITE, &ix, err, sizeof err);
        if (!rc) {
            rc = index_merge(ix, 1, err, sizeof err);
            index_close(ix);
        }
        if (rc)
            fprintf(stderr, "paperboy index: %s\n", err);
        xfree(dir);
    } else {
        struct index *ix;
        rc = cli_index_open(s, path, &ix);
        if (!rc && !strcmp(cmd, "stats")) {
            struct index_stats st;
            index_stats(ix, &st);
            printf("documents  %llu\ndeleted    %llu\nsegments   %llu\nterms      %llu\n"
                   "bytes      %llu\nstore seq  %llu\n",
                   (unsigned long long)st.docs, (unsigned long long)st.deleted,
                   (unsigned long long)st.segments, (unsigned long long)st.terms,
                   (unsigned long long)st.bytes, (unsigned long long)st.seq);
        } else if (!rc) {
            rc = index_check(ix, err, sizeof err);
            struct index_stats st;
            struct store_stats ss;
            index_stats(ix, &st);
            int64_t seq = 0;
            if (!rc && store_stats(s, &ss) == 0 && store_seq(s, &seq) == 0 &&
                (uint64_t)seq == st.seq &&
                st.docs != (uint64_t)(ss.papers - ss.deleted)) {
                snprintf(err, sizeof err,
                         "the index holds %llu papers, the store has %lld live papers",
                         (unsigned long long)st.docs, ss.papers - ss.deleted);
                rc = PB_EFORMAT;
            }
            if (rc)
                fprintf(stderr, "paperboy index check: %s\n", err);
            else if (!quiet)
                printf("ok: %llu documents in %llu segments\n", (unsigned long long)st.docs,
                       (unsigned long long)st.segments);
        }
        index_close(ix);
    }
    store_close(s);
    return rc ? 1 : 0;
}
