/* Importers: bytes in, struct paper out. Parsers are push parsers: the caller feeds chunks of
 * any size as they arrive (from a file, a pipe, an HTTP body), the parser calls the sink for every
 * complete record and keeps only the record in progress, so memory is constant in input size.
 * Parsers do no I/O; ingest_file() in import.c reads files, stdin and gzip for them.
 * Each format's grammar is documented at the top of its parse_*.c file. */
#ifndef PB_INGEST_INGEST_H
#define PB_INGEST_INGEST_H
#include <stddef.h>

#include "../util/err.h"
#include "paper.h"

enum ingest_format {
    INGEST_AUTO = 0,
    INGEST_OAI,     /* OAI-PMH responses: arXiv, arXivRaw, oai_dc metadata; errors */
    INGEST_ATOM,    /* arXiv API Atom feeds and arXiv Atom listing feeds */
    INGEST_RSS,     /* arXiv RSS 2.0 listing feeds */
    INGEST_HF,      /* Hugging Face /api/daily_papers JSON array */
    INGEST_KAGGLE,  /* arxiv-metadata-oai-snapshot JSON Lines */
    INGEST_DAILY,   /* daily listing JSON Lines (shared/data/arxiv/daily-*) */
    INGEST_ABS,     /* legacy .abs records and listing files / "new" mailings */
    INGEST_BEIR,    /* BEIR corpus JSON Lines {_id,title,text} */
    INGEST_N_FORMATS
};

/* Name used by --format ("oai", "atom", ...), and back. */
const char *ingest_format_name(enum ingest_format f);
/* Returns INGEST_AUTO if name is unknown. */
enum ingest_format ingest_format_from_name(const char *name);

/* A problem with one record (the record is skipped) or with the whole input. */
struct ingest_error {
    const char *source;  /* input name as given by the caller ("feed.xml", "-") */
    long record_no;      /* 1-based record number, 0 if not about one record */
    long line_no;        /* 1-based line, 0 if unknown */
    char msg[256];       /* plain words: "missing <id>", "title longer than 262144 bytes" */
};

/* Feed-level facts some formats carry; the harvester uses them. Keys:
 * "resumptionToken", "completeListSize", "cursor", "responseDate" (OAI-PMH), "oai-error" (value
 * "code: text"),
 * "totalResults", "startIndex", "itemsPerPage" (Atom API), "api-error" (Atom error entry text). */
typedef int (*ingest_meta_fn)(void *ctx, const char *key, const char *value);

struct ingest_sink {
    void *ctx;
    /* A complete, validated record. The paper and its strings belong to the parser and are only
     * valid during the call (or taken with ingest_paper_take). Return 0 to go on, non-zero (e.g. PB_ESTOP) to stop parsing; the
     * parser then returns that code from feed/finish. */
    int (*paper)(void *ctx, const struct paper *p);
    /* A record that was skipped. Same return convention. */
    int (*reject)(void *ctx, const struct ingest_error *e);
    /* Optional (may be NULL). */
    ingest_meta_fn meta;
};

/* Only from inside a sink's paper callback, on the paper it was given: move the record's fields
 * and their memory into dst (paper_clear'ed first), leaving the parser's record empty. Parsers
 * clear the record after the callback and read nothing from it before that (parser_impl.h), so
 * this is safe. For a sink that keeps records past the call (import's queue to its writer
 * thread) it saves a deep copy per record. */
void ingest_paper_take(const struct paper *p, struct paper *dst);

struct ingest_opts {
    const char *source;       /* name for messages and provenance */
    const char *listing_day;  /* "YYYY-MM-DD" to attach to every record that has none, or NULL */
};

struct parser;

/* Create a parser for format f (not INGEST_AUTO). The sink is copied; opts strings are copied.
 * Never fails (aborts on OOM). */
struct parser *parser_new(enum ingest_format f, const struct ingest_sink *sink,
                          const struct ingest_opts *opts);
/* Feed the next n bytes. Returns 0, a sink's stop code, or PB_EPARSE/PB_ETOOBIG/PB_EFORMAT when
 * the input as a whole cannot be read on (details in parser_error()). After an error, further
 * calls return the same error. */
PB_MUST_CHECK int parser_feed(struct parser *p, const char *data, size_t n);
/* End of input: flushes the last record; reports a truncated document as PB_EPARSE. */
PB_MUST_CHECK int parser_finish(struct parser *p);
/* The error that stopped the parser, or NULL. Owned by the parser. */
const struct ingest_error *parser_error(const struct parser *p);
/* Records seen so far (accepted + rejected). */
long parser_records(const struct parser *p);
void parser_free(struct parser *p);

/* Guess the format from the first bytes of (decompressed) input and, for the daily listing
 * JSON Lines vs other JSON Lines, from the keys of the first object. The name is used only to
 * break ties (".abs"). Returns INGEST_AUTO if nothing fits. */
enum ingest_format ingest_detect(const char *head, size_t n, const char *name);

/* The listing day encoded in a daily listing file name ("…/2025-07-06.jsonl.gz",
 * "2026-04-27_fetched.jsonl") into out (>= 11 bytes). Returns 0 or PB_EINVAL. */
PB_MUST_CHECK int ingest_day_from_name(const char *path, char *out);

/* Read a whole file ("-" for stdin), gunzip if it starts with the gzip magic, detect the format
 * unless f is given, and feed it through a parser into sink. opts->listing_day defaults to the
 * day in the file name. Progress: if progress is non-NULL it is called now and then with bytes
 * read so far and the total (0 if unknown). Returns 0 or an error (described in *err). */
typedef void (*ingest_progress_fn)(void *ctx, long long done, long long total, long records);
/* on_format, if non-NULL, is called once with the format in use before the first record; it
 * and progress both receive progress_ctx. */
typedef void (*ingest_format_fn)(void *ctx, enum ingest_format f);
PB_MUST_CHECK int ingest_file(const char *path, enum ingest_format f, const struct ingest_sink *sink,
                              ingest_format_fn on_format, ingest_progress_fn progress,
                              void *progress_ctx, struct ingest_error *err);

#endif
