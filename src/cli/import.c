/* paperboy import: read files in any supported format into the store.
 * Two threads: the reader (this thread) decompresses and parses, the writer merges papers into
 * SQLite; a bounded queue joins them, so on two cores parsing and writing overlap. Papers are
 * moved into the queue (ingest_paper_take), not copied: the writer frees them. The writer
 * commits every --batch papers and at the end of the import, not per file (thousands of small
 * files made thousands of small commits): a kill at any moment loses at most the open batch,
 * whose papers are then simply absent and come back on a rerun, since upserts are idempotent.
 * A per-file line thus reports papers written, committed with their batch. */
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../ingest/ingest.h"
#include "../util/alloc.h"
#include "cli.h"

#define DEFAULT_BATCH 5000
#define QUEUE_CAP 512

static const char usage[] =
    "usage: paperboy import [--db PATH] [--format FORMAT] [--strict] [--batch N] [--quiet]\n"
    "                       [--no-index] FILE...\n"
    "\n"
    "Import papers from files (\"-\" for standard input; .gz is read transparently).\n"
    "The format is detected from the content unless --format says it:\n"
    "  oai     arXiv OAI-PMH responses (arXiv, arXivRaw, oai_dc metadata; deleted records)\n"
    "  atom    arXiv API Atom feeds and arXiv Atom listing feeds\n"
    "  rss     arXiv RSS 2.0 listing feeds\n"
    "  hf      Hugging Face /api/daily_papers JSON (upvotes, featured day, GitHub repo)\n"
    "  kaggle  Kaggle arxiv-metadata-oai-snapshot JSON Lines\n"
    "  daily   daily listing JSON Lines (listing day from a YYYY-MM-DD file name)\n"
    "  abs     arXiv .abs records, monthly listings and daily \"new\" mailings\n"
    "  beir    BEIR corpus JSON Lines ({_id, title, text}; ids become beir:<_id>)\n"
    "\n"
    "Importing is idempotent: the same input twice changes nothing. A newer version of a\n"
    "paper replaces the stored fields; the same version only fills missing ones; records\n"
    "from other sources (Hugging Face upvotes...) merge into the same paper.\n"
    "\n"
    "options:\n"
    "  --db PATH        database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  --format FORMAT  skip detection and read every FILE as FORMAT\n"
    "  --strict         stop at the first rejected record or unreadable file; what was\n"
    "                   imported before it is kept\n"
    "  --batch N        papers per transaction (default 5000)\n"
    "  --quiet          no progress and no per-file lines, only problems and the summary\n"
    "  --no-index       do not update the search index afterwards (the next search will)\n"
    "\n"
    "A malformed record is skipped with a message naming the file, record, line and reason.\n"
    "On a terminal a progress line shows records/s and how much of the file is read.\n"
    "Prints a summary (read / new / updated / unchanged / rejected). Exit status: 0 if\n"
    "everything was imported, 1 if any record or file was rejected, 2 on a usage error.\n";

enum item_kind { ITEM_PAPER, ITEM_FILE_BEGIN, ITEM_FILE_END, ITEM_QUIT };

struct item {
    enum item_kind kind;
    struct paper paper;          /* ITEM_PAPER */
    char *path;                  /* ITEM_FILE_BEGIN: source path; ITEM_FILE_END: name shown */
    enum ingest_format format;   /* ITEM_FILE_BEGIN / END */
    long long n_read, n_rejected;/* ITEM_FILE_END: what the reader saw in that file */
};

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full, drained;
    struct item *items;
    size_t head, n;
    int busy;                    /* writer is working on an item it popped */
};

struct import_ctx {
    struct queue q;
    struct store *store;
    int batch;
    int is_strict, is_tty, is_quiet, no_index;
    atomic_int writer_failed;
    /* reader side */
    const char *path;
    const char *source_path;
    enum ingest_format format;
    int announced;
    long long file_read, file_rejected;
    long long n_read, n_rejected;
    struct timespec t0;
    /* writer side */
    char *writer_path;           /* source of the file being written, for messages */
    int64_t source_id;
    int in_batch;
    long long n_new, n_updated, n_unchanged;
    long long file_new, file_updated;
};

static double elapsed(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* --- queue --- */

static void queue_init(struct queue *q)
{
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    pthread_cond_init(&q->drained, NULL);
    q->items = xcalloc(QUEUE_CAP, sizeof *q->items);
    for (size_t i = 0; i < QUEUE_CAP; i++)
        paper_init(&q->items[i].paper);
    q->head = q->n = 0;
    q->busy = 0;
}

static void queue_release(struct queue *q)
{
    for (size_t i = 0; i < QUEUE_CAP; i++) {
        paper_clear(&q->items[i].paper);
        xfree(q->items[i].path);
    }
    xfree(q->items);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->drained);
}

/* Reader: fill the next free slot. The slot's paper was cleared by the writer; p, a record the
 * parser handed to the sink, is taken over (ingest_paper_take), not copied. */
static void queue_push(struct queue *q, enum item_kind kind, const struct paper *p,
                       const char *path, enum ingest_format f, long long n_read,
                       long long n_rejected)
{
    pthread_mutex_lock(&q->mu);
    while (q->n == QUEUE_CAP)
        pthread_cond_wait(&q->not_full, &q->mu);
    struct item *it = &q->items[(q->head + q->n) % QUEUE_CAP];
    pthread_mutex_unlock(&q->mu);
    /* Fill outside the lock: the writer never touches slots beyond head + n. */
    it->kind = kind;
    if (p)
        ingest_paper_take(p, &it->paper);
    xfree(it->path);
    it->path = path ? xstrdup(path) : NULL;
    it->format = f;
    it->n_read = n_read;
    it->n_rejected = n_rejected;
    pthread_mutex_lock(&q->mu);
    q->n++;
    /* Wake the writer for a batch of papers, not for each one: waking per record made the
     * two threads take turns instead of running at once. */
    if (kind != ITEM_PAPER || q->n >= QUEUE_CAP / 4)
        pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
}

/* Reader: wait until the writer has handled everything pushed so far. */
static void queue_drain(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    if (q->n)
        pthread_cond_signal(&q->not_empty); /* fewer papers than a wake-up batch may wait */
    while (q->n || q->busy)
        pthread_cond_wait(&q->drained, &q->mu);
    pthread_mutex_unlock(&q->mu);
}

/* --- writer thread --- */

static int writer_begin(struct import_ctx *c)
{
    if (c->in_batch)
        return 0;
    if (store_begin(c->store))
        return PB_EDB;
    c->in_batch = 1;
    return 0;
}

static int writer_commit(struct import_ctx *c)
{
    if (!c->in_batch)
        return 0;
    c->in_batch = 0;
    return store_commit(c->store) ? PB_EDB : 0;
}

static int writer_handle(struct import_ctx *c, struct item *it)
{
    switch (it->kind) {
    case ITEM_FILE_BEGIN:
        c->file_new = c->file_updated = 0;
        c->source_id = 0;
        xfree(c->writer_path);
        c->writer_path = xstrdup(it->path);
        if (writer_begin(c) ||
            store_source(c->store, ingest_format_name(it->format), it->path, &c->source_id))
            return PB_EDB;
        return 0;
    case ITEM_PAPER: {
        if (writer_begin(c))
            return PB_EDB;
        enum store_put_result res;
        if (store_paper_put(c->store, &it->paper, c->source_id, &res))
            return PB_EDB;
        if (res == STORE_NEW) {
            c->n_new++;
            c->file_new++;
        } else if (res == STORE_UPDATED) {
            c->n_updated++;
            c->file_updated++;
        } else {
            c->n_unchanged++;
        }
        if (++c->in_batch > c->batch)
            return writer_commit(c);
        return 0;
    }
    case ITEM_FILE_END:
        if (!c->is_quiet && !c->is_tty)
            printf("%s: %s, %lld records, %lld new, %lld updated, %lld rejected\n", it->path,
                   ingest_format_name(it->format), it->n_read, c->file_new, c->file_updated,
                   it->n_rejected);
        return 0;
    case ITEM_QUIT:
        return writer_commit(c);
    }
    return 0;
}

static void *writer_main(void *arg)
{
    struct import_ctx *c = arg;
    struct queue *q = &c->q;
    for (;;) {
        pthread_mutex_lock(&q->mu);
        while (q->n == 0)
            pthread_cond_wait(&q->not_empty, &q->mu);
        struct item *it = &q->items[q->head];
        q->busy = 1;
        pthread_mutex_unlock(&q->mu);

        enum item_kind kind = it->kind;
        if (!atomic_load(&c->writer_failed) && writer_handle(c, it)) {
            /* c->path belongs to the reader thread; use the writer's own copy. */
            fprintf(stderr, "paperboy: import: '%s': %s\n",
                    c->writer_path ? c->writer_path : "?", store_errmsg(c->store));
            store_rollback(c->store);
            c->in_batch = 0;
            atomic_store(&c->writer_failed, 1);
        }
        paper_clear(&it->paper);

        pthread_mutex_lock(&q->mu);
        q->head = (q->head + 1) % QUEUE_CAP;
        q->n--;
        q->busy = 0;
        if (q->n <= QUEUE_CAP / 2)
            pthread_cond_signal(&q->not_full);
        if (q->n == 0)
            pthread_cond_broadcast(&q->drained);
        pthread_mutex_unlock(&q->mu);
        if (kind == ITEM_QUIT)
            return NULL;
    }
}

/* --- reader side (parser sink) --- */

static void announce(struct import_ctx *c)
{
    if (c->announced)
        return;
    c->announced = 1;
    queue_push(&c->q, ITEM_FILE_BEGIN, NULL, c->source_path, c->format, 0, 0);
}

static int on_paper(void *ctx, const struct paper *p)
{
    struct import_ctx *c = ctx;
    if (atomic_load(&c->writer_failed))
        return PB_EDB;
    c->n_read++;
    c->file_read++;
    announce(c);
    queue_push(&c->q, ITEM_PAPER, p, NULL, INGEST_AUTO, 0, 0);
    return 0;
}

/* Reader, before it prints a message: if the writer prints per-file lines, let it catch up so
 * that they and the messages come out in input order. */
static void sync_output(struct import_ctx *c)
{
    if (!c->is_quiet && !c->is_tty)
        queue_drain(&c->q);
}

static void clear_progress(struct import_ctx *c)
{
    if (c->is_tty && !c->is_quiet)
        fprintf(stderr, "\r\033[K");
}

static int on_reject(void *ctx, const struct ingest_error *e)
{
    struct import_ctx *c = ctx;
    c->n_read++;
    c->file_read++;
    c->n_rejected++;
    c->file_rejected++;
    sync_output(c);
    clear_progress(c);
    fprintf(stderr, "paperboy: rejected record %ld of '%s'", e->record_no, e->source);
    if (e->line_no)
        fprintf(stderr, " (line %ld)", e->line_no);
    fprintf(stderr, ": %s\n", e->msg);
    return c->is_strict ? PB_ESTOP : 0;
}

static void on_format(void *ctx, enum ingest_format f)
{
    struct import_ctx *c = ctx;
    c->format = f;
}

static void on_progress(void *ctx, long long done, long long total, long records)
{
    struct import_ctx *c = ctx;
    (void)records;
    if (!c->is_tty || c->is_quiet)
        return;
    double t = elapsed(&c->t0);
    double rate = t > 0 ? (double)c->n_read / t : 0;
    fprintf(stderr, "\r\033[K%s  %lld records  %.0f rec/s", c->path, c->n_read, rate);
    if (total > 0) {
        double frac = (double)done / (double)total;
        int width = 20, fill = (int)(frac * width);
        fprintf(stderr, "  [");
        for (int i = 0; i < width; i++)
            fputc(i < fill ? '#' : '.', stderr);
        fprintf(stderr, "] %3.0f%%", frac * 100);
    }
    fflush(stderr);
}

static int parse_options(int argc, char **argv, struct import_ctx *c, const char **db,
                         enum ingest_format *fmt)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},     {"format", required_argument, NULL, 'f'},
        {"strict", no_argument, NULL, 's'},       {"batch", required_argument, NULL, 'b'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {"no-index", no_argument, NULL, 'n'},     {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': *db = optarg; break;
        case 'f':
            *fmt = ingest_format_from_name(optarg);
            if (*fmt == INGEST_AUTO) {
                fprintf(stderr, "paperboy import: unknown format '%s' (see --help)\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 's': c->is_strict = 1; break;
        case 'q': c->is_quiet = 1; break;
        case 'n': c->no_index = 1; break;
        case 'b': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1000000) {
                fprintf(stderr, "paperboy import: --batch wants a number from 1 to 1000000\n");
                return EXIT_USAGE;
            }
            c->batch = (int)v;
            break;
        }
        case 'h': fputs(usage, stdout); return -1;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "paperboy import: no files given\n");
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    return 0;
}

int cmd_import(int argc, char **argv)
{
    const char *db = NULL;
    enum ingest_format fmt = INGEST_AUTO;
    struct import_ctx *c = xcalloc(1, sizeof *c);
    c->batch = DEFAULT_BATCH;
    int rc = parse_options(argc, argv, c, &db, &fmt);
    if (rc) {
        xfree(c);
        return rc < 0 ? 0 : rc;
    }
    c->store = cli_open_store(db, 0);
    if (!c->store) {
        xfree(c);
        return 1;
    }
    /* Checkpoints off the writer thread; without them (cannot happen short of a thread or a
     * file descriptor limit) the import is only slower. */
    if (store_bulk_begin(c->store))
        fprintf(stderr, "paperboy: import: %s; going on without\n", store_errmsg(c->store));
    c->is_tty = isatty(2);
    clock_gettime(CLOCK_MONOTONIC, &c->t0);
    queue_init(&c->q);
    pthread_t writer;
    if (pthread_create(&writer, NULL, writer_main, c)) {
        fprintf(stderr, "paperboy import: cannot start the writer thread\n");
        store_close(c->store);
        queue_release(&c->q);
        xfree(c);
        return 1;
    }
    long long n_files_failed = 0;
    for (int i = optind; i < argc && !atomic_load(&c->writer_failed); i++) {
        c->path = argv[i];
        char real[PATH_MAX];
        if (!strcmp(argv[i], "-"))
            c->source_path = "(stdin)";
        else
            c->source_path = realpath(argv[i], real) ? real : argv[i];
        c->announced = 0;
        c->file_read = c->file_rejected = 0;
        struct ingest_sink sink = {c, on_paper, on_reject, NULL};
        struct ingest_error err;
        int frc = ingest_file(argv[i], fmt, &sink, on_format, on_progress, c, &err);
        if (c->announced)
            queue_push(&c->q, ITEM_FILE_END, NULL, argv[i], c->format, c->file_read,
                       c->file_rejected);
        /* No waiting for the writer here: the next file is parsed while this one is written
         * (waiting at every file made the two threads take turns). Messages wait instead. */
        if (atomic_load(&c->writer_failed)) {
            rc = 1;
            break;
        }
        clear_progress(c);
        if (frc == PB_ESTOP) {
            rc = 1;
            break;
        }
        if (frc) {
            n_files_failed++;
            sync_output(c);
            fprintf(stderr, "paperboy: cannot import '%s'", argv[i]);
            if (err.line_no)
                fprintf(stderr, " (line %ld)", err.line_no);
            fprintf(stderr, ": %s", err.msg);
            if (c->file_read)
                fprintf(stderr, " (the %lld complete records before it were imported)",
                        c->file_read - c->file_rejected);
            fprintf(stderr, "\n");
            rc = 1;
            if (c->is_strict)
                break;
        }
    }
    queue_push(&c->q, ITEM_QUIT, NULL, NULL, INGEST_AUTO, 0, 0);
    pthread_join(writer, NULL);
    if (atomic_load(&c->writer_failed))
        rc = 1;
    double t = elapsed(&c->t0);
    printf("%lld read, %lld new, %lld updated, %lld unchanged, %lld rejected", c->n_read,
           c->n_new, c->n_updated, c->n_unchanged, c->n_rejected);
    if (n_files_failed)
        printf(", %lld files failed", n_files_failed);
    printf(" (%.1f s, %.0f records/s)\n", t, t > 0 ? (double)c->n_read / t : 0.0);
    if (c->n_rejected)
        rc = 1;
    /* make the new papers searchable now; another process writing the index (PB_EBUSY) will
     * leave it to the next search */
    if (!c->no_index && !atomic_load(&c->writer_failed)) {
        int irc = cli_index_sync(c->store, cli_db_path(db), c->is_quiet ? CLI_SYNC_QUIET : 0);
        if (irc && irc != PB_EBUSY)
            rc = 1;
    }
    store_close(c->store);
    queue_release(&c->q);
    xfree(c->writer_path);
    xfree(c);
    return rc;
}
