/* util/: text normalisation, dates, capped buffers. */
#include "../../src/util/alloc.h"
#include "../../src/util/buf.h"
#include "../../src/util/date.h"
#include "../../src/util/text.h"
#include <stdint.h>
#include <stdlib.h>

#include "../harness.h"

static void check_norm(const char *in, const char *want, int *ok)
{
    char *got = text_normalize(in, strlen(in));
    *ok = !strcmp(got, want);
    if (!*ok)
        printf("  normalize(\"%s\") = \"%s\", want \"%s\"\n", in, got, want);
    xfree(got);
}

static void normalize_collapses_space(void)
{
    int ok;
    check_norm("  The growing\npopularity of\n  3D   Gaussian\r\n", "The growing popularity of 3D Gaussian", &ok);
    CHECK(ok);
    check_norm("tab\there\fthere", "tab here there", &ok);
    CHECK(ok);
    check_norm("", "", &ok);
    CHECK(ok);
    check_norm(" \n\t ", "", &ok);
    CHECK(ok);
    check_norm("$\\alpha$-stable  \\textsc{ii}", "$\\alpha$-stable \\textsc{ii}", &ok);
    CHECK(ok);
    check_norm("no\xc2\xa0" "break", "no break", &ok);
    CHECK(ok);
}

static void normalize_repairs_utf8(void)
{
    int ok;
    check_norm("caf\xc3\xa9", "caf\xc3\xa9", &ok);
    CHECK(ok);
    check_norm("bad\xff" "byte", "bad\xef\xbf\xbd" "byte", &ok);
    CHECK(ok);
    check_norm("overlong\xc0\xaf", "overlong\xef\xbf\xbd\xef\xbf\xbd", &ok);
    CHECK(ok);
    check_norm("surrogate\xed\xa0\x80", "surrogate\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", &ok);
    CHECK(ok);
    check_norm("cut\xe2\x82", "cut\xef\xbf\xbd\xef\xbf\xbd", &ok);
    CHECK(ok);
    check_norm("ctl\x01\x7f" "char", "ctlchar", &ok);
    CHECK(ok);
    /* The output grows past the input only here: every byte invalid, after a space. */
    check_norm("\xff\xfe\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", &ok);
    CHECK(ok);
    check_norm("a \xff", "a \xef\xbf\xbd", &ok);
    CHECK(ok);
    char *s = text_normalize("a\0b", 3);
    CHECK_STR(s, "ab");
    xfree(s);
    CHECK(text_is_utf8("\xf0\x9f\x98\x80", 4));
    CHECK(!text_is_utf8("\xf4\x90\x80\x80", 4));
}

/* The byte-at-a-time normaliser text_normalize replaced (block copies, spaces inline): the
 * oracle for the differential test below. */
static char *ref_normalize(const char *s, size_t n)
{
    char *out = xmalloc(n * 3 + 1);
    size_t o = 0, i = 0;
    int pending_space = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (i < n) {
        unsigned c = p[i];
        if (c > 0x20 && c < 0x7F) {
            if (pending_space)
                out[o++] = ' ';
            pending_space = 0;
            out[o++] = (char)c;
            i++;
            continue;
        }
        if (c < 0x80) {
            i++;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
                pending_space = o > 0;
            else if (c >= 0x20 && c != 0x7F)
                abort(); /* no other ASCII byte is left */
            continue;
        }
        size_t k = text_utf8_seq(p + i, n - i);
        if (pending_space)
            out[o++] = ' ';
        pending_space = 0;
        if (!k) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else if ((k == 2 && p[i] == 0xC2 && p[i + 1] == 0xA0) ||
                   (k == 3 && p[i] == 0xE2 && p[i + 1] == 0x80 &&
                    (p[i + 2] == 0xA8 || p[i + 2] == 0xA9))) {
            pending_space = o > 0;
            i += k;
        } else {
            memcpy(out + o, p + i, k);
            o += k;
            i += k;
        }
    }
    out[o] = 0;
    return out;
}

static void normalize_matches_reference(void)
{
    /* Random strings over an alphabet of the interesting bytes, every length up to 80 (the
     * block copies work 16 bytes at a time), and a long real-looking text. */
    static const char alphabet[] = "ab Z~!{ \t\n\r\f\v\x01\x1f\x7f\xc2\xa0\xe2\x80\xa8\xc3\xa9\xff"
                                   "\xed\xa0\x80\xf0\x9f\x98\x80  ";
    uint64_t st = 0x2545F4914F6CDD1Du;
    char buf[200];
    for (int round = 0; round < 60000; round++) {
        size_t n = (size_t)round % 81;
        for (size_t i = 0; i < n; i++) {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            /* Mostly letters and single spaces, like prose; sometimes anything. */
            unsigned r = (unsigned)(st % 100);
            buf[i] = r < 60 ? (char)('a' + r % 26)
                            : r < 75 ? ' ' : alphabet[(st >> 8) % (sizeof alphabet - 1)];
        }
        char *got = text_normalize(buf, n), *want = ref_normalize(buf, n);
        int same = !strcmp(got, want);
        if (!same)
            printf("  input of %zu bytes: got \"%s\", want \"%s\"\n", n, got, want);
        xfree(got);
        xfree(want);
        CHECK(same);
    }
    const char *prose = "  We study multi-unit multi-buyer auctions, where buyers are subject to "
                        "constraints\n  that affect their bidding strategy. These may take the "
                        "form of \\emph{bidding constraints} (e.g., no-overbidding)\xc2\xa0 and "
                        "caf\xc3\xa9 \xe2\x80\xa8 end.  ";
    char *got = text_normalize(prose, strlen(prose)), *want = ref_normalize(prose, strlen(prose));
    CHECK_STR(got, want);
    xfree(got);
    xfree(want);
}

static void dates_parse_every_feed_form(void)
{
    char out[32];
    CHECK_INT(date_parse("Mon, 2 Apr 2007 19:18:42 GMT", out), 0);
    CHECK_STR(out, "2007-04-02T19:18:42Z");
    CHECK_INT(date_parse("Tue, 24 Jul 2007 20:10:27 GMT   (370kb)", out), 0);
    CHECK_STR(out, "2007-07-24T20:10:27Z");
    CHECK_INT(date_parse("Fri,  9 Jun 23 00:44:20 GMT", out), 0);
    CHECK_STR(out, "2023-06-09T00:44:20Z");
    CHECK_INT(date_parse("Mon, 27 Apr 2026 00:00:00 -0400", out), 0);
    CHECK_STR(out, "2026-04-27T04:00:00Z");
    CHECK_INT(date_parse("2026-07-31T00:00:00.000Z", out), 0);
    CHECK_STR(out, "2026-07-31T00:00:00Z");
    /* HTTP's obsolete forms: RFC 850 and asctime */
    CHECK_INT(date_parse("Sunday, 06-Nov-94 08:49:37 GMT", out), 0);
    CHECK_STR(out, "1994-11-06T08:49:37Z");
    CHECK_INT(date_parse("Sun Nov  6 08:49:37 1994", out), 0);
    CHECK_STR(out, "1994-11-06T08:49:37Z");
    CHECK_INT(date_parse("Sun Nov  6 08:49:37", out), PB_EINVAL);
    CHECK_INT(date_parse("2015-01-01T23:30:00+01:00", out), 0);
    CHECK_STR(out, "2015-01-01T22:30:00Z");
    CHECK_INT(date_parse("2008-11-13", out), 0);
    CHECK_STR(out, "2008-11-13");
    CHECK_INT(date_parse("Fri, 3 Mar 2023", out), 0);
    CHECK_STR(out, "2023-03-03");
    CHECK_INT(date_parse("2026-02-30", out), PB_EINVAL);
    CHECK_INT(date_parse("yesterday", out), PB_EINVAL);
    CHECK_INT(date_parse("", out), PB_EINVAL);
    CHECK_INT(date_parse("Mon, 2 Foo 2007", out), PB_EINVAL);
}

static void weeks_and_months(void)
{
    int64_t a, b;
    char d[11], w[9];
    CHECK_INT(date_parse_week("2025-W01", &a, &b), 0);
    date_format_day(a, d);
    CHECK_STR(d, "2024-12-30");
    date_format_day(b, d);
    CHECK_STR(d, "2025-01-05");
    CHECK_INT(date_parse_week("2020-W53", &a, &b), 0);
    CHECK_INT(date_parse_week("2025-W53", &a, &b), PB_EINVAL);
    CHECK_INT(date_parse_week("2025-W00", &a, &b), PB_EINVAL);
    CHECK_INT(date_parse_month("2024-02", &a, &b), 0);
    date_format_day(b, d);
    CHECK_STR(d, "2024-02-29");
    CHECK_INT(date_parse_month("2024-13", &a, &b), PB_EINVAL);
    CHECK_INT(date_parse_day("2026-01-01", &a), 0);
    date_format_week(a, w);
    CHECK_STR(w, "2026-W01");
    CHECK_INT(date_parse_day("2027-01-01", &a), 0);
    date_format_week(a, w);
    CHECK_STR(w, "2026-W53");
    CHECK_INT(date_weekday(a), 4);
}

/* The store's own forms take a fast path in date_parse_ts: it must agree with the general
 * parser on every second it can write and refuse what that parser refuses. */
static void timestamps_fast_path_agrees(void)
{
    char ts[DATE_TS_LEN + 1], day[DATE_DAY_LEN + 1], canon[DATE_TS_LEN + 1];
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t t = (int64_t)(x % 4102444800ull); /* 1970 .. 2100 */
        date_format_ts(t, ts);
        int64_t got = -1;
        CHECK_INT(date_parse_ts(ts, &got), 0);
        CHECK_INT(got, t);
        CHECK_INT(date_parse(ts, canon), 0); /* the general parser says the same */
        CHECK_STR(canon, ts);
        date_format_day(t / 86400, day);
        CHECK_INT(date_parse_ts(day, &got), 0);
        CHECK_INT(got, t / 86400 * 86400);
    }
    static const char *const odd[] = {
        "2026-02-29",           "2026-02-30",           "2026-13-01",
        "2026-00-10",           "2026-06-13T24:00:00Z", "2026-06-13T12:60:00Z",
        "2026-06-13T12:00:00",  "2026-06-13 ",          "2026-6-13",
        "2024-02-29T23:59:59Z", "2026-06-13T12:00:00Zx"};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        int64_t a = -1, b = -1;
        int ra = date_parse_ts(odd[i], &a);
        int rb = date_parse(odd[i], canon);
        if (!rb) {
            CHECK_INT(ra, 0);
            int y, mo, d, hh = 0, mi = 0, ss = 0;
            CHECK(sscanf(canon, "%4d-%2d-%2d", &y, &mo, &d) == 3);
            if (canon[10] == 'T')
                CHECK(sscanf(canon + 11, "%2d:%2d:%2d", &hh, &mi, &ss) == 3);
            b = date_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss;
        } else {
            CHECK_INT(ra, PB_EINVAL);
        }
        CHECK_INT(a, b);
    }
}

static void buf_respects_cap(void)
{
    struct buf b = BUF_INIT(8);
    CHECK_INT(buf_puts(&b, "12345678"), 0);
    CHECK_INT(buf_putc(&b, 'x'), PB_ETOOBIG);
    CHECK_STR(buf_str(&b), "12345678");
    buf_reset(&b);
    CHECK_INT(buf_printf(&b, "%d-%s", 42, "ab"), 0);
    CHECK_STR(buf_str(&b), "42-ab");
    char *s = buf_take(&b);
    CHECK_STR(s, "42-ab");
    xfree(s);
    CHECK_INT(b.len, 0);
    buf_release(&b);
}

TEST_MAIN(T(timestamps_fast_path_agrees), T(normalize_collapses_space), T(normalize_repairs_utf8),
          T(normalize_matches_reference), T(dates_parse_every_feed_form), T(weeks_and_months),
          T(buf_respects_cap))
