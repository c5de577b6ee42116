/* ingest/jscan.c against its oracle, jansson (tests/jscan_diff.h): hand cases at every edge of
 * the grammar with the expected verdict, every line of real JSON Lines files (shared daily
 * listings, SciFact, the repo's samples and fuzz corpora) and whole JSON documents, and
 * deterministic mutations of them. Also the decoding helpers and the error messages. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "../harness.h"
#include "../jscan_diff.h"

/* --- helpers --- */

static char *root_path(const char *fmt, const char *rel)
{
    const char *root = getenv("PB_ROOT");
    char *rel_full = xasprintf(fmt, rel);
    char *p = xasprintf("%s/%s", root ? root : ".", rel_full);
    xfree(rel_full);
    return p;
}

/* Whole file, gunzipped if it is gzip; NULL if it cannot be read. */
static char *slurp(const char *path, size_t *n)
{
    gzFile g = gzopen(path, "rb");
    if (!g)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *data = xmalloc(cap);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            data = xrealloc(data, cap);
        }
        int k = gzread(g, data + len, (unsigned)(cap - len));
        if (k <= 0) {
            if (k < 0) {
                xfree(data);
                data = NULL;
            }
            break;
        }
        len += (size_t)k;
    }
    gzclose(g);
    *n = len;
    return data;
}

struct tally {
    long n_texts, n_accepted;
    char first_bad[200];
};

/* Compare one text; remember the first disagreement. */
static void check_text(struct tally *t, const char *s, size_t n, const char *where)
{
    int ok = 0;
    const char *why = jscan_diff(s, n, &ok);
    t->n_texts++;
    t->n_accepted += ok;
    if (why && !t->first_bad[0])
        snprintf(t->first_bad, sizeof t->first_bad, "%s: %s", where, why);
}

/* Every line of data[0..n), then the whole of it. */
static void check_lines(struct tally *t, const char *data, size_t n, const char *name)
{
    const char *p = data, *end = data + n;
    long line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        char where[160];
        snprintf(where, sizeof where, "%s line %ld", name, ++line);
        check_text(t, p, (size_t)(e - p), where);
        p = nl ? nl + 1 : end;
    }
    check_text(t, data, n, name);
}

static int check_file(struct tally *t, const char *path)
{
    size_t n;
    char *data = slurp(path, &n);
    if (!data)
        return 0;
    check_lines(t, data, n, path);
    xfree(data);
    return 1;
}

/* --- hand cases --- */

struct hand {
    const char *s;
    size_t n;
    int ok; /* expected verdict */
};
#define H(lit, ok) {lit, sizeof(lit) - 1, ok}

static const struct hand hand_cases[] = {
    /* plain values and white space */
    H("{}", 1), H("[]", 1), H("\"\"", 1), H("0", 1), H("-0", 1), H("true", 1), H("false", 1),
    H("null", 1), H(" \t\r\n{ \"a\" : [ 1 , 2 ] } \r\n\t ", 1), H("", 0), H("   ", 0),
    H("\f{}", 0), H("{}\f", 0), H("{}\v", 0), H("{\"a\":1}x", 0), H("{} {}", 0), H("{}\0", 0),
    H("\0{}", 0), H("[1\0]", 0), H("{\"a\":true\0}", 0), H("[null\0,1]", 0), H("\xEF\xBB\xBF{}", 0), H("\xC2\xA0{}", 0),
    /* literals */
    H("tru", 0), H("truex", 0), H("True", 0), H("nul", 0), H("NULL", 0), H("[true1]", 0),
    H("[nulll]", 0), H("NaN", 0), H("Infinity", 0), H("-Infinity", 0), H("undefined", 0),
    /* structure */
    H("{\"a\":1,}", 0), H("[1,]", 0), H("[,1]", 0), H("[1,,2]", 0), H("{,}", 0), H("{\"a\"}", 0),
    H("{\"a\":}", 0), H("{\"a\" 1}", 0), H("{a:1}", 0), H("{'a':1}", 0), H("['a']", 0),
    H("{\"a\":1 \"b\":2}", 0), H("[1 2]", 0), H("[1}", 0), H("{\"a\":1]", 0), H("[", 0),
    H("{", 0), H("]", 0), H("}", 0), H("[[]", 0), H("{\"a\":{}", 0), H("//c\n{}", 0),
    H("{} // c", 0), H("/* c */ {}", 0), H("{\"a\":1,\"a\":2}", 1), H("{\"\":0}", 1),
    H("{\"a\":[{\"b\":[{\"c\":null}]}]}", 1), H("[\"a\",{\"b\":true},[[]],-1.5e-3]", 1),
    /* numbers */
    H("01", 0), H("-01", 0), H("00", 0), H("1.", 0), H(".5", 0), H("+1", 0), H("-", 0),
    H("1e", 0), H("1e+", 0), H("1E-", 0), H("1.e5", 0), H("0x10", 0), H("1e5.3", 0),
    H("1.5e3", 1), H("1E+3", 1), H("-0.0e-0", 1), H("0.000001", 1), H("123456789", 1),
    H("9223372036854775807", 1), H("-9223372036854775808", 1), H("9223372036854775808", 0),
    H("-9223372036854775809", 0), H("18446744073709551616", 0), H("00000000000000000001", 0),
    H("[99999999999999999999]", 0), H("9223372036854775807.0", 1), H("1e308", 1),
    H("1.7976931348623157e308", 1), H("1.7976931348623158e308", 1),
    H("1.7976931348623159e308", 0), H("-1.7976931348623159e308", 0), H("1e309", 0),
    H("179769313486231580793728971405303415079934132710037826936173778980444968292764750946649"
      "017977587207096330286416692887910946555547851940402630657488671505820681908902000708383"
      "676273854845817711531764475730270069855571366959622842914819860834936475292719074168444"
      "3655762890.0",
      1),
    H("0.1e310", 0), H("0.01e310", 1), H("0.001e310", 1), H("10e307", 1), H("100e307", 0),
    H("1e-400", 1), H("-1e-99999999999999999999", 1), H("0e99999999999999999999", 1),
    H("0.0e400", 1), H("1e99999999999999999999", 0), H("123.456e-789", 1),
    /* strings: escapes */
    H("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 1), H("\"\\a\"", 0), H("\"\\x41\"", 0), H("\"\\'\"", 0),
    H("\"\\u0041\\u00e9\\u20AC\"", 1), H("\"\\u004\"", 0), H("\"\\u00G1\"", 0), H("\"\\U0041\"", 0),
    H("\"\\u\"", 0), H("\"\\", 0), H("\"abc", 0), H("\"\\\"", 0), H("\"a\\\\\"", 1),
    H("{\"a\\\\\":\"\\\\\"}", 1), H("[\"\\\\\\\"\",\"x\"]", 1),
    /* \u0000: fine in values, not in member names */
    H("\"\\u0000\"", 1), H("{\"a\":\"x\\u0000y\"}", 1), H("{\"a\\u0000\":1}", 0),
    H("{\"\\u0000\":1}", 0), H("[\"\\u0000\",{\"k\":\"\\u0000\"}]", 1),
    /* surrogates */
    H("\"\\ud83d\\ude00\"", 1), H("\"\\uD83D\\uDE00\"", 1), H("\"\\uD800\\uDC00\"", 1),
    H("\"\\uDBFF\\uDFFF\"", 1), H("\"\\ud83d\"", 0), H("\"\\ude00\"", 0), H("\"\\ude00\\ud83d\"", 0),
    H("\"\\ud83d\\u0041\"", 0), H("\"\\ud83d\\ud83d\"", 0), H("\"\\ud83dx\"", 0),
    H("\"\\ud83d\\n\"", 0), H("\"\\ud83d\\ude0\"", 0), H("\"\\ud83d\\", 0),
    H("{\"\\ud83d\\ude00\":1}", 1), H("{\"\\ud83d\":1}", 0),
    /* strings: raw bytes */
    H("\"a\tb\"", 0), H("\"a\nb\"", 0), H("\"\x01\"", 0), H("\"\x1f\"", 0), H("\"\x7f\"", 1),
    H("\"a\0b\"", 0), H("\"\xC3\xA9\"", 1), H("\"\xE2\x82\xAC\"", 1), H("\"\xF0\x9F\x98\x80\"", 1),
    H("\"\xC0\x80\"", 0), H("\"\xC1\xBF\"", 0), H("\"\xE0\x80\xAF\"", 0), H("\"\xED\xA0\x80\"", 0),
    H("\"\xED\xBF\xBF\"", 0), H("\"\xF4\x90\x80\x80\"", 0), H("\"\xF5\x80\x80\x80\"", 0),
    H("\"\xFF\"", 0), H("\"\x80\"", 0), H("\"\xC3\"", 0), H("\"\xE2\x82\"", 0),
    H("\"\xF0\x9F\x98\"", 0), H("\"\xC3\xA9", 0), H("\"\xEF\xBB\xBF\"", 1),
    H("{\"\xC3\xA9\":\"\xE2\x82\xAC\"}", 1), H("\xC3\xA9", 0),
    /* long strings cross the 16-byte blocks of the string scanner */
    H("\"0123456789abcdef0123456789abcdef\\n0123456789abcdef\xC3\xA9\"", 1),
    H("\"0123456789abcdef0123456789abcde\x01\"", 0),
    H("\"0123456789abcdef0123456789abcdef0123456789abcdef\xFF\"", 0),
};

static void hand(void)
{
    for (size_t i = 0; i < sizeof hand_cases / sizeof hand_cases[0]; i++) {
        const struct hand *h = &hand_cases[i];
        int ok = -1;
        const char *why = jscan_diff(h->s, h->n, &ok);
        if (why || ok != h->ok)
            printf("  case %zu '%.*s': %s (accepted %d, expected %d)\n", i, (int)h->n, h->s,
                   why ? why : "verdict", ok, h->ok);
        CHECK(why == NULL);
        CHECK_INT(ok, h->ok);
    }
}

/* depth containers: "[[[...]]]" holding `inner` at the bottom ("" for none). */
static char *nest(size_t depth, const char *open, const char *close, const char *inner)
{
    struct buf b = BUF_INIT((size_t)1 << 30);
    for (size_t i = 0; i < depth; i++)
        if (buf_puts(&b, open))
            abort();
    if (buf_puts(&b, inner))
        abort();
    for (size_t i = 0; i < depth; i++)
        if (buf_puts(&b, close))
            abort();
    return buf_take(&b);
}

static void depth(void)
{
    /* jansson counts values: the top one is level 1, so 2048 containers may be nested only if
     * the innermost is empty. */
    static const struct {
        size_t depth;
        const char *open, *close, *inner;
        int ok;
    } cases[] = {
        {2047, "[", "]", "1", 1},          {2048, "[", "]", "", 1},
        {2048, "[", "]", "1", 0},          {2048, "[", "]", "[]", 0},
        {2049, "[", "]", "", 0},           {2048, "{\"a\":", "}", "{}", 0},
        {2047, "{\"a\":", "}", "{}", 1},   {2047, "{\"a\":", "}", "\"s\"", 1},
        {2048, "{\"a\":", "}", "\"s\"", 0}, {1023, "[{\"k\":", "}]", "null", 1},
        {1024, "[{\"k\":", "}]", "[1]", 0}, {100000, "[", "]", "", 0},
        {5000, "[", "", "", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = nest(cases[i].depth, cases[i].open, cases[i].close, cases[i].inner);
        int ok = -1;
        const char *why = jscan_diff(s, strlen(s), &ok);
        if (why || ok != cases[i].ok)
            printf("  depth case %zu: %s (accepted %d)\n", i, why ? why : "verdict", ok);
        xfree(s);
        CHECK(why == NULL);
        CHECK_INT(ok, cases[i].ok);
    }
}

/* --- the API beyond the verdict --- */

static void values(void)
{
    const char *s = " {\"id\": \"2501.00001\", \"i\\u0064\": \"second\", \"t\": \"a\\u00e9\\ud83d\\ude00"
                    "\\n\\\"q\\\"\\u0000z\", \"n\": -42, \"r\": 1.5, \"l\": [1, \"x\", [], {}],"
                    " \"e\": {}, \"b\": false}\t";
    struct jval root, v[6];
    struct jscan_error err;
    CHECK_INT(jscan_parse(s, strlen(s), &root, &err), 0);
    CHECK_INT(root.type, JSCAN_OBJECT);
    CHECK(root.p[0] == '{' && root.p[root.n - 1] == '}');
    CHECK_INT(jscan_count(&root), 8);
    static const char *const keys[] = {"id", "t", "n", "l", "missing", "b"};
    jscan_fields(&root, keys, 6, v);
    /* "i\u0064" is "id" too, and the later one counts. */
    CHECK_INT(v[0].type, JSCAN_STRING);
    CHECK(jscan_str_eq(&v[0], "second"));
    CHECK(!jscan_str_eq(&v[0], "2501.00001"));
    struct buf b = BUF_INIT(1000);
    CHECK_INT(jscan_string(&v[1], &b), 0);
    CHECK_INT(b.len, 13);
    CHECK(!memcmp(b.data, "a\xC3\xA9\xF0\x9F\x98\x80\n\"q\"\0z", 13));
    CHECK_INT(v[1].has_escape, 1);
    long long x = 0;
    CHECK_INT(jscan_int(&v[2], &x), 0);
    CHECK_INT(x, -42);
    CHECK_INT(v[3].type, JSCAN_ARRAY);
    CHECK_INT(jscan_count(&v[3]), 4);
    CHECK_INT(v[4].type, JSCAN_NONE);
    CHECK_INT(v[5].type, JSCAN_FALSE);
    struct jval r;
    CHECK(jscan_get(&root, "r", &r));
    CHECK_INT(jscan_int(&r, &x), PB_EINVAL);
    CHECK(!jscan_get(&root, "R", &r));
    CHECK(!jscan_get(&v[3], "x", &r)); /* not an object */

    /* a string root; a capped buffer */
    const char *str = "\"abc\\tdef\"";
    CHECK_INT(jscan_parse(str, strlen(str), &root, NULL), 0);
    CHECK_INT(root.type, JSCAN_STRING);
    CHECK_INT(root.n, 8);
    struct buf small = BUF_INIT(5);
    CHECK_INT(jscan_string(&root, &small), PB_ETOOBIG);
    buf_release(&small);
    struct buf exact = BUF_INIT(7);
    CHECK_INT(jscan_string(&root, &exact), 0); /* the raw text is 8 bytes, the value 7 */
    CHECK_STR(exact.data, "abc\tdef");
    buf_release(&exact);
    CHECK_INT(jscan_string(&v[2], &b), PB_EINVAL);
    buf_release(&b);
    CHECK_STR(jscan_type_name(JSCAN_ARRAY), "a list");
    CHECK_STR(jscan_type_name(JSCAN_NONE), "nothing");
    CHECK_INT(jscan_parse(NULL, 0, &root, NULL), PB_EPARSE);
}

static void errors(void)
{
    static const struct {
        const char *s;
        size_t offset;
        const char *msg;
    } cases[] = {
        {"{\"a\":1,}", 7, "trailing comma before '}'"},
        {"[1,]", 3, "trailing comma before ']'"},
        {"{\"a\":1", 6, "the line ends inside an object (no closing '}')"},
        {"[1", 2, "the line ends inside a list (no closing ']')"},
        {"{\"a\":\"b", 7, "the line ends inside a string (no closing '\"')"},
        {"{\"a\":\"b\tc\"}", 7, "control character 0x09 in a string (must be escaped)"},
        {"{\"a\":\"\xFF\"}", 6, "invalid UTF-8 (byte 0xff) in a string"},
        {"{\"a\":\"\\q\"}", 6, "invalid escape: a backslash before 'q'"},
        {"{\"a\":\"\\ud800\"}", 6, "invalid \\u escape: \\uD800 is a high surrogate without a "
                                   "low one"},
        {"{\"a\\u0000\":1}", 3, "\\u0000 in a member name"},
        {"{\"a\":01}", 5, "invalid number: leading zero"},
        {"{\"a\":99999999999999999999}", 5, "integer out of range (more than 64 bits)"},
        {"{\"a\":1e999}", 5, "number out of range (too large for a double)"},
        {"{\"a\":tru}", 5, "invalid literal (true, false or null expected)"},
        {"{\"a\" 1}", 5, "expected ':' after a member name, found '1'"},
        {"{a:1}", 1, "expected a member name in double quotes, found 'a'"},
        {"{\"a\":1 x", 7, "expected ',' or '}' after an object member, found 'x'"},
        {"{} x", 3, "expected the end of the line after the JSON value, found 'x'"},
        {"{\"a\":\xC3\xA9}", 5, "expected a value, found byte 0xc3"},
        {"", 0, "the line ends where a value should be"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct jscan_error err;
        memset(&err, 0, sizeof err);
        CHECK_INT(jscan_parse(cases[i].s, strlen(cases[i].s), NULL, &err), PB_EPARSE);
        CHECK_STR(err.msg, cases[i].msg);
        CHECK_INT(err.offset, cases[i].offset);
    }
}

/* --- real files --- */

static void report(const struct tally *t, const char *what)
{
    printf("  %s: %ld texts, %ld accepted\n", what, t->n_texts, t->n_accepted);
    if (t->first_bad[0])
        printf("  first disagreement: %s\n", t->first_bad);
}

static void real_daily(void)
{
    /* Every 10th day of both shared daily listings: ~14,000 lines of real arXiv text. */
    static const char *const dirs[] = {"daily-cs", "daily-astro"};
    struct tally t = {0};
    long n_files = 0;
    for (size_t d = 0; d < 2; d++) {
        char *list = root_path("../shared/data/arxiv/%s", dirs[d]);
        char *cmd = xasprintf("ls '%s' 2>/dev/null | grep 'jsonl.gz$' | sort | awk 'NR %% 10 == 1'",
                              list);
        FILE *ls = popen(cmd, "r");
        char name[512];
        while (ls && fgets(name, sizeof name, ls)) {
            name[strcspn(name, "\n")] = 0;
            char *path = xasprintf("%s/%s", list, name);
            n_files += check_file(&t, path);
            xfree(path);
        }
        if (ls)
            pclose(ls);
        xfree(cmd);
        xfree(list);
    }
    report(&t, "shared daily listings");
    if (!n_files) {
        printf("  no shared data at $PB_ROOT/../shared/data/arxiv: skipped\n");
        return;
    }
    CHECK(!t.first_bad[0]);
    CHECK(t.n_accepted > 10000);
}

static void real_other(void)
{
    /* Whole documents and every line: the repo's samples, SciFact, Hugging Face pages. */
    static const char *const files[] = {
        "data/sample/2026-06-10.jsonl.gz",
        "data/sample/2026-06-14.jsonl.gz",
        "data/sample/astro/2026-06-11.jsonl.gz",
        "data/sample/hf-daily-papers-2026-06-12.json.gz",
        "tests/cases/kaggle/sample.jsonl",
        "../shared/data/eval/scifact/corpus.jsonl",
        "../shared/data/eval/scifact/queries-train.jsonl",
        "../shared/data/feeds/hf-daily-papers/hf_daily_papers.json",
        "../shared/data/feeds/hf-daily-papers/hf_papers.json",
    };
    struct tally t = {0};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = root_path("%s", files[i]);
        if (!check_file(&t, path) && files[i][0] != '.')
            printf("  cannot read %s\n", path);
        xfree(path);
    }
    report(&t, "samples");
    CHECK(!t.first_bad[0]);
    CHECK(t.n_accepted > 1000);
}

static void fuzz_corpora(void)
{
    /* Every input of the JSON formats' fuzz corpora, whole and by line. */
    static const char *const dirs[] = {"daily", "kaggle", "beir", "hf", "jscan"};
    struct tally t = {0};
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        char *dir = root_path("tests/fuzz/corpus/%s", dirs[d]);
        char *cmd = xasprintf("ls '%s' 2>/dev/null", dir);
        FILE *ls = popen(cmd, "r");
        char name[512];
        while (ls && fgets(name, sizeof name, ls)) {
            name[strcspn(name, "\n")] = 0;
            char *path = xasprintf("%s/%s", dir, name);
            check_file(&t, path);
            xfree(path);
        }
        if (ls)
            pclose(ls);
        xfree(cmd);
        xfree(dir);
    }
    report(&t, "fuzz corpora");
    CHECK(!t.first_bad[0]);
    CHECK(t.n_texts > 50);
}

/* --- mutations --- */

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void mutations(void)
{
    static const char *const seeds[] = {
        "{\"id\": \"2501.00001v2\", \"title\": \"A \\\"quoted\\\" title\", \"authors\": [\"A. B\", "
        "\"C. D\"], \"categories\": [\"cs.LG\"], \"comment\": null, \"n\": -1.5e3}",
        "{\"a\": \"\\ud83d\\ude00\\u00e9\\u0000\", \"b\": [true, false, null, 0, 12345678901], "
        "\"\\u0061\": {\"x\": [[{}]]}}",
        "[\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\", 9223372036854775807, 1.7976931348623157e308]",
        "{\"_id\": 4983, \"title\": \"\", \"text\": \"Some text. More.\", \"metadata\": {}}",
        "{\"versions\":[{\"version\":\"v1\",\"created\":\"Mon, 2 Apr 2007 19:18:42 GMT\"}],"
        "\"authors_parsed\":[[\"Bal\\u00e1zs\",\"C.\",\"\"]]}",
    };
    static const char alphabet[] = "\"\\u{}[],:0-e.E+ \t\nDdcf8abtrnl\x00\x01\x1f\x7f\x80\xbf"
                                   "\xc0\xc3\xe2\xed\xf0\xf4\xf5\xff";
    uint64_t state = 0x9E3779B97F4A7C15u;
    struct tally t = {0};
    char buf[512];
    for (int round = 0; round < 40000; round++) {
        const char *seed = seeds[rnd(&state) % (sizeof seeds / sizeof seeds[0])];
        size_t n = strlen(seed);
        memcpy(buf, seed, n);
        int k = 1 + (int)(rnd(&state) % 3);
        for (int m = 0; m < k && n > 0; m++) {
            size_t at = (size_t)(rnd(&state) % n);
            char c = alphabet[rnd(&state) % (sizeof alphabet - 1)];
            switch (rnd(&state) % 5) {
            case 0: buf[at] = c; break;
            case 1: /* insert */
                if (n < sizeof buf - 1) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = c;
                    n++;
                }
                break;
            case 2: /* delete */
                memmove(buf + at, buf + at + 1, n - at - 1);
                n--;
                break;
            case 3: n = at; break; /* truncate */
            default: /* flip one bit */
                buf[at] = (char)(buf[at] ^ (1 << (rnd(&state) % 8)));
                break;
            }
        }
        check_text(&t, buf, n, "mutation");
        if (t.first_bad[0]) {
            printf("  mutated input '%.*s'\n", (int)n, buf);
            break;
        }
    }
    report(&t, "mutations");
    CHECK(!t.first_bad[0]);
    CHECK(t.n_accepted > 1000);
}

TEST_MAIN(T(hand), T(depth), T(values), T(errors), T(real_daily), T(real_other), T(fuzz_corpora),
          T(mutations))
