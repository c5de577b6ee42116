/* Live harvesting: arXiv OAI-PMH (incremental by date, following resumption tokens), the arXiv
 * API (lookups by id, queries), arXiv RSS (each day's announcements) and Hugging Face daily
 * papers, into the store, politely (ingest/fetch.h) and resumably (state in the store's
 * harvests table, written with each page's papers). Also the schedule of the configured
 * harvests ([harvest NAME] sections) with catch-up after downtime.
 * Uses ingest (fetch, parsers), store and util; knows nothing of cli/ or http/: the caller
 * updates the search index after a run (the "committed" hook says when papers were written).
 * Sources, state, and what happens on each error: docs/HARVESTING.md; keys: docs/CONFIG.md. */
#ifndef PB_HARVEST_HARVEST_H
#define PB_HARVEST_HARVEST_H
#include <stddef.h>
#include <stdint.h>

#include "../ingest/fetch.h"
#include "../store/store.h"
#include "../util/config.h"
#include "../util/err.h"

#define HARVEST_OAI_URL "https://oaipmh.arxiv.org/oai"
#define HARVEST_API_URL "https://export.arxiv.org/api/query"
#define HARVEST_RSS_URL "https://rss.arxiv.org/rss" /* + "/" + category */
#define HARVEST_HF_URL "https://huggingface.co/api/daily_papers"

#define HARVEST_API_MAX 30000     /* the API serves no result past this offset */
#define HARVEST_API_PAGE_MAX 2000 /* nor more per page */
#define HARVEST_IDS_PER_REQUEST 100
#define HARVEST_MAX_PAGES 100000 /* one OAI run; a server that never ends its list is an error */

enum harvest_source { HARVEST_OAI, HARVEST_API, HARVEST_RSS, HARVEST_HF };

/* One harvest: a configured [harvest NAME] section or what a command line asked for. Strings
 * are owned by the job (harvest_job_clear frees them); NULL means the default. */
struct harvest_job {
    char *name; /* the section name; "" for a command line */
    enum harvest_source source;
    char *base_url; /* NULL: [fetch] oai-url/api-url/rss-url/hf-url, else the above */
    /* oai */
    char *set;        /* "cs", "cs:cs:LG", "physics:astro-ph"; NULL: every set */
    char *prefix;     /* "arXivRaw" (default) or "arXiv" */
    char *from;       /* "YYYY-MM-DD": harvest from this day instead of the saved state */
    int initial_days; /* first harvest without from: this many days back (default 3) */
    /* api */
    char *query;    /* search_query, e.g. "cat:cs.LG AND ti:diffusion" */
    long max;       /* results at most (default 100, at most HARVEST_API_MAX) */
    long page_size; /* per request (default 100, at most HARVEST_API_PAGE_MAX) */
    char *sort;     /* sortBy: "submittedDate" (default), "lastUpdatedDate", "relevance" */
    /* rss */
    char *category; /* "cs.LG", or several joined with '+': "cs.LG+stat.ML" */
    /* hf */
    char *date;        /* "YYYY-MM-DD": that day only; NULL: catch up to today */
    int catch_up_days; /* scheduled hf runs fetch the missed days, at most this many (7) */
    /* schedule (configured jobs) */
    int64_t at_s;    /* first run of a day, seconds after 00:00 UTC (default 02:00) */
    int64_t every_s; /* then every this many seconds (default one day) */
    int64_t retry_s; /* after a failed run, try again after this, doubling (15 min) */
};
void harvest_job_init(struct harvest_job *j, enum harvest_source source);
void harvest_job_clear(struct harvest_job *j);
/* "oai", "api", "rss", "hf". */
const char *harvest_source_name(enum harvest_source s);

/* What one run did. */
struct harvest_stats {
    long pages;   /* responses read */
    long records; /* records parsed (accepted + rejected) */
    long n_new, n_updated, n_unchanged, n_deleted, n_rejected;
    long long bytes;
};

/* Progress of a run, for a terminal. */
struct harvest_progress {
    const char *what; /* "oai cs", "rss cs.LG" */
    long pages, records;
    long long list_size; /* OAI completeListSize, -1 unknown */
    long long cursor;    /* position in that list of the last record read, -1 unknown */
    double elapsed_s;
};

/* Callbacks a run makes on the calling thread; each may be NULL. */
struct harvest_hooks {
    void *ctx;
    /* Something the operator should know ("retrying...", "rejected record 3 of ...",
     * "resumption token expired: starting again from 2026-01-05"). One line, no newline. */
    void (*log)(void *ctx, const char *msg);
    /* After every response, and during one now and then. */
    void (*progress)(void *ctx, const struct harvest_progress *p);
    /* Papers were committed to the store (a server refreshes its search index). */
    void (*committed)(void *ctx);
};

struct harvester;

/* A harvester for configuration c ([fetch] and every [harvest NAME] section, validated here:
 * unknown keys, bad values and missing ones are errors naming file and line). c may be NULL
 * (built-in defaults) and must outlive the harvester. Returns 0 or PB_EINVAL with the message
 * in err. The harvester owns a struct fetch: use it from one thread at a time (the pacer
 * behind it is shared by the whole process, so two harvesters on two threads still take
 * turns per host). */
PB_MUST_CHECK int harvester_new(const struct config *c, struct harvester **out, char *err,
                                size_t errlen);
void harvester_free(struct harvester *h);
void harvester_set_hooks(struct harvester *h, const struct harvest_hooks *hooks);
/* Tests: use clock and pacer (NULL: the real ones) from now on. */
void harvester_set_clock(struct harvester *h, const struct fetch_clock *clock,
                         struct fetch_pacer *pacer);
/* Replace the default base URL of source (what [fetch] oai-url... or the built-in one said);
 * url is copied. Jobs with their own base-url keep it. */
void harvester_set_base_url(struct harvester *h, enum harvest_source source, const char *url);
/* The options its requests use (read [fetch]); a command line may change them before a run. */
struct fetch_opts *harvester_fetch_opts(struct harvester *h);
/* Ask a run in progress on another thread to stop: it does after the response it is reading
 * (state saved, so the next run resumes there) and returns PB_ESTOP. Thread-safe; the flag
 * stays set until harvester_cancel(h, 0). */
void harvester_cancel(struct harvester *h, int is_cancelled);

/* The configured jobs, in file order (owned by h). */
int harvester_jobs(const struct harvester *h, const struct harvest_job **jobs);

/* Run one job now: now_s (seconds since the epoch) is "today" for dates and the time written
 * in the state. s is the caller's connection, used from this thread only. Papers are
 * committed after every response together with the job's state. Returns 0, or PB_EIO (the
 * network, after retries), PB_EPARSE (a malformed response, after retries), PB_EFORMAT (the
 * server's own error: an OAI-PMH or API error response, an unexpected HTTP status),
 * PB_ETOOBIG, PB_EDB, PB_ESTOP (cancelled); err says what and where. What was committed
 * before a failure stays; an OAI harvest resumes from its saved token next time. */
PB_MUST_CHECK int harvest_run(struct harvester *h, struct store *s, const struct harvest_job *job,
                              int64_t now_s, struct harvest_stats *st, char *err, size_t errlen);

/* --- for the scheduler of `paperboy serve` --- */

/* Run, one after another, every configured job that is due at now_s: one whose last success
 * is older than its latest scheduled time (at + k * every, UTC) at or before now_s. After
 * downtime each job thus runs once and catches up (OAI from its saved date, HF day by day up
 * to catch-up days); a job whose last run failed waits retry, doubling with each failure,
 * unless a new scheduled time has come. Adds each job's counts into *st (may be NULL) and
 * reports failures through the log hook. Returns 0 when every due job succeeded (or none was
 * due), else the first failure's code (err holds its message); the other jobs still ran.
 * Same threading as harvest_run: call it from one thread (the scheduler's), with that
 * thread's store connection; afterwards update the search index if st->n_new + n_updated +
 * n_deleted > 0 (or on the committed hook). */
PB_MUST_CHECK int harvest_run_due(struct harvester *h, struct store *s, int64_t now_s,
                                  struct harvest_stats *st, char *err, size_t errlen);
/* When harvest_run_due next has something to do: a time >= now_s (now_s itself when a job is
 * due now), or INT64_MAX when no job is configured. Reads state only. */
PB_MUST_CHECK int harvest_next_due(struct harvester *h, struct store *s, int64_t now_s,
                                   int64_t *when_s);

/* --- for submissions of unknown papers (the site's /submit) --- */

enum harvest_id_status {
    HARVEST_ID_FOUND = 1, /* arXiv knows it; it is now in the store */
    HARVEST_ID_UNKNOWN,   /* arXiv answered without it (no such paper) */
    HARVEST_ID_INVALID,   /* not an arXiv id in any form: never sent */
};
/* Look up n_ids arXiv ids (any form paper_parse_arxiv_id reads) through the API, at most
 * HARVEST_IDS_PER_REQUEST per request, and merge what comes back into the store.
 * status[i] (caller's array of n_ids, may be NULL) says what became of ids[i] when the call
 * returns 0; after an error, ids of requests that completed are FOUND/UNKNOWN and the rest 0.
 * Blocking: at least 3 s per request after the first to arXiv (the pacer), more on retries;
 * call it from a thread that may wait (the scheduler's, or a worker), never while holding a
 * lock others need. Threading as for harvest_run. Returns 0, or the codes of harvest_run
 * (PB_EFORMAT with the API's own message, e.g. "incorrect id format for ..."). */
PB_MUST_CHECK int harvest_lookup_ids(struct harvester *h, struct store *s, const char *const *ids,
                                     int n_ids, enum harvest_id_status *status,
                                     struct harvest_stats *st, char *err, size_t errlen);

#endif
