/* index/query: the query language. Most cases are data: tests/cases/query.tsv (read from
 * $PB_ROOT), one "input<TAB>expected" per line, where expected is query_to_string's S-expression
 * or "error:<substring of the message>". The input column understands \t \n \r \\ and \xHH; the
 * expected column is taken as is. A line "mode plain" or "mode normal" switches the flags for
 * the lines after it; "#" starts a comment. Limits, which need long inputs, are built here. */
#include <stdlib.h>

#include "../../src/index/query.h"
#include "../../src/util/alloc.h"
#include "../../src/util/buf.h"
#include "../../src/util/text.h"
#include "../harness.h"

/* Parses s[0..n) and returns the S-expression, or "error:" and the message (caller frees).
 * Every successful parse must pass query_check. */
static char *explain(const char *s, size_t n, unsigned flags, int *rc_out)
{
    struct query *q = NULL;
    char err[256];
    int rc = query_parse(s, n, flags, &q, err, sizeof err);
    if (rc_out)
        *rc_out = rc;
    if (rc) {
        if (q || !err[0] || !text_is_utf8(err, strlen(err)))
            return xasprintf("bad error report for rc %d: '%s'", rc, err);
        return xasprintf("error:%s", err);
    }
    const char *why;
    if (!q || query_check(q, flags, &why)) {
        query_free(q);
        return xasprintf("invariant broken: %s", q ? why : "no query");
    }
    char *out = query_to_string(q);
    query_free(q);
    return out;
}

/* Undoes the input column's escapes in place; returns the length. */
static size_t unescape(char *s)
{
    size_t o = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] != '\\' || !s[i + 1]) {
            s[o++] = s[i];
            continue;
        }
        char c = s[++i];
        if (c == 't') {
            s[o++] = '\t';
        } else if (c == 'n') {
            s[o++] = '\n';
        } else if (c == 'r') {
            s[o++] = '\r';
        } else if (c == 'x' && s[i + 1] && s[i + 2]) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            s[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            s[o++] = c;
        }
    }
    s[o] = 0;
    return o;
}

static void cases_file(void)
{
    const char *root = getenv("PB_ROOT");
    char *path = xasprintf("%s/tests/cases/query.tsv", root ? root : ".");
    FILE *f = fopen(path, "r");
    xfree(path);
    CHECK(f != NULL);
    char line[8192];
    unsigned flags = 0;
    int line_no = 0, n_cases = 0, n_bad = 0;
    while (fgets(line, sizeof line, f)) {
        line_no++;
        line[strcspn(line, "\n")] = 0;
        char *tab = strchr(line, '\t');
        if (!tab) {
            if (!strcmp(line, "mode plain"))
                flags = QUERY_PLAIN;
            else if (!strcmp(line, "mode normal"))
                flags = 0;
            else if (line[0] && line[0] != '#')
                printf("FAIL query.tsv:%d: not a case, a mode or a comment\n", line_no), n_bad++;
            continue;
        }
        *tab = 0;
        const char *want = tab + 1;
        size_t n = unescape(line);
        int rc;
        char *got = explain(line, n, flags, &rc);
        int ok;
        if (!strncmp(want, "error:", 6))
            ok = rc && !strncmp(got, "error:", 6) && strstr(got + 6, want + 6);
        else
            ok = !rc && !strcmp(got, want);
        if (ok)
            printf("pass query.tsv:%d\n", line_no);
        else
            printf("FAIL query.tsv:%d: got '%s', want '%s'\n", line_no, got, want), n_bad++;
        xfree(got);
        n_cases++;
    }
    fclose(f);
    CHECK(n_cases >= 60);
    CHECK_INT(n_bad, 0);
}

static void too_many_bytes(void)
{
    char *s = xmalloc(10240);
    for (size_t i = 0; i < 10240; i++)
        s[i] = i % 8 == 7 ? ' ' : 'a' + (char)(i % 7);
    int rc;
    char *got = explain(s, 10240, 0, &rc);
    CHECK_INT(rc, PB_ETOOBIG);
    CHECK_STR(got, "error:query is 10240 bytes, the limit is 4096");
    xfree(got);
    /* A query of exactly QUERY_MAX_BYTES is accepted. */
    memset(s, ' ', QUERY_MAX_BYTES);
    memcpy(s + QUERY_MAX_BYTES - 5, "word", 4);
    got = explain(s, QUERY_MAX_BYTES, 0, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(got, "(word word)");
    xfree(got);
    xfree(s);
}

/* "w0 w1 ... w(n-1)" */
static char *words(int n, const char *sep)
{
    struct buf b = BUF_INIT(1 << 20);
    int rc = 0;
    for (int i = 0; i < n; i++)
        rc |= buf_printf(&b, "%sw%d", i ? sep : "", i);
    if (rc)
        abort();
    return buf_take(&b);
}

static void too_many_nodes(void)
{
    int rc;
    /* 255 words and their AND are the limit exactly. */
    char *s = words(QUERY_MAX_NODES - 1, " ");
    char *got = explain(s, strlen(s), 0, &rc);
    CHECK_INT(rc, 0);
    CHECK(!strncmp(got, "(and (word w0) (word w1) ", 25));
    xfree(got);
    xfree(s);
    s = words(QUERY_MAX_NODES, " ");
    got = explain(s, strlen(s), 0, &rc);
    CHECK_INT(rc, PB_ETOOBIG);
    CHECK_STR(got, "error:query has 257 words and operators, the limit is 256");
    xfree(got);
    xfree(s);
    /* Operators count too: 100 ORed pairs of words are 100 + 200 + 1 nodes. */
    s = words(300, " OR ");
    got = explain(s, strlen(s), 0, &rc);
    CHECK_INT(rc, PB_ETOOBIG);
    xfree(got);
    xfree(s);
}

static void plain_mode_keeps_the_first_words(void)
{
    int rc;
    char *s = words(1000, " ");
    struct query *q;
    CHECK_INT(query_parse(s, strlen(s), QUERY_PLAIN, &q, NULL, 0), 0);
    CHECK(q->root && q->root->kind == QN_OR);
    CHECK_INT(q->root->n_kids, QUERY_MAX_NODES - 1);
    CHECK_STR(q->root->kids[0]->text, "w0");
    CHECK_STR(q->root->kids[QUERY_MAX_NODES - 2]->text, "w254");
    query_free(q);
    xfree(s);
    /* Past QUERY_MAX_BYTES the rest is dropped, and a word the limit cuts is dropped whole. */
    s = xmalloc(3 * QUERY_MAX_BYTES);
    memset(s, ' ', 3 * QUERY_MAX_BYTES);
    memcpy(s, "first", 5);
    memcpy(s + QUERY_MAX_BYTES - 3, "cut", 3);
    memcpy(s + QUERY_MAX_BYTES - 10, "kept", 4);
    memcpy(s + 2 * QUERY_MAX_BYTES, "gone", 4);
    char *got = explain(s, 3 * QUERY_MAX_BYTES, QUERY_PLAIN, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(got, "(or (word first) (word kept) (word cut))");
    xfree(got);
    memcpy(s + QUERY_MAX_BYTES, "x", 1); /* now "cutx" crosses the limit */
    got = explain(s, 3 * QUERY_MAX_BYTES, QUERY_PLAIN, &rc);
    CHECK_STR(got, "(or (word first) (word kept))");
    xfree(got);
    xfree(s);
}

static int tree_depth(const struct qnode *n)
{
    int d = 0;
    for (size_t i = 0; i < n->n_kids; i++) {
        int k = tree_depth(n->kids[i]);
        d = k > d ? k : d;
    }
    return d + 1;
}

/* The deepest trees the grammar can build stay within QUERY_MAX_TREE_DEPTH, and reach it (so
 * the bound in query.h is the true one). */
static void deepest_trees_respect_the_depth_bound(void)
{
    int deepest = 0;
    /* Each opens one parenthesis. */
    static const char *const open[] = {"x -(",      "x (a OR ",     "x -(a OR ",
                                       "a OR -(b ", "ti:(x OR -y ", "x (-a OR "};
    for (size_t p = 0; p < sizeof open / sizeof open[0]; p++) {
        struct buf b = BUF_INIT(1 << 16);
        int rc = 0;
        for (int i = 0; i < QUERY_MAX_DEPTH; i++)
            rc |= buf_puts(&b, open[p]);
        rc |= buf_puts(&b, "deep -leaf OR z");
        for (int i = 0; i < QUERY_MAX_DEPTH; i++)
            rc |= buf_puts(&b, ")");
        CHECK_INT(rc, 0);
        char *got = explain(b.data, b.len, 0, &rc);
        if (rc || !strncmp(got, "invariant", 9))
            printf("  pattern '%s': %s\n", open[p], got);
        CHECK_INT(rc, 0);
        CHECK(got[0] == '(');
        xfree(got);
        struct query *q;
        CHECK_INT(query_parse(b.data, b.len, 0, &q, NULL, 0), 0);
        int d = tree_depth(q->root);
        deepest = d > deepest ? d : deepest;
        query_free(q);
        /* One level more is refused. */
        struct buf b2 = BUF_INIT(1 << 16);
        rc = buf_puts(&b2, open[p]);
        rc |= buf_append(&b2, b.data, b.len);
        CHECK_INT(rc, 0);
        got = explain(b2.data, b2.len, 0, &rc);
        CHECK_INT(rc, PB_ETOOBIG);
        CHECK(strstr(got, "nested more than 16 deep"));
        xfree(got);
        buf_release(&b2);
        buf_release(&b);
    }
    CHECK_INT(deepest, QUERY_MAX_TREE_DEPTH);
}

static void errors_fit_small_buffers(void)
{
    struct query *q = (struct query *)1;
    char err[12];
    /* The message is cut inside the quoted 'é' value: no half character may remain. */
    const char *s = "x year:\xc3\xa9\xc3\xa9\xc3\xa9";
    CHECK_INT(query_parse(s, strlen(s), 0, &q, err, sizeof err), PB_EINVAL);
    CHECK(q == NULL);
    CHECK(strlen(err) < sizeof err);
    CHECK(text_is_utf8(err, strlen(err)));
    for (size_t n = 1; n < 40; n++) {
        char e[40];
        CHECK_INT(query_parse(s, strlen(s), 0, &q, e, n), PB_EINVAL);
        CHECK(strlen(e) < n && text_is_utf8(e, strlen(e)));
    }
    CHECK_INT(query_parse(s, strlen(s), 0, &q, NULL, 0), PB_EINVAL);
    /* Success clears the message. */
    CHECK_INT(query_parse("ok", 2, 0, &q, err, sizeof err), 0);
    CHECK_STR(err, "");
    query_free(q);
}

static void null_and_empty(void)
{
    struct query *q;
    CHECK_INT(query_parse(NULL, 0, 0, &q, NULL, 0), 0);
    CHECK(q->root == NULL && !q->after[0] && !q->before[0] && !q->jump_id[0]);
    char *s = query_to_string(q);
    CHECK_STR(s, "");
    xfree(s);
    query_free(q);
    query_free(NULL);
    s = query_to_string(NULL);
    CHECK_STR(s, "");
    xfree(s);
    /* NUL bytes are separators, not terminators. */
    CHECK_INT(query_parse("a\0b", 3, 0, &q, NULL, 0), 0);
    s = query_to_string(q);
    CHECK_STR(s, "(and (word a) (word b))");
    xfree(s);
    query_free(q);
}

static void jump_sets_id_and_root(void)
{
    struct query *q;
    const char *s = " https://arxiv.org/abs/2503.11731v3?context=cs \n";
    CHECK_INT(query_parse(s, strlen(s), 0, &q, NULL, 0), 0);
    CHECK_STR(q->jump_id, "2503.11731");
    CHECK(q->root && q->root->kind == QN_WORD && q->root->fields == QF_ID);
    CHECK_STR(q->root->text, "2503.11731");
    query_free(q);
}

static void fields_set_bits(void)
{
    static const struct {
        const char *q;
        unsigned fields;
    } cases[] = {{"ti:x", QF_TITLE},
                 {"title:x", QF_TITLE},
                 {"au:x", QF_AUTHORS},
                 {"author:x", QF_AUTHORS},
                 {"abs:x", QF_ABSTRACT},
                 {"abstract:x", QF_ABSTRACT},
                 {"cat:x", QF_CATEGORIES},
                 {"category:x", QF_CATEGORIES},
                 {"id:x", QF_ID},
                 {"co:x", QF_COMMENT},
                 {"comment:x", QF_COMMENT},
                 {"ti:au:x", QF_TITLE | QF_AUTHORS},
                 {"x", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct query *q;
        CHECK_INT(query_parse(cases[i].q, strlen(cases[i].q), 0, &q, NULL, 0), 0);
        CHECK(q->root && q->root->kind == QN_WORD);
        CHECK_INT(q->root->fields, cases[i].fields);
        query_free(q);
    }
}

/* query_check itself: each broken tree must be caught, or the fuzzer proves nothing. */
static void check_catches_broken_trees(void)
{
    struct query *q;
    const char *why;
    CHECK_INT(query_parse("a -b c", 6, 0, &q, NULL, 0), 0);
    CHECK_INT(query_check(q, 0, &why), 0);
    CHECK_INT(query_check(q, QUERY_PLAIN, &why), PB_EINVAL); /* an AND in plain mode */
    struct qnode *root = q->root, *not_b = root->kids[1];
    q->root = not_b;
    CHECK_INT(query_check(q, 0, &why), PB_EINVAL);
    CHECK_STR(why, "a NOT outside an AND");
    q->root = root;
    root->kids[0]->kind = QN_NOT; /* swap a word for the NOT, keeping the tree owned */
    CHECK_INT(query_check(q, 0, &why), PB_EINVAL);
    root->kids[0]->kind = QN_WORD;
    root->kids[2]->text[0] = '\x01';
    CHECK_INT(query_check(q, 0, &why), PB_EINVAL);
    CHECK_STR(why, "leaf text is not clean UTF-8");
    root->kids[2]->text[0] = 0;
    CHECK_INT(query_check(q, 0, &why), PB_EINVAL);
    CHECK_STR(why, "a leaf has no text");
    root->kids[2]->text[0] = 'c';
    root->n_kids = 1;
    CHECK_INT(query_check(q, 0, &why), PB_EINVAL);
    CHECK_STR(why, "an AND or OR has fewer than two kids");
    root->n_kids = 3;
    memcpy(q->after, "2025-02-30", 11);
    CHECK_INT(query_check(q, 0, &why), PB_EINVAL);
    memcpy(q->after, "2025-02-01", 11);
    memcpy(q->before, "2025-01-01", 11);
    CHECK_INT(query_check(q, 0, &why), PB_EINVAL);
    CHECK_STR(why, "after is later than before");
    q->before[0] = 0;
    CHECK_INT(query_check(q, 0, &why), 0);
    memcpy(q->jump_id, "2503.11731", 11);
    CHECK_INT(query_check(q, 0, &why), PB_EINVAL);
    CHECK_STR(why, "a jump without its id word");
    query_free(q);
}

static void help_is_short_lines(void)
{
    size_t n = strlen(query_help);
    CHECK(n > 200 && query_help[n - 1] == '\n');
    for (const char *p = query_help; *p;) {
        const char *e = strchr(p, '\n');
        CHECK(e && e - p <= 79);
        p = e + 1;
    }
    CHECK(strstr(query_help, "after:"));
    CHECK(strstr(query_help, "au:"));
}

TEST_MAIN(T(cases_file), T(too_many_bytes), T(too_many_nodes), T(plain_mode_keeps_the_first_words),
          T(deepest_trees_respect_the_depth_bound), T(errors_fit_small_buffers), T(null_and_empty),
          T(jump_sets_id_and_root), T(fields_set_bits), T(check_catches_broken_trees),
          T(help_is_short_lines))
