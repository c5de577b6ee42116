/* struct paper: one paper record as an importer saw it, before it is merged into the store.
 * Every string is NUL-terminated, normalised (util/text.h) and owned by the struct; NULL means
 * "this source did not say". Parsers fill one struct, hand it to the sink, then paper_clear() it,
 * so memory stays constant however long the input. */
#ifndef PB_INGEST_PAPER_H
#define PB_INGEST_PAPER_H
#include <stddef.h>

#include "../util/err.h"

/* Caps on what one record may hold; a record past them is rejected with a clear message. */
#define PAPER_MAX_FIELD (256 * 1024)  /* bytes in any one text field (an abstract) */
#define PAPER_MAX_LIST 5000           /* authors or categories or keywords in one record */
#define PAPER_MAX_ID 128

struct strlist {
    char **v;
    size_t n;
    size_t cap;
};

void strlist_push(struct strlist *l, const char *s);      /* copies s */
void strlist_push_take(struct strlist *l, char *s);       /* takes ownership of s */
void strlist_clear(struct strlist *l);
int strlist_contains(const struct strlist *l, const char *s);

struct paper {
    /* Stable id: arXiv ids without version ("2503.11731", "hep-th/9901001"); ids of other
     * sources carry a namespace prefix ("beir:4983"). */
    char *id;
    int version;              /* latest version number this record knows, 0 = not said */
    char *title;
    char *abstract;
    struct strlist authors;   /* in order */
    struct strlist categories;/* primary first */
    char *comment;
    char *journal_ref;
    char *doi;
    char *license;
    char *report_no;
    char *submitted;          /* date of v1: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" */
    char *updated;            /* date of the latest version, same forms */
    char *listing_day;        /* "YYYY-MM-DD": the day a listing/feed announced it */
    int is_deleted;           /* OAI-PMH status="deleted" */
    /* Community data (Hugging Face daily papers). upvotes < 0 means not said. */
    long upvotes;
    char *github_repo;
    struct strlist keywords;  /* ai_keywords */
    char *featured_day;       /* "YYYY-MM-DD" the paper was featured (submittedOnDailyAt) */
    /* Where the record was in its input, for provenance and messages. */
    long record_no;           /* 1-based record number within the input */
    long line_no;             /* 1-based line of the record's start, 0 if unknown */
};

void paper_init(struct paper *p);
/* Free all fields and reset to the state after paper_init(). */
void paper_clear(struct paper *p);
/* Deep copy of src into dst (dst is paper_clear'ed first). */
void paper_copy(struct paper *dst, const struct paper *src);
/* Hand src's fields and their memory over to dst (dst is paper_clear'ed first); src is left as
 * after paper_init(). Allocates nothing. */
void paper_move(struct paper *dst, struct paper *src);
/* Set a string field: normalised copy of s[0..n) replaces *field. */
void paper_set(char **field, const char *s, size_t n);
/* Set a field to a normalised copy of a C string. */
void paper_set_str(char **field, const char *s);

/* Parse any arXiv id form into its canonical id and version:
 * "2503.11731", "2503.11731v2", "arXiv:2503.11731v2", "https://arxiv.org/abs/2503.11731v2",
 * "http://arxiv.org/pdf/hep-th/9901001v1", "oai:arXiv.org:0704.0001", "hep-th/9901001",
 * "math.GT/0309136" (subject class dropped). Writes the id into out (>= PAPER_MAX_ID bytes) and
 * the version (0 if none) into *version. Returns 0 or PB_EINVAL if s is not an arXiv id. */
PB_MUST_CHECK int paper_parse_arxiv_id(const char *s, char *out, int *version);

/* Split an arXiv author string ("A. Smith, B. Jones (MIT), and C. Wu") into names, appended
 * to out in order. Separators: commas, " and ", ";" outside parentheses; parenthesised
 * affiliations are dropped; each name is normalised. */
void paper_split_authors(const char *s, struct strlist *out);
/* Split a space-separated category list ("hep-ph astro-ph.CO") into out, skipping repeats. */
void paper_split_categories(const char *s, struct strlist *out);

/* Whether s[0..n) can be a paper's canonical id: an arXiv id has a digit, any other source's
 * id a namespace ("beir:4983"). paper_validate refuses an id that cannot, so a lookup by id
 * (the search index's, store_id_lookup) can skip ordinary words without a query. */
int paper_id_plausible(const char *s, size_t n);

/* Check a record is storable: has an id (valid for its namespace) and, unless deleted, a title.
 * On failure returns PB_EINVAL and a static reason in *why. */
PB_MUST_CHECK int paper_validate(const struct paper *p, const char **why);

#endif
