/* Mail: address and header-text checks, encoded words, quoted-printable, dates, time zones, and
 * the outbox's exactly-once constraint and state machine in a real store. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/mail/mail.h"
#include "../../src/mail/mime.h"
#include "../../src/store/mail.h"
#include "../../src/store/store.h"
#include "../../src/util/alloc.h"
#include "../../src/util/tz.h"
#include "../harness.h"

static void test_addr(void)
{
    static const char *const good[] = {"ada@example.org", "a.b+tag@sub.example.co.uk",
                                       "x@[127.0.0.1]", "o'neil@example.ie", NULL};
    static const char *const bad[] = {"", "ada", "@example.org", "ada@", "ada@localhost",
                                      "a..b@example.org", ".a@example.org", "a@-x.org",
                                      "a@x.123", "a b@example.org", "a@b@example.org",
                                      "ada@example.org\r\nBcc: x@example.org", "\"q\"@example.org",
                                      "ad\xc3\xa9@example.org", "a@[1.2.3]", NULL};
    char why[128];
    for (const char *const *p = good; *p; p++)
        CHECK(mail_addr_check(*p, why, sizeof why) == 0);
    for (const char *const *p = bad; *p; p++)
        CHECK(mail_addr_check(*p, why, sizeof why) == PB_EINVAL);
    CHECK(mail_addr_check("x@example.org\nBcc: y@example.org", why, sizeof why) == PB_EINVAL);
    CHECK_STR(why, "has a line break");
    char long_local[80];
    memset(long_local, 'a', 65);
    strcpy(long_local + 65, "@example.org");
    CHECK(mail_addr_check(long_local, why, sizeof why) == PB_EINVAL);
}

static void test_text(void)
{
    char why[128];
    CHECK(mail_text_check("Grüße — ok", 100, why, sizeof why) == 0);
    CHECK(mail_text_check("a\r\nBcc: x", 100, why, sizeof why) == PB_EINVAL);
    CHECK(mail_text_check("tab\there", 100, why, sizeof why) == PB_EINVAL);
    CHECK(mail_text_check("bad \xff utf8", 100, why, sizeof why) == PB_EINVAL);
    CHECK(mail_text_check("c1 \xc2\x85 control", 100, why, sizeof why) == PB_EINVAL);
    CHECK(mail_text_check("0123456789", 5, why, sizeof why) == PB_EINVAL);
}

static void test_headers(void)
{
    struct buf b = BUF_INIT((size_t)-1);
    mail_put_header_text(&b, "Subject", "plain words");
    CHECK_STR(buf_str(&b), "Subject: plain words\r\n");
    buf_reset(&b);
    mail_put_header_text(&b, "Subject", "Grüße");
    CHECK_STR(buf_str(&b), "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n");
    buf_reset(&b);
    /* long non-ASCII: several words, each <= 75, lines <= 76, split between characters */
    char s[600] = "";
    for (int i = 0; i < 60; i++)
        strcat(s, "é€ ");
    mail_put_header_text(&b, "Subject", s);
    const char *line = buf_str(&b);
    for (const char *p = line; *p; p++)
        if (*p == '\n') {
            CHECK(p - line <= 77);
            line = p + 1;
        }
    buf_reset(&b);
    mail_put_header_addr(&b, "From", "Lab, \"the\" Feed", "a@example.org");
    CHECK_STR(buf_str(&b), "From: \"Lab, \\\"the\\\" Feed\" <a@example.org>\r\n");
    buf_release(&b);
}

static void test_qp(void)
{
    struct buf b = BUF_INIT((size_t)-1);
    const char *in = "héllo = world \n.dot\nline with trailing space \n";
    mail_put_qp(&b, in, strlen(in));
    CHECK_STR(buf_str(&b), "h=C3=A9llo =3D world=20\r\n=2Edot\r\nline with trailing space=20\r\n");
    buf_reset(&b);
    char longl[400];
    memset(longl, 'x', sizeof longl - 1);
    longl[sizeof longl - 1] = 0;
    mail_put_qp(&b, longl, strlen(longl));
    const char *line = buf_str(&b);
    size_t total = 0;
    for (const char *p = line;; p++) {
        if (*p == '\n' || !*p) {
            size_t n = (size_t)(p - line) - (*p == '\n');
            CHECK(n <= 76);
            total += n - (n && line[n - 1] == '=');
            if (!*p)
                break;
            line = p + 1;
        }
    }
    CHECK_INT(total, 399);
    buf_release(&b);
}

static void test_date_tz(void)
{
    char d[32];
    mail_date(1781510400, d); /* 2026-06-15T08:00:00Z */
    CHECK_STR(d, "Mon, 15 Jun 2026 08:00:00 +0000");
    struct tz *z = NULL;
    char err[256];
    CHECK(tz_load("+05:30", &z, err, sizeof err) == 0);
    CHECK_INT(tz_offset(z, 0), 19800);
    tz_free(z);
    CHECK(tz_load("../etc/passwd", &z, err, sizeof err) == PB_EINVAL);
    CHECK(tz_load("Nowhere/Atlantis", &z, err, sizeof err) == PB_ENOTFOUND);
    if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) == 0) {
        CHECK(tz_load("Europe/Berlin", &z, err, sizeof err) == 0);
        CHECK_INT(tz_offset(z, 1781510400), 7200);  /* June: CEST */
        CHECK_INT(tz_offset(z, 1767225600), 3600);  /* 2026-01-01: CET */
        tz_free(z);
    }
    struct mail_conf c;
    mail_conf_default(&c);
    char day[11], week[9];
    mail_periods(&c, 1781510400, day, week);
    CHECK_STR(day, "2026-06-15");
    CHECK_STR(week, "2026-W25");
    c.weekly_day = 4; /* Friday: not yet on Monday */
    mail_periods(&c, 1781510400, day, week);
    CHECK_STR(week, "");
    CHECK_INT(mail_backoff(1), 300);
    CHECK_INT(mail_backoff(2), 600);
    CHECK_INT(mail_backoff(20), 6 * 3600);
}

static int count_cb(void *arg, const struct store_sub *u)
{
    (void)u;
    ++*(int *)arg;
    return 0;
}

static void test_outbox(void)
{
    char path[] = "/tmp/pb-test-mail-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    struct store *s = NULL;
    char err[256];
    CHECK(store_open(path, 0, &s, err, sizeof err) == 0);
    int64_t sid, sid2, mid;
    int is_new;
    CHECK(store_sub_add(s, "ada@example.org", "", 0, 0, "2026-06-15T00:00:00Z", &sid, &is_new)
          == 0);
    CHECK(is_new);
    CHECK(store_sub_add(s, "ADA@example.org", "", 0, 0, "2026-06-15T00:00:00Z", &sid2, &is_new)
          == 0);
    CHECK(!is_new && sid2 == sid);
    int n = 0;
    CHECK(store_subs_due(s, "2026-06-15", NULL, count_cb, &n) == 0);
    CHECK_INT(n, 0); /* pending: opt-in first */
    CHECK(store_sub_confirm(s, sid, "2026-06-15T00:00:00Z", 0) == 0);
    n = 0;
    CHECK(store_subs_due(s, "2026-06-15", NULL, count_cb, &n) == 0);
    CHECK_INT(n, 1);
    struct store_msg m = {0};
    m.kind = STORE_MSG_DIGEST;
    m.sid = sid;
    m.period = "2026-06-15";
    m.rcpt = "ada@example.org";
    m.subject = "s";
    m.message_id = "<d@x.org>";
    m.data = "x";
    m.data_len = 1;
    CHECK(store_msg_add(s, &m, "2026-06-15T07:00:00Z", &mid, &is_new) == 0 && is_new);
    int64_t mid2 = 0;
    CHECK(store_msg_add(s, &m, "2026-06-15T07:00:00Z", &mid2, &is_new) == 0);
    CHECK(!is_new); /* UNIQUE(sid, kind, period) */
    int claimed;
    CHECK(store_sub_claim(s, sid, "2026-06-15", 10, &claimed) == 0 && claimed);
    CHECK(store_sub_claim(s, sid, "2026-06-15", 10, &claimed) == 0 && !claimed);
    int paused = 0;
    CHECK(store_msg_start(s, mid, "2026-06-15T07:00:00Z") == 0);
    CHECK(store_msg_failed(s, mid, "t", "550", 1, 2, &paused) == 0 && !paused);
    m.period = "2026-06-16";
    CHECK(store_msg_add(s, &m, "2026-06-16T07:00:00Z", &mid, &is_new) == 0 && is_new);
    CHECK(store_msg_failed(s, mid, "t", "550", 1, 2, &paused) == 0 && paused);
    n = 0;
    CHECK(store_subs_due(s, "2026-06-17", NULL, count_cb, &n) == 0);
    CHECK_INT(n, 0); /* paused */
    long long c[4];
    CHECK(store_msg_counts(s, c) == 0);
    CHECK_INT(c[STORE_MSG_FAILED], 2);
    CHECK(store_check(s) == 0);
    int removed = 0;
    CHECK(store_sub_delete_email(s, "Ada@Example.org", &removed) == 0);
    CHECK_INT(removed, 1);
    CHECK(store_msg_counts(s, c) == 0);
    CHECK_INT(c[STORE_MSG_FAILED], 0); /* its messages went with it */
    store_close(s);
    char *w = xasprintf("%s-wal", path), *sh = xasprintf("%s-shm", path);
    unlink(path);
    unlink(w);
    unlink(sh);
    xfree(w);
    xfree(sh);
}

TEST_MAIN(T(test_addr), T(test_text), T(test_headers), T(test_qp), T(test_date_tz),
          T(test_outbox))
