/* Internal contract between parser.c (the dispatcher) and each parse_*.c format. Not for use
 * outside src/ingest. A format provides a vtable; common record handling lives in parser.c. */
#ifndef PB_INGEST_PARSER_IMPL_H
#define PB_INGEST_PARSER_IMPL_H
#include "ingest.h"

struct parser;

struct format_ops {
    const char *name;
    /* Allocate format state; called once from parser_new. */
    void *(*create)(struct parser *p);
    /* Consume bytes; return 0 or an error (use parser_fail for whole-input errors). */
    int (*feed)(void *state, const char *data, size_t n);
    /* End of input. */
    int (*finish)(void *state);
    void (*destroy)(void *state);
};

extern const struct format_ops parse_oai_ops, parse_atom_ops, parse_rss_ops, parse_hf_ops,
    parse_kaggle_ops, parse_daily_ops, parse_abs_ops, parse_beir_ops;

/* Called by formats. parser_emit validates the record (paper_validate), applies the listing day
 * from opts if the record has none, counts it, and passes it to the sink or rejects it. It does
 * NOT clear the paper: the caller does, and reads nothing from it before that (the sink may
 * have moved its fields out with ingest_paper_take). Returns the sink's code (non-zero means stop). */
int parser_emit(struct parser *p, struct paper *rec);
/* Reject record rec_no (starting at line) with a printf-style reason; counts it. */
int parser_reject(struct parser *p, long rec_no, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Record a fatal, whole-input error (truncated document, not this format...). Returns code. */
int parser_fail(struct parser *p, int code, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Report a feed-level fact to the sink's meta callback (if any). */
int parser_meta(struct parser *p, const char *key, const char *value);
/* Next record number (1-based) to give a record that starts now. */
long parser_next_record_no(struct parser *p);
const struct ingest_opts *parser_opts(const struct parser *p);

#endif
