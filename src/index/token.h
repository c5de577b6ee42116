/* Tokeniser: UTF-8 text -> index terms. Unicode normalisation and case folding (utf8proc),
 * Snowball English stemming (libstemmer), stop words, and the terms of this field kept whole
 * (GPT-4, k-means, 3D, O(n log n), arXiv ids, LaTeX commands without their markup).
 * The same code tokenises documents and queries, so both sides always agree.
 * The rules and their test cases are documented in docs/INDEX_FORMAT.md ("Tokeniser"). */
#ifndef PB_INDEX_TOKEN_H
#define PB_INDEX_TOKEN_H

#include <stddef.h>
#include <stdint.h>

/* Bump when any rule changes which terms come out of a text: an index records the version it
 * was built with, and one built by another version is rebuilt from the store. */
#define TOKEN_VERSION 3

#define TOKEN_MAX 64 /* bytes of one term; longer words are cut at a character boundary */

enum token_mode {
    TOKEN_TEXT,  /* prose (title, abstract, comment): fold, strip LaTeX, stem, stop words */
    TOKEN_NAMES, /* author names: fold and strip accents, split on punctuation, no stemming */
    TOKEN_CODES, /* categories and ids: lower-case, split on white space only */
};

enum {
    TOKEN_STOP = 1,     /* a stop word: the indexer skips it, phrases keep its position */
    TOKEN_COMPOUND = 2, /* the whole of a joined word (gpt-4) at the position of its first part;
                           its parts follow as ordinary tokens */
};

struct token {
    const char *term; /* folded (and in TEXT mode stemmed) term, NUL-terminated, valid until
                         the callback returns */
    size_t len;
    uint32_t pos;       /* word position; stop words take positions too */
    uint32_t start_off; /* byte range of the source word in the input, for snippets */
    uint32_t end_off;
    unsigned flags; /* TOKEN_STOP, TOKEN_COMPOUND */
};

/* Return non-zero to stop tokenising. */
typedef int (*token_fn)(void *ctx, const struct token *tok);

struct tokenizer;

/* One tokeniser per thread (the Snowball stemmer is not thread-safe). Never fails (OOM aborts). */
struct tokenizer *tokenizer_new(void);
void tokenizer_free(struct tokenizer *t);

/* Tokenises text[0..len) (any bytes; invalid UTF-8 is treated as separators) and calls fn for
 * each token in order. Positions start at pos0. Returns the position after the last token, so
 * a caller can tokenise several values of one field with a gap between them. */
uint32_t tokenizer_run(struct tokenizer *t, enum token_mode mode, const char *text, size_t len,
                       uint32_t pos0, token_fn fn, void *ctx);

/* Is the folded, unstemmed word a stop word? */
int token_is_stop(const char *word, size_t len);

#endif
