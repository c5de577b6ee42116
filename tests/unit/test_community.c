/* store/community.c, rank/trending.c and http/form.c: accounts, sessions, votes, comments,
 * submissions resolved by a later import, hiding, trending order with an injected clock, and
 * the URL-encoded form parser. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../src/http/form.h"
#include "../../src/rank/trending.h"
#include "../../src/store/community.h"
#include "../../src/util/alloc.h"
#include "../../src/util/date.h"
#include "../harness.h"
#include "../tmpdir.h"

/* A store with papers A (listed day1), B (day2), C (day3); day3 is the latest. */
static struct store *fixture(const char *path)
{
    struct store *s = NULL;
    char err[512];
    if (store_open(path, 0, &s, err, sizeof err))
        return NULL;
    int64_t sid;
    if (store_source(s, "daily", "fixture", &sid) || store_begin(s))
        return NULL;
    static const char *const ids[] = {"2606.00001", "2606.00002", "2606.00003"};
    static const char *const days[] = {"2026-06-10", "2026-06-11", "2026-06-12"};
    for (int i = 0; i < 3; i++) {
        struct paper p;
        paper_init(&p);
        paper_set_str(&p.id, ids[i]);
        paper_set_str(&p.title, "A title");
        paper_set_str(&p.listing_day, days[i]);
        enum store_put_result res;
        if (store_paper_put(s, &p, sid, &res))
            return NULL;
        paper_clear(&p);
    }
    if (store_commit(s))
        return NULL;
    return s;
}

static void test_accounts_and_sessions(void)
{
    char *path = test_tmp_db();
    struct store *s = fixture(path);
    CHECK(s);
    int64_t uid = 0, uid2 = 0;
    CHECK_INT(store_user_add(s, "alice", "a@example.org", "HASH", 1, "2026-06-12T00:00:00Z", &uid), 0);
    CHECK_INT(store_user_add(s, "ALICE", "", "HASH", 0, "2026-06-12T00:00:00Z", &uid2), PB_EEXIST);
    CHECK_INT(store_user_add(s, "bad name", "", "HASH", 0, "2026-06-12T00:00:00Z", &uid2), PB_EINVAL);
    CHECK_INT(store_user_add(s, "bob", "", "HASH2", 0, "2026-06-12T00:00:00Z", &uid2), 0);
    struct store_user u;
    char hash[256];
    CHECK_INT(store_user_get(s, "Alice", &u, hash, sizeof hash), 0);
    CHECK_STR(u.name, "alice");
    CHECK_STR(hash, "HASH");
    CHECK_INT(u.is_admin, 1);
    CHECK_INT(store_session_add(s, "tok1", uid, "2026-06-12T00:00:00Z", "2026-06-13T00:00:00Z"), 0);
    CHECK_INT(store_session_user(s, "tok1", "2026-06-12T12:00:00Z", &u), 0);
    CHECK_INT(u.uid, uid);
    /* expired */
    CHECK_INT(store_session_user(s, "tok1", "2026-06-13T00:00:01Z", &u), PB_ENOTFOUND);
    CHECK_INT(store_session_user(s, "nope", "2026-06-12T12:00:00Z", &u), PB_ENOTFOUND);
    /* a new password ends the sessions */
    CHECK_INT(store_session_add(s, "tok2", uid, "2026-06-12T00:00:00Z", "2026-07-12T00:00:00Z"), 0);
    CHECK_INT(store_user_set_password(s, uid, "NEW"), 0);
    CHECK_INT(store_session_user(s, "tok2", "2026-06-12T12:00:00Z", &u), PB_ENOTFOUND);
    CHECK_INT(store_user_set_api_token(s, uid2, "apitok"), 0);
    CHECK_INT(store_api_token_user(s, "apitok", &u), 0);
    CHECK_STR(u.name, "bob");
    CHECK_INT(store_check(s), 0);
    store_close(s);
    test_remove_db(path);
}

static int count_cb(void *ctx, const struct store_card *c)
{
    (void)c;
    (*(int *)ctx)++;
    return 0;
}

static void test_votes_comments_hiding(void)
{
    char *path = test_tmp_db();
    struct store *s = fixture(path);
    CHECK(s);
    int64_t a, b;
    CHECK_INT(store_user_add(s, "a", "", "H", 0, "2026-06-12T00:00:00Z", &a), 0);
    CHECK_INT(store_user_add(s, "b", "", "H", 0, "2026-06-12T00:00:00Z", &b), 0);
    long long n = -1;
    int changed = 0;
    CHECK_INT(store_vote(s, a, "2606.00001", 1, "2026-06-12T01:00:00Z", &n, &changed), 0);
    CHECK_INT(n, 1);
    CHECK_INT(changed, 1);
    CHECK_INT(store_vote(s, a, "2606.00001", 1, "2026-06-12T01:00:00Z", &n, &changed), 0);
    CHECK_INT(n, 1); /* one vote per user and paper */
    CHECK_INT(changed, 0);
    CHECK_INT(store_vote(s, b, "2606.00001", 1, "2026-06-12T01:00:00Z", &n, &changed), 0);
    CHECK_INT(n, 2);
    CHECK_INT(store_vote(s, b, "2606.00001", 0, "2026-06-12T01:00:00Z", &n, &changed), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_vote(s, a, "9999.99999", 1, "2026-06-12T01:00:00Z", &n, &changed),
              PB_ENOTFOUND);
    int64_t cid = 0;
    CHECK_INT(store_comment_add(s, a, "2606.00002", "first!", "2026-06-12T02:00:00Z", &cid), 0);
    CHECK_INT(store_comment_add(s, a, "2606.00002", "", "2026-06-12T02:00:00Z", &cid), PB_EINVAL);
    CHECK_INT(store_comment_add(s, a, "2606.00002", "\xff\xfe", "2026-06-12T02:00:00Z", &cid),
              PB_EINVAL);
    CHECK_INT(store_comment_add(s, a, "2606.00002", "second", "2026-06-12T02:00:00Z", &cid), 0);
    CHECK_INT(store_comment_hide(s, cid, 1), 0);
    CHECK_INT(store_comment_hide(s, 999, 1), PB_ENOTFOUND);
    /* cards carry the counts; a hidden paper disappears from listings */
    int count = 0;
    long long total = 0;
    CHECK_INT(store_cards_days(s, "2026-06-10", "2026-06-12", STORE_SORT_TRENDING, 0, 10, &total,
                               count_cb, &count),
              0);
    CHECK_INT(total, 3);
    CHECK_INT(count, 3);
    CHECK_INT(store_paper_hide(s, "2606.00003", 1), 0);
    count = 0;
    CHECK_INT(store_cards_days(s, "2026-06-10", "2026-06-12", STORE_SORT_NEW, 0, 10, &total,
                               count_cb, &count),
              0);
    CHECK_INT(total, 2);
    CHECK_INT(count, 2);
    CHECK_INT(store_check(s), 0);
    store_close(s);
    test_remove_db(path);
}

struct order {
    char ids[8][16];
    double scores[8];
    int n;
};

static int order_cb(void *ctx, const struct store_card *c)
{
    struct order *o = ctx;
    if (o->n < 8) {
        snprintf(o->ids[o->n], sizeof o->ids[0], "%s", c->id);
        o->scores[o->n] = c->score;
        o->n++;
    }
    return 0;
}

static void test_trending_with_injected_clock(void)
{
    /* the formula itself */
    int64_t t0 = 1781222400; /* 2026-06-12T00:00:00Z */
    CHECK(fabs(trending_score(0, t0, t0) - 1.0 / pow(2.0, 1.5)) < 1e-12);
    CHECK(trending_score(5, t0, t0 + 3600) > trending_score(4, t0, t0 + 3600));
    CHECK(trending_score(5, t0, t0 + 3600) > trending_score(5, t0, t0 + 7200));
    CHECK(trending_score(3, t0, t0 - 100) == trending_score(3, t0, t0)); /* future: age 0 */
    CHECK_INT(trending_window("week"), 7 * 86400);
    CHECK_INT(trending_window("year"), 0);

    char *path = test_tmp_db();
    struct store *s = fixture(path);
    CHECK(s);
    int64_t now, u1, u2, u3;
    CHECK_INT(date_parse_ts("2026-06-13T12:00:00Z", &now), 0);
    struct order o = {{{0}}, {0}, 0};
    CHECK_INT(store_cards_trending(s, now, 7 * 86400, 10, order_cb, &o), 0);
    /* no votes: the freshest first */
    CHECK_INT(o.n, 3);
    CHECK_STR(o.ids[0], "2606.00003");
    CHECK_STR(o.ids[2], "2606.00001");
    /* three votes lift the oldest paper (84 hours) above the fresh one (36 hours) */
    CHECK_INT(store_user_add(s, "u1", "", "H", 0, "2026-06-12T00:00:00Z", &u1), 0);
    CHECK_INT(store_user_add(s, "u2", "", "H", 0, "2026-06-12T00:00:00Z", &u2), 0);
    CHECK_INT(store_user_add(s, "u3", "", "H", 0, "2026-06-12T00:00:00Z", &u3), 0);
    long long n;
    int ch;
    CHECK_INT(store_vote(s, u1, "2606.00001", 1, "2026-06-12T11:00:00Z", &n, &ch), 0);
    CHECK_INT(store_vote(s, u2, "2606.00001", 1, "2026-06-12T11:00:00Z", &n, &ch), 0);
    CHECK_INT(store_vote(s, u3, "2606.00001", 1, "2026-06-12T11:00:00Z", &n, &ch), 0);
    o.n = 0;
    CHECK_INT(store_cards_trending(s, now, 7 * 86400, 10, order_cb, &o), 0);
    CHECK_STR(o.ids[0], "2606.00001");
    CHECK(fabs(o.scores[0] - trending_score(3, now - 84 * 3600, now)) < 1e-9);
    /* a month later the same votes are out of a week's window */
    o.n = 0;
    CHECK_INT(store_cards_trending(s, now + 30 * 86400, 7 * 86400, 10, order_cb, &o), 0);
    CHECK_INT(o.n, 0);
    int64_t last;
    CHECK_INT(store_last_activity(s, &last), 0);
    CHECK_INT(last, now - 12 * 3600 - 1); /* the end of the latest listing day */
    store_close(s);
    test_remove_db(path);
}

static int id_cb(void *ctx, const char *id)
{
    snprintf(ctx, 32, "%s", id);
    return 0;
}

static void test_pending_submission_resolved_by_import(void)
{
    char *path = test_tmp_db();
    struct store *s = fixture(path);
    CHECK(s);
    int64_t uid;
    CHECK_INT(store_user_add(s, "sub", "", "H", 0, "2026-06-12T00:00:00Z", &uid), 0);
    enum store_submit_result res;
    CHECK_INT(store_submit(s, uid, "2606.00001", "2026-06-12T03:00:00Z", &res), 0);
    CHECK_INT(res, STORE_SUBMIT_KNOWN);
    CHECK_INT(store_submit(s, uid, "2606.00001", "2026-06-12T03:00:00Z", &res), 0);
    CHECK_INT(res, STORE_SUBMIT_AGAIN);
    CHECK_INT(store_submit(s, uid, "2607.00042", "2026-06-12T03:00:00Z", &res), 0);
    CHECK_INT(res, STORE_SUBMIT_PENDING);
    char pending[32] = "";
    CHECK_INT(store_submissions_pending(s, 10, id_cb, pending), 0);
    CHECK_STR(pending, "2607.00042");
    /* the paper arrives later (from any importer): the trigger links it with the vote */
    int64_t sid;
    CHECK_INT(store_source(s, "daily", "later", &sid), 0);
    CHECK_INT(store_begin(s), 0);
    struct paper p;
    paper_init(&p);
    paper_set_str(&p.id, "2607.00042");
    paper_set_str(&p.title, "Arrived");
    enum store_put_result pr;
    CHECK_INT(store_paper_put(s, &p, sid, &pr), 0);
    paper_clear(&p);
    CHECK_INT(store_commit(s), 0);
    pending[0] = 0;
    CHECK_INT(store_submissions_pending(s, 10, id_cb, pending), 0);
    CHECK_STR(pending, "");
    struct order o = {{{0}}, {0}, 0};
    CHECK_INT(store_cards_user(s, uid, 1, 10, order_cb, &o), 0);
    CHECK_INT(o.n, 2); /* upvoted both */
    CHECK_INT(store_check(s), 0);
    store_close(s);
    test_remove_db(path);
}

static void test_form_parser(void)
{
    struct form f;
    static const char q[] = "q=gaussian+splatting&cat=cs.CV&e=%C3%A9&flag&=v&&x=1%2B1";
    CHECK_INT(form_parse(&f, q, sizeof q - 1), 0);
    CHECK_STR(form_get(&f, "q"), "gaussian splatting");
    CHECK_STR(form_get(&f, "e"), "\xc3\xa9");
    CHECK_STR(form_get(&f, "flag"), "");
    CHECK_STR(form_get(&f, ""), "v");
    CHECK_STR(form_get(&f, "x"), "1+1");
    CHECK(form_get(&f, "missing") == NULL);
    form_release(&f);
    CHECK_INT(form_parse(&f, "a=%ZZ", 5), PB_EINVAL);
    CHECK_INT(f.n, 0);
    CHECK_INT(form_parse(&f, "a=%00", 5), PB_EINVAL);
    CHECK_INT(form_parse(&f, "a=%C3", 5), PB_EINVAL); /* truncated UTF-8 */
    CHECK_INT(form_parse(&f, "a=%4", 4), PB_EINVAL);
    char many[FORM_MAX_FIELDS * 4 + 8];
    size_t n = 0;
    for (int i = 0; i <= FORM_MAX_FIELDS; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "a=%d&", i % 10);
    CHECK_INT(form_parse(&f, many, n), PB_ETOOBIG);
    char *d = form_decode("/papers/hep-th%2F9901001", 24, 0);
    CHECK_STR(d, "/papers/hep-th/9901001");
    xfree(d);
    d = form_decode("a+b", 3, 0); /* '+' is literal in paths */
    CHECK_STR(d, "a+b");
    xfree(d);
}

TEST_MAIN(T(test_accounts_and_sessions), T(test_votes_comments_hiding),
          T(test_trending_with_injected_clock), T(test_pending_submission_resolved_by_import),
          T(test_form_parser))
