/* The paper store: one SQLite database file holding papers, the listing days they appeared on
 * and where every record came from. The only module that includes <sqlite3.h>. The schema and
 * its migrations are documented at the top of store.c.
 * A struct store is one connection: not thread-safe; open one per thread. */
#ifndef PB_STORE_STORE_H
#define PB_STORE_STORE_H
#include <stdint.h>

#include "../ingest/paper.h"
#include "../util/err.h"

struct store;

#define STORE_DEFAULT_PATH "paperboy.db"
#define STORE_OPEN_READONLY 1

/* Open (creating if needed, unless read-only) the database at path and bring its schema up to
 * date. On failure returns PB_EDB/PB_EIO and writes a message into errbuf (size errlen). */
PB_MUST_CHECK int store_open(const char *path, int flags, struct store **out, char *errbuf,
                             size_t errlen);
void store_close(struct store *s);
/* Last database error message for this connection. */
const char *store_errmsg(const struct store *s);
/* Schema version of the open file (PRAGMA user_version) and the one this build writes. */
int store_schema_version(struct store *s);
int store_schema_latest(void);

/* Explicit transactions; store_put calls must be inside one. */
PB_MUST_CHECK int store_begin(struct store *s);
PB_MUST_CHECK int store_commit(struct store *s);
void store_rollback(struct store *s);

/* Bulk import mode, until store_bulk_end or store_close: WAL checkpoints (copying committed
 * pages into the database file, with two fsyncs) run on a background thread with its own
 * connection instead of inside the commit that filled the WAL, so the caller does not stop for
 * the disk. Commits are exactly as durable as before; a commit only waits when the WAL has
 * grown past 32 MiB (store.c). Returns 0, or PB_EDB (message in store_errmsg) and nothing
 * changed. The store is still used from one thread only. */
PB_MUST_CHECK int store_bulk_begin(struct store *s);
/* Back to checkpoints in commits; waits for a running checkpoint. No-op if not in bulk mode. */
void store_bulk_end(struct store *s);

/* Register an input (format name, path) for provenance; *source_id identifies it in
 * store_paper_put. Re-registering the same path returns the same id. */
PB_MUST_CHECK int store_source(struct store *s, const char *format, const char *path,
                               int64_t *source_id);

enum store_put_result {
    STORE_NEW = 1,       /* paper was not stored before */
    STORE_UPDATED,       /* stored paper changed (fields, version, listing day, community data) */
    STORE_UNCHANGED,     /* the record said nothing new */
};

/* Merge one record into the store (rules in store.c: a newer version replaces, the same or an
 * unknown version only fills gaps, community data keeps the highest upvotes). Idempotent.
 * A deleted record marks an existing paper deleted and is ignored (UNCHANGED) for unknown ids. */
PB_MUST_CHECK int store_paper_put(struct store *s, const struct paper *p, int64_t source_id,
                                  enum store_put_result *res);

/* Fetch a paper by canonical id into *out (paper_init'ed by the caller; strings are owned by out;
 * listing_day is the latest listing day). Returns 0, PB_ENOTFOUND or PB_EDB. */
PB_MUST_CHECK int store_paper_get(struct store *s, const char *id, struct paper *out);

/* The same by the integer key (pid) that the search index uses as document number. */
PB_MUST_CHECK int store_paper_get_pid(struct store *s, int64_t pid, struct paper *out);

/* The pid of the paper whose canonical id is exactly id[0..len) (no case folding): 1 and *pid
 * set, 0 when there is none (or on a database error). Shaped as the search index's
 * index_id_lookup_fn with the store as ctx: the index does not store papers' own ids and asks
 * this instead. Same thread rules as the other calls on s. */
int store_id_lookup(void *s, const char *id, size_t len, uint32_t *pid);

/* The store's change counter: every insert or change of a paper takes the next value. */
PB_MUST_CHECK int store_seq(struct store *s, int64_t *seq);

/* Papers whose change number is above since, in pid order, deleted ones included
 * (p->is_deleted); listing_day is the first day a listing announced the paper. Return non-zero
 * from fn to stop. Read the counter with store_seq before scanning: a change committed during
 * the scan is then seen again next time rather than missed. */
typedef int (*store_pid_fn)(void *ctx, int64_t pid, const struct paper *p);
PB_MUST_CHECK int store_scan_changed(struct store *s, int64_t since, store_pid_fn fn, void *ctx);

/* Listing days of a paper, newest first, appended to days. */
PB_MUST_CHECK int store_paper_days(struct store *s, const char *id, struct strlist *days);

struct store_provenance {
    const char *format;   /* "oai", "daily", ... */
    const char *path;     /* the input as named at import */
    long record_no;
    int version;          /* the version that record said, 0 if none */
    const char *fields;   /* space-separated names of the fields it provided */
    const char *seen_at;  /* when it was first imported */
};
typedef int (*store_provenance_fn)(void *ctx, const struct store_provenance *pv);
PB_MUST_CHECK int store_paper_provenance(struct store *s, const char *id, store_provenance_fn fn,
                                         void *ctx);

/* Papers listed on days in [first, last] ("YYYY-MM-DD"), newest day first, then by id. fn gets
 * each paper (listing_day set to that day); return non-zero from fn to stop. */
typedef int (*store_paper_fn)(void *ctx, const struct paper *p);
PB_MUST_CHECK int store_list_days(struct store *s, const char *first, const char *last,
                                  store_paper_fn fn, void *ctx);
/* The most recent listing day into out (>= 11 bytes); PB_ENOTFOUND if none. */
PB_MUST_CHECK int store_latest_day(struct store *s, char *out);

/* A plain scan for papers whose title or abstract contain every word (case-insensitive, ASCII),
 * newest first, at most limit. This is the pre-index fallback, not the search engine. */
PB_MUST_CHECK int store_scan_words(struct store *s, const char *const *words, int n_words,
                                   int limit, store_paper_fn fn, void *ctx);

struct store_stats {
    long long papers, deleted, with_abstract, listing_rows, listing_days, sources, provenance;
    long long hf_papers;
    char first_day[11], last_day[11];
    long long file_bytes;
};
PB_MUST_CHECK int store_stats(struct store *s, struct store_stats *st);
/* Per-category counts (primary category), most papers first; at most limit rows. */
typedef int (*store_count_fn)(void *ctx, const char *key, long long n);
PB_MUST_CHECK int store_count_primary_categories(struct store *s, int limit, store_count_fn fn,
                                                 void *ctx);
/* Per-format counts of provenance rows (records imported by format). */
PB_MUST_CHECK int store_count_formats(struct store *s, store_count_fn fn, void *ctx);

/* --- live harvest state (harvest.c) --- */

/* Where one harvest stands. A harvest is named by a key its owner builds from what identifies
 * it ("oai https://oaipmh.arxiv.org/oai cs arXivRaw", "rss https://rss.arxiv.org/rss/cs.LG").
 * Strings are owned by the struct (NULL: not set); times are canonical UTC timestamps. */
struct store_harvest {
    char *key;
    char *source;     /* "oai", "api", "rss", "hf" */
    char *from_day;   /* OAI: the "from" of the harvest in progress */
    char *token;      /* OAI: resumption token of the next page; NULL when none is in progress */
    long long cursor, list_size; /* OAI: position and size of the list in progress, -1 unknown */
    char *next_from;  /* the "from" (OAI) or the next day (HF) of the next harvest */
    char *started_at; /* when the harvest in progress (or the last one) began */
    char *attempt_at; /* when a run last ended, well or not */
    char *ok_at;      /* when a run last completed */
    char *error;      /* why the last run failed; NULL if it did not */
    long long failures; /* runs failed in a row */
    long long pages, records; /* totals over all runs */
};
void store_harvest_init(struct store_harvest *h);
void store_harvest_clear(struct store_harvest *h);
/* Read the row of key into *out (cleared first). Returns 0, PB_ENOTFOUND or PB_EDB. */
PB_MUST_CHECK int store_harvest_get(struct store *s, const char *key, struct store_harvest *out);
/* Insert or replace the row h->key. Inside a transaction it commits with the papers of the
 * same page, which is what makes a harvest resumable: a page's papers and the token of the
 * page after it are written together or not at all. Returns 0 or PB_EDB. */
PB_MUST_CHECK int store_harvest_put(struct store *s, const struct store_harvest *h);
/* Every row, ordered by key; return non-zero from fn to stop. */
typedef int (*store_harvest_fn)(void *ctx, const struct store_harvest *h);
PB_MUST_CHECK int store_harvest_list(struct store *s, store_harvest_fn fn, void *ctx);

/* Run SQLite's integrity_check and foreign_key_check plus paperboy's own invariants (every
 * listing and provenance row points at a paper, versions non-negative). Returns 0 or PB_EDB with
 * the first problem in store_errmsg(). */
PB_MUST_CHECK int store_check(struct store *s);

#endif
