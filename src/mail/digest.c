/* Choosing and composing: the papers of a digest (trending, or a saved search's new papers),
 * the text and HTML of every message, tokens and links, the opt-in and password-reset mails,
 * and the compose run that fills the outbox (mail.h; docs/MAIL.md).
 *
 * A run reads the due subscriptions sorted by content (kind, query, frequency, watermark): each
 * run of equal content is one group whose papers are chosen and rendered once; only the
 * greeting and the personal links differ between its messages. Each message is queued in the
 * same transaction that claims (subscription, period), a batch of subscriptions per
 * transaction: a crash loses only the open batch, which the next run composes again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/index.h"
#include "../index/query.h"
#include "../rank/trending.h"
#include "../store/community.h"
#include "../store/mail.h"
#include "../util/alloc.h"
#include "../util/text.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "../util/tz.h"
#include "mail.h"
#include "mime.h"

#define BATCH 500           /* subscriptions per compose transaction */
#define ABSTRACT_BYTES 320  /* of each paper's abstract */
#define AUTHORS_SHOWN 5
#define TITLE_IN_SUBJECT 90
#define SEARCH_DAYS_DAILY 14 /* a saved search looks at papers dated this far back ... */
#define SEARCH_DAYS_WEEKLY 21 /* ... for papers new since its last digest */

static void put(struct buf *b, const char *s, size_t n)
{
    if (buf_append(b, s, n))
        abort(); /* uncapped buffers; the message size is checked by mail_render */
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void putf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    put(b, s, (size_t)n);
    xfree(s);
}

static void esc_n(struct buf *b, const char *s, size_t n)
{
    if (text_html_escape(b, s, n))
        abort(); /* uncapped buffers; the message size is checked by mail_render */
}

static void esc(struct buf *b, const char *s)
{
    esc_n(b, s, strlen(s));
}

static void url_esc(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            put(b, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            put(b, e, 3);
        }
    }
}

/* Longest prefix of s within max bytes that ends on a UTF-8 boundary (and a space if one is
 * near), for cutting titles and abstracts. */
static size_t cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--;
    size_t sp = k;
    while (sp > max / 2 && s[sp] != ' ')
        sp--;
    return s[sp] == ' ' ? sp : k;
}

/* s wrapped at width columns (counting UTF-8 characters); the first line is prefixed by
 * first, the others by indent. */
static void wrap2(struct buf *b, const char *s, size_t n, int width, const char *first,
                  const char *indent)
{
    size_t i = 0;
    const char *prefix = first;
    while (i < n) {
        while (i < n && s[i] == ' ')
            i++;
        if (i >= n)
            break;
        size_t line = i, cols = 0, last_sp = 0;
        while (line < n && cols < (size_t)width) {
            if (s[line] == ' ')
                last_sp = line;
            if (((unsigned char)s[line] & 0xc0) != 0x80)
                cols++;
            line++;
        }
        if (line < n && s[line] != ' ' && last_sp > i)
            line = last_sp;
        puts_(b, prefix);
        put(b, s + i, line - i);
        puts_(b, "\n");
        prefix = indent;
        i = line;
    }
}

static void wrap(struct buf *b, const char *s, size_t n, int width, const char *indent)
{
    wrap2(b, s, n, width, indent, indent);
}

void mail_conf_default(struct mail_conf *c)
{
    memset(c, 0, sizeof *c);
    c->smtp_url = "";
    c->from_addr = "paperboy@localhost.localdomain";
    c->site_name = "paperboy";
    c->base_url = "http://127.0.0.1:8080";
    c->send_minute = 7 * 60;
    c->weekly_day = 0;
    c->max_papers = 10;
    c->max_bounces = 3;
    c->max_attempts = 8;
    c->timeout_s = 60;
}

int mail_ctx_init(struct mail_ctx *ctx, struct store *st, const struct mail_conf *conf,
                  const char *db_path, char *err, size_t errlen)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->st = st;
    ctx->conf = conf;
    ctx->db_path = db_path;
    char fresh[AUTH_HEX_LEN];
    auth_key_new(fresh);
    if (store_meta_init(st, "secret", fresh, ctx->key, sizeof ctx->key)) {
        snprintf(err, errlen, "cannot read the server key: %s", store_errmsg(st));
        return PB_EDB;
    }
    return 0;
}

void mail_sub_token(const struct mail_ctx *ctx, const char *scope, int64_t sid,
                    const char *created_at, char out[AUTH_HEX_LEN])
{
    char msg[96];
    snprintf(msg, sizeof msg, "%lld\n%s", (long long)sid, created_at);
    auth_mac(ctx->key, scope, msg, out);
}

void mail_addr_token(const struct mail_ctx *ctx, const char *email, char out[AUTH_HEX_LEN])
{
    char low[MAIL_ADDR_MAX + 1];
    size_t i = 0;
    for (; email[i] && i < MAIL_ADDR_MAX; i++)
        low[i] = (char)(email[i] >= 'A' && email[i] <= 'Z' ? email[i] + 32 : email[i]);
    low[i] = 0;
    auth_mac(ctx->key, "manage", low, out);
}

struct sub_copy {
    int64_t sid, uid, last_pid;
    char *email, *query, *created_at, *last_period;
    int is_weekly;
    enum store_sub_state state;
};

static int on_sub_copy(void *arg, const struct store_sub *u)
{
    struct sub_copy *c = arg;
    c->sid = u->sid;
    c->uid = u->uid;
    c->last_pid = u->last_pid;
    c->email = xstrdup(u->email);
    c->query = xstrdup(u->query);
    c->created_at = xstrdup(u->created_at);
    c->last_period = xstrdup(u->last_period);
    c->is_weekly = u->is_weekly;
    c->state = u->state;
    return 0;
}

static void sub_copy_release(struct sub_copy *c)
{
    xfree(c->email);
    xfree(c->query);
    xfree(c->created_at);
    xfree(c->last_period);
    memset(c, 0, sizeof *c);
}

int mail_sub_verify(struct mail_ctx *ctx, const char *scope, int64_t sid, const char *token)
{
    struct sub_copy c = {0};
    int rc = store_sub_get(ctx->st, sid, on_sub_copy, &c);
    if (rc)
        return rc;
    char want[AUTH_HEX_LEN];
    mail_sub_token(ctx, scope, sid, c.created_at, want);
    sub_copy_release(&c);
    return token && auth_equal(token, want) ? 0 : PB_EINVAL;
}

int mail_sub_check(const char *email, const char *query, char *err, size_t errlen)
{
    char why[128];
    if (mail_addr_check(email, why, sizeof why)) {
        snprintf(err, errlen, "the address %s", why);
        return PB_EINVAL;
    }
    if (!query || !*query)
        return 0;
    if (mail_text_check(query, STORE_SUB_QUERY_MAX, why, sizeof why)) {
        snprintf(err, errlen, "the search %s", why);
        return PB_EINVAL;
    }
    struct query *q = NULL;
    if (query_parse(query, strlen(query), 0, &q, why, sizeof why)) {
        snprintf(err, errlen, "the search cannot be read: %s", why);
        return PB_EINVAL;
    }
    int has_words = q->root != NULL;
    query_free(q);
    if (!has_words) {
        snprintf(err, errlen, "the search has no words to look for");
        return PB_EINVAL;
    }
    return 0;
}

/* The host part of the sender's address, for Message-IDs. */
static const char *msgid_host(const struct mail_conf *c)
{
    const char *at = strrchr(c->from_addr, '@');
    return at ? at + 1 : "localhost";
}

static const char *from_name(const struct mail_conf *c)
{
    return c->from_name && *c->from_name ? c->from_name : c->site_name;
}

void mail_periods(const struct mail_conf *c, int64_t now, char day[11], char week[9])
{
    int64_t local = now + tz_offset(c->tz, now);
    int64_t d = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    date_format_day(d, day);
    week[0] = 0;
    if (date_weekday(d) >= c->weekly_day)
        date_format_week(d, week);
}

long mail_local_seconds(const struct mail_conf *c, int64_t now)
{
    int64_t local = now + tz_offset(c->tz, now);
    long s = (long)(local % 86400);
    return s < 0 ? s + 86400 : s;
}

static void footer_links(const struct mail_ctx *ctx, const struct sub_copy *u, struct buf *unsub,
                         struct buf *manage)
{
    char t[AUTH_HEX_LEN];
    mail_sub_token(ctx, "unsubscribe", u->sid, u->created_at, t);
    putf(unsub, "%s/mail/unsubscribe?s=%lld&t=%s", ctx->conf->base_url, (long long)u->sid, t);
    mail_addr_token(ctx, u->email, t);
    putf(manage, "%s/mail/manage?e=", ctx->conf->base_url);
    url_esc(manage, u->email);
    putf(manage, "&t=%s", t);
}

static int queue_plain(struct mail_ctx *ctx, enum store_msg_kind kind, int64_t sid,
                       const char *period, const char *rcpt, const char *subject,
                       const char *msgid, const char *text, int64_t now, int64_t *mid,
                       char *err, size_t errlen)
{
    struct mail_msg m = {ctx->conf->from_addr, from_name(ctx->conf), rcpt, subject, now, msgid,
                         NULL, NULL, text, NULL};
    struct buf out = BUF_INIT(MAIL_MSG_MAX);
    int rc = mail_render(&m, &out, err, errlen);
    if (rc) {
        buf_release(&out);
        return rc;
    }
    char ts[DATE_TS_LEN + 1];
    date_format_ts(now, ts);
    struct store_msg sm = {0};
    sm.kind = kind;
    sm.sid = sid;
    sm.period = period;
    sm.rcpt = rcpt;
    sm.subject = subject;
    sm.message_id = msgid;
    sm.data = buf_str(&out);
    sm.data_len = out.len;
    int is_new = 0;
    rc = store_msg_add(ctx->st, &sm, ts, mid, &is_new);
    buf_release(&out);
    if (rc)
        snprintf(err, errlen, "cannot queue the message: %s", store_errmsg(ctx->st));
    else if (!is_new)
        *mid = 0;
    return rc;
}

static void describe(struct buf *b, const struct sub_copy *u)
{
    if (u->query[0])
        putf(b, "new papers matching \"%s\", %s", u->query, u->is_weekly ? "weekly" : "daily");
    else
        putf(b, "the %s digest of trending papers", u->is_weekly ? "weekly" : "daily");
}

int mail_queue_confirm(struct mail_ctx *ctx, int64_t sid, int64_t now, int64_t *mid, char *err,
                       size_t errlen)
{
    struct sub_copy u = {0};
    *mid = 0;
    int rc = store_sub_get(ctx->st, sid, on_sub_copy, &u);
    if (rc) {
        snprintf(err, errlen, "no subscription %lld", (long long)sid);
        return rc;
    }
    char t[AUTH_HEX_LEN], day[DATE_TS_LEN + 1], msgid[300], subject[300];
    mail_sub_token(ctx, "confirm", sid, u.created_at, t);
    date_format_ts(now, day);
    day[DATE_DAY_LEN] = 0;
    snprintf(msgid, sizeof msgid, "<confirm.%lld.%s@%s>", (long long)sid, day,
             msgid_host(ctx->conf));
    snprintf(subject, sizeof subject, "Confirm your subscription to %s", ctx->conf->site_name);
    struct buf text = BUF_INIT((size_t)-1);
    putf(&text, "Hello,\n\nsomeone, hopefully you, asked %s to send this address ",
         ctx->conf->site_name);
    describe(&text, &u);
    putf(&text, ".\n\nTo confirm, open this link and press the button:\n\n%s/mail/confirm?s=%lld"
                "&t=%s\n\nIf you did not ask for this, ignore this message: nothing is sent "
                "unless you confirm, and the request is forgotten after %d days.\n\n-- \n%s\n%s\n",
         ctx->conf->base_url, (long long)sid, t, MAIL_CONFIRM_DAYS, ctx->conf->site_name,
         ctx->conf->base_url);
    rc = queue_plain(ctx, STORE_MSG_CONFIRM, sid, day, u.email, subject, msgid,
                     buf_str(&text), now, mid, err, errlen);
    buf_release(&text);
    sub_copy_release(&u);
    return rc;
}

int mail_queue_reset(struct mail_ctx *ctx, const char *user_name, const char *email,
                     const char *token, int64_t now, int64_t *mid, char *err, size_t errlen)
{
    char h[AUTH_HEX_LEN], msgid[300], subject[300], ts[DATE_TS_LEN + 1];
    auth_token_hash(token, h);
    date_format_ts(now, ts);
    /* The period keeps reset mails apart (sid is NULL: never a duplicate anyway). */
    snprintf(msgid, sizeof msgid, "<reset.%.16s@%s>", h, msgid_host(ctx->conf));
    snprintf(subject, sizeof subject, "Reset your password on %s", ctx->conf->site_name);
    struct buf text = BUF_INIT((size_t)-1);
    putf(&text, "Hello %s,\n\nsomeone, hopefully you, asked to reset the password of your "
                "account on %s.\n\nTo choose a new password, open this link within %d "
                "minutes (it works once):\n\n%s/reset?t=%s\n\nIf you did not ask for this, "
                "ignore this message: your password stays as it is.\n\n-- \n%s\n%s\n",
         user_name, ctx->conf->site_name, MAIL_RESET_SECONDS / 60, ctx->conf->base_url, token,
         ctx->conf->site_name, ctx->conf->base_url);
    int rc = queue_plain(ctx, STORE_MSG_RESET, 0, ts, email, subject, msgid, buf_str(&text),
                         now, mid, err, errlen);
    buf_release(&text);
    return rc;
}

/* ---- digests ---- */

struct group {
    int is_search, is_weekly;
    const char *query;
    int64_t last_pid;
    int n_papers;
    long long n_more;    /* saved search: further new papers not listed */
    char *top_title;
    struct buf text, html; /* the papers, rendered once for the whole group */
    /* while rendering */
    const struct mail_ctx *ctx;
    const struct index_result *res;
};

static void group_release(struct group *g)
{
    xfree(g->top_title);
    buf_release(&g->text);
    buf_release(&g->html);
}

static int is_arxiv_id(const char *id)
{
    return id[0] && !strchr(id, ':');
}

static void authors_line(struct buf *b, const char *authors, int is_html)
{
    int n = 0;
    const char *p = authors;
    while (*p && n < AUTHORS_SHOWN) {
        size_t len = strcspn(p, "\n");
        if (n)
            puts_(b, ", ");
        if (is_html)
            esc_n(b, p, len);
        else
            put(b, p, len);
        n++;
        p += len;
        if (*p)
            p++;
    }
    int rest = 0;
    for (; *p; p++)
        rest += *p == '\n';
    if (*authors && n == AUTHORS_SHOWN && (rest || *(p - 1) != '\n'))
        rest++;
    if (rest > 0 && n == AUTHORS_SHOWN)
        putf(b, " and %d more", rest);
}

static int on_paper(void *arg, const struct store_card *c)
{
    struct group *g = arg;
    const struct mail_conf *conf = g->ctx->conf;
    if (g->n_papers >= conf->max_papers) {
        g->n_more++;
        return 0;
    }
    if (!g->top_title)
        g->top_title = xstrdup(c->title);
    g->n_papers++;
    /* why it is here */
    struct buf why = BUF_INIT((size_t)-1), words = BUF_INIT((size_t)-1);
    long long points = c->votes + (c->hf_upvotes > 0 ? c->hf_upvotes : 0);
    /* the abstract excerpt: around the matches for a search, the opening otherwise */
    const char *abs = c->abstract;
    size_t ws = 0, we = cut(abs, ABSTRACT_BYTES), n_spans = 0;
    struct index_span *spans = NULL;
    if (g->res && *abs) {
        n_spans = index_snippet_spans(g->res, abs, strlen(abs), ABSTRACT_BYTES, &ws, &we, &spans);
        struct index_span *ts = NULL;
        size_t tws, twe, nt = index_snippet_spans(g->res, c->title, strlen(c->title), 1000, &tws,
                                                  &twe, &ts);
        /* the distinct words that matched, as written, title first */
        for (int pass = 0; pass < 2; pass++) {
            const char *text = pass ? abs : c->title;
            struct index_span *sp = pass ? spans : ts;
            size_t n = pass ? n_spans : nt;
            for (size_t i = 0; i < n && words.len < 120; i++) {
                size_t len = sp[i].end - sp[i].start;
                char w[64];
                if (len == 0 || len >= sizeof w)
                    continue;
                for (size_t k = 0; k < len; k++) {
                    char ch = text[sp[i].start + k];
                    w[k] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
                }
                w[len] = 0;
                const char *seen = buf_str(&words);
                size_t wl = strlen(w);
                int dup = 0;
                for (const char *q = seen; (q = strstr(q, w)); q += wl)
                    if ((q == seen || q[-2] == ',') && (q[wl] == ',' || !q[wl]))
                        dup = 1;
                if (!dup) {
                    if (words.len)
                        puts_(&words, ", ");
                    puts_(&words, w);
                }
            }
        }
        xfree(ts);
    } else if (!*abs) {
        we = 0;
    }
    if (g->is_search) {
        putf(&why, "matches: %s", words.len ? buf_str(&words) : "your search");
    } else {
        if (points > 0)
            putf(&why, "▲ %lld point%s", points, points == 1 ? "" : "s");
        else
            puts_(&why, "new");
        if (c->n_comments > 0)
            putf(&why, " · %lld comment%s", c->n_comments, c->n_comments == 1 ? "" : "s");
    }
    if (c->day[0])
        putf(&why, " · listed %s", c->day);
    /* text */
    struct buf *t = &g->text;
    char num[16];
    snprintf(num, sizeof num, "%d. ", g->n_papers);
    struct buf title = BUF_INIT((size_t)-1);
    puts_(&title, num);
    puts_(&title, c->title);
    wrap2(t, buf_str(&title), title.len, 69, "", "   ");
    buf_release(&title);
    struct buf al = BUF_INIT((size_t)-1);
    authors_line(&al, c->authors, 0);
    wrap(t, buf_str(&al), al.len, 69, "   ");
    buf_release(&al);
    wrap(t, buf_str(&why), why.len, 69, "   ");
    if (we > ws) {
        struct buf ex = BUF_INIT((size_t)-1);
        if (ws)
            puts_(&ex, "… ");
        put(&ex, abs + ws, we - ws);
        if (we < strlen(abs))
            puts_(&ex, " …");
        wrap(t, buf_str(&ex), ex.len, 69, "   ");
        buf_release(&ex);
    }
    putf(t, "   %s/papers/%s\n", conf->base_url, c->id);
    if (is_arxiv_id(c->id))
        putf(t, "   https://arxiv.org/abs/%s\n", c->id);
    puts_(t, "\n");
    /* HTML: a table row with inline styles (mail clients drop <style> and external CSS) */
    struct buf *h = &g->html;
    puts_(h, "<tr><td style=\"padding:14px 0;border-bottom:1px solid #e6e6e6\">"
             "<div style=\"font-size:16px;line-height:1.35;font-weight:600\">");
    putf(h, "<a href=\"%s/papers/", conf->base_url);
    esc(h, c->id);
    puts_(h, "\" style=\"color:#1a4f8b;text-decoration:none\">");
    esc(h, c->title);
    puts_(h, "</a></div><div style=\"font-size:13px;color:#555;margin-top:3px\">");
    authors_line(h, c->authors, 1);
    puts_(h, "</div><div style=\"font-size:12px;color:#9a6700;margin-top:4px\">");
    esc(h, buf_str(&why));
    puts_(h, "</div>");
    if (we > ws) {
        puts_(h, "<div style=\"font-size:14px;line-height:1.5;color:#222;margin-top:6px\">");
        if (ws)
            puts_(h, "… ");
        size_t at = ws;
        for (size_t i = 0; i < n_spans; i++) {
            if (spans[i].start < at || spans[i].end > we)
                continue;
            esc_n(h, abs + at, spans[i].start - at);
            puts_(h, "<b>");
            esc_n(h, abs + spans[i].start, spans[i].end - spans[i].start);
            puts_(h, "</b>");
            at = spans[i].end;
        }
        esc_n(h, abs + at, we - at);
        if (we < strlen(abs))
            puts_(h, " …");
        puts_(h, "</div>");
    }
    puts_(h, "<div style=\"font-size:13px;margin-top:6px\">");
    putf(h, "<a href=\"%s/papers/", conf->base_url);
    esc(h, c->id);
    puts_(h, "\" style=\"color:#1a4f8b\">");
    esc(h, conf->site_name);
    puts_(h, "</a>");
    if (is_arxiv_id(c->id)) {
        puts_(h, " · <a href=\"https://arxiv.org/abs/");
        esc(h, c->id);
        puts_(h, "\" style=\"color:#1a4f8b\">arXiv</a> · <a href=\"https://arxiv.org/pdf/");
        esc(h, c->id);
        puts_(h, "\" style=\"color:#1a4f8b\">PDF</a>");
    }
    puts_(h, "</div></td></tr>\n");
    xfree(spans);
    buf_release(&why);
    buf_release(&words);
    return 0;
}

static int64_t trending_window_of(int is_weekly)
{
    return is_weekly ? 7 * 86400 : 86400;
}

/* Choose and render the papers of a group. 0, or PB_EINVAL when its saved search no longer
 * parses (the group is skipped). */
static int group_build(struct mail_ctx *ctx, struct index *ix, int64_t max_pid, int64_t now,
                       struct group *g, char *err, size_t errlen)
{
    const struct mail_conf *conf = ctx->conf;
    g->ctx = ctx;
    buf_init(&g->text, (size_t)-1);
    buf_init(&g->html, (size_t)-1);
    if (!g->is_search) {
        int rc = store_cards_trending(ctx->st, now, trending_window_of(g->is_weekly),
                                      conf->max_papers, on_paper, g);
        if (rc)
            snprintf(err, errlen, "%s", store_errmsg(ctx->st));
        return rc;
    }
    if (!ix) {
        snprintf(err, errlen, "no search index");
        return PB_EINVAL;
    }
    struct query *q = NULL;
    int rc = query_parse(g->query, strlen(g->query), 0, &q, err, errlen);
    if (rc)
        return rc;
    /* New papers are those the store got since the last digest (pid above the watermark) that
     * are also recent by date: a bulk import of old papers is not "new". The date bound also
     * keeps the candidate set small. */
    char after[DATE_TS_LEN + 1];
    date_format_ts(now - (int64_t)(g->is_weekly ? SEARCH_DAYS_WEEKLY : SEARCH_DAYS_DAILY) * 86400,
                   after);
    after[DATE_DAY_LEN] = 0;
    if (strcmp(q->after, after) < 0)
        memcpy(q->after, after, DATE_DAY_LEN + 1);
    if (q->before[0] && strcmp(q->before, q->after) < 0) {
        query_free(q);
        return 0;
    }
    struct index_result res;
    struct index_search_opts o = {
        .k = MAIL_CANDIDATES, .id_lookup = store_id_lookup, .id_ctx = ctx->st};
    rc = index_search(ix, q, &o, &res, err, errlen);
    query_free(q);
    if (rc)
        return rc;
    int64_t *pids = xmalloc((res.n_hits ? res.n_hits : 1) * sizeof *pids);
    int n = 0;
    if (!res.relaxed) /* "any of the words" is not what an alert promised */
        for (size_t i = 0; i < res.n_hits; i++)
            if ((int64_t)res.hits[i].docid > g->last_pid && (int64_t)res.hits[i].docid <= max_pid)
                pids[n++] = res.hits[i].docid;
    g->res = &res;
    rc = store_cards_pids(ctx->st, pids, n, on_paper, g);
    g->res = NULL;
    if (rc)
        snprintf(err, errlen, "%s", store_errmsg(ctx->st));
    index_result_release(&res);
    xfree(pids);
    return rc;
}

static void day_words(const char *day, char *out, size_t n)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y = 0, m = 0, d = 0;
    if (sscanf(day, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
        snprintf(out, n, "%d %s %d", d, months[m - 1], y);
    else
        snprintf(out, n, "%s", day);
}

static void subject_of(const struct mail_ctx *ctx, const struct group *g, const char *period,
                       struct buf *s)
{
    char when[40];
    day_words(period, when, sizeof when);
    if (g->is_search)
        putf(s, "%d new paper%s for \"%s\": ", g->n_papers + (int)g->n_more,
             g->n_papers + g->n_more == 1 ? "" : "s", g->query);
    else if (g->is_weekly)
        putf(s, "Trending on %s, week %s: ", ctx->conf->site_name, period);
    else
        putf(s, "Trending on %s, %s: ", ctx->conf->site_name, when);
    const char *t = g->top_title ? g->top_title : "";
    size_t k = cut(t, TITLE_IN_SUBJECT);
    put(s, t, k);
    if (k < strlen(t))
        puts_(s, "…");
}

/* One subscriber's message around the group's papers. */
static int render_digest(struct mail_ctx *ctx, const struct group *g, const struct sub_copy *u,
                         const char *period, int64_t now, struct buf *out, struct buf *subject,
                         char *msgid, size_t msgid_len, char *err, size_t errlen)
{
    const struct mail_conf *conf = ctx->conf;
    struct buf unsub = BUF_INIT((size_t)-1), manage = BUF_INIT((size_t)-1);
    struct buf text = BUF_INIT((size_t)-1), html = BUF_INIT((size_t)-1),
               head = BUF_INIT((size_t)-1), search = BUF_INIT((size_t)-1);
    footer_links(ctx, u, &unsub, &manage);
    buf_reset(subject);
    subject_of(ctx, g, period, subject);
    char when[40];
    day_words(period, when, sizeof when);
    if (g->is_search) {
        putf(&head, "New papers matching \"%s\"", g->query);
        putf(&search, "%s/search?q=", conf->base_url);
        url_esc(&search, g->query);
    } else if (g->is_weekly) {
        putf(&head, "Trending on %s, week %s", conf->site_name, period);
    } else {
        putf(&head, "Trending on %s, %s", conf->site_name, when);
    }
    /* text/plain */
    wrap(&text, buf_str(&head), head.len, 72, "");
    puts_(&text, "\n");
    put(&text, g->text.data, g->text.len);
    if (g->n_more)
        putf(&text, "... and %lld more: %s\n\n", g->n_more, buf_str(&search));
    puts_(&text, "-- \nYou get this because ");
    puts_(&text, u->email);
    puts_(&text, " subscribed to ");
    describe(&text, u);
    putf(&text, " on %s.\nUnsubscribe: %s\nManage your subscriptions: %s\n", conf->site_name,
         buf_str(&unsub), buf_str(&manage));
    /* text/html */
    puts_(&html, "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                 "content=\"width=device-width\"><title>");
    esc(&html, buf_str(&head));
    puts_(&html, "</title></head><body style=\"margin:0;padding:0;background:#f6f6f4\">"
                 "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" "
                 "style=\"background:#f6f6f4\"><tr><td align=\"center\" style=\"padding:16px\">"
                 "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" "
                 "style=\"max-width:640px;background:#ffffff;border:1px solid #e6e6e6;"
                 "border-radius:6px;font-family:-apple-system,'Segoe UI',Helvetica,Arial,"
                 "sans-serif\"><tr><td style=\"padding:18px 22px\">"
                 "<h1 style=\"font-size:20px;margin:0 0 4px 0;color:#111\">");
    esc(&html, buf_str(&head));
    puts_(&html, "</h1><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" "
                 "cellspacing=\"0\">\n");
    put(&html, g->html.data, g->html.len);
    puts_(&html, "</table>");
    if (g->n_more) {
        putf(&html, "<p style=\"font-size:14px;margin:14px 0 0 0\"><a href=\"");
        esc(&html, buf_str(&search));
        putf(&html, "\" style=\"color:#1a4f8b\">… and %lld more on ", g->n_more);
        esc(&html, conf->site_name);
        puts_(&html, "</a></p>");
    }
    puts_(&html, "<p style=\"font-size:12px;color:#777;margin:18px 0 0 0;line-height:1.5\">"
                 "You get this because ");
    esc(&html, u->email);
    puts_(&html, " subscribed to ");
    struct buf d = BUF_INIT((size_t)-1);
    describe(&d, u);
    esc(&html, buf_str(&d));
    buf_release(&d);
    puts_(&html, " on ");
    esc(&html, conf->site_name);
    puts_(&html, ".<br><a href=\"");
    esc(&html, buf_str(&unsub));
    puts_(&html, "\" style=\"color:#777\">Unsubscribe</a> · <a href=\"");
    esc(&html, buf_str(&manage));
    puts_(&html, "\" style=\"color:#777\">Manage your subscriptions</a></p>"
                 "</td></tr></table></td></tr></table></body></html>\n");
    snprintf(msgid, msgid_len, "<digest.%lld.%s@%s>", (long long)u->sid, period,
             msgid_host(conf));
    char list_id[300];
    snprintf(list_id, sizeof list_id, "<%s.digest.%s>", g->is_search ? "alerts" : "trending",
             msgid_host(conf));
    struct mail_msg m = {conf->from_addr, from_name(conf), u->email, buf_str(subject), now,
                         msgid, buf_str(&unsub), list_id, buf_str(&text), buf_str(&html)};
    int rc = mail_render(&m, out, err, errlen);
    buf_release(&unsub);
    buf_release(&manage);
    buf_release(&text);
    buf_release(&html);
    buf_release(&head);
    buf_release(&search);
    return rc;
}

struct due_list {
    struct sub_copy *v;
    size_t n, cap;
};

static int on_due(void *arg, const struct store_sub *u)
{
    struct due_list *l = arg;
    l->v = xgrow(l->v, sizeof *l->v, l->n + 1, &l->cap);
    memset(&l->v[l->n], 0, sizeof l->v[l->n]);
    on_sub_copy(&l->v[l->n], u);
    l->n++;
    return 0;
}

static int same_group(const struct sub_copy *a, const struct sub_copy *b)
{
    return a->is_weekly == b->is_weekly && !strcmp(a->query, b->query) &&
           (!a->query[0] || a->last_pid == b->last_pid);
}

int mail_compose_due(struct mail_ctx *ctx, struct index *ix, int64_t max_pid, int64_t now,
                     struct mail_stats *stats, char *err, size_t errlen)
{
    struct store *st = ctx->st;
    char day[11], week[9], ts[DATE_TS_LEN + 1];
    mail_periods(ctx->conf, now, day, week);
    date_format_ts(now, ts);
    err[0] = 0;
    if (!ctx->is_dry_run) { /* housekeeping: unconfirmed opt-ins expire, old rows go */
        char before[DATE_TS_LEN + 1];
        int n = 0;
        date_format_ts(now - MAIL_CONFIRM_DAYS * 86400, before);
        if (store_sub_expire_pending(st, before, &n)) {
            snprintf(err, errlen, "%s", store_errmsg(st));
            return PB_EDB;
        }
        date_format_ts(now - 90 * 86400, before);
        if (store_msg_prune(st, before, &n)) {
            snprintf(err, errlen, "%s", store_errmsg(st));
            return PB_EDB;
        }
    }
    struct due_list due = {0};
    int rc = store_subs_due(st, day, week[0] ? week : NULL, on_due, &due);
    if (rc) {
        snprintf(err, errlen, "%s", store_errmsg(st));
        return rc;
    }
    stats->due += (long)due.n;
    struct buf msg = BUF_INIT(MAIL_MSG_MAX), subject = BUF_INIT((size_t)-1);
    const char *kill_at = getenv("PAPERBOY_MAIL_KILL"); /* fault injection for tests */
    long kill_compose =
        kill_at && !strncmp(kill_at, "compose:", 8) ? strtol(kill_at + 8, NULL, 10) : -1;
    int in_txn = 0, n_txn = 0;
    long n_done = 0;
    for (size_t i = 0; i < due.n && !rc;) {
        size_t j = i + 1;
        while (j < due.n && same_group(&due.v[i], &due.v[j]))
            j++;
        struct group g;
        memset(&g, 0, sizeof g);
        g.is_search = due.v[i].query[0] != 0;
        g.is_weekly = due.v[i].is_weekly;
        g.query = due.v[i].query;
        g.last_pid = due.v[i].last_pid;
        char why[256];
        int brc = group_build(ctx, ix, max_pid, now, &g, why, sizeof why);
        stats->groups++;
        if (brc && brc != PB_EINVAL && brc != PB_ETOOBIG) {
            snprintf(err, errlen, "%s", why);
            rc = brc;
            group_release(&g);
            break;
        }
        for (size_t k = i; k < j && !rc; k++) {
            struct sub_copy *u = &due.v[k];
            const char *period = u->is_weekly ? week : day;
            if (brc) {
                stats->skipped++;
                if (ctx->log)
                    fprintf(ctx->log, "skipped %s (subscription %lld): \"%s\": %s\n", u->email,
                            (long long)u->sid, u->query, why);
                continue;
            }
            if (ctx->is_dry_run) {
                if (g.n_papers) {
                    buf_reset(&subject);
                    subject_of(ctx, &g, period, &subject);
                    stats->queued++;
                    stats->papers += g.n_papers;
                } else {
                    stats->empty++;
                }
                if (ctx->log)
                    fprintf(ctx->log, "%s %s (subscription %lld, %s): %s\n",
                            g.n_papers ? "would send" : "nothing for", u->email,
                            (long long)u->sid, period,
                            g.n_papers ? buf_str(&subject) : "no papers, not sent");
                continue;
            }
            if (!in_txn) {
                if ((rc = store_begin(st)))
                    break;
                in_txn = 1;
            }
            int claimed = 0;
            if ((rc = store_sub_claim(st, u->sid, period, max_pid, &claimed)))
                break;
            if (!claimed) {
                stats->skipped++;
            } else if (!g.n_papers) {
                stats->empty++;
            } else {
                char msgid[300];
                buf_reset(&msg);
                int mrc = render_digest(ctx, &g, u, period, now, &msg, &subject, msgid,
                                        sizeof msgid, why, sizeof why);
                if (mrc) { /* one bad address must not stop everyone's digest */
                    stats->skipped++;
                    if (ctx->log)
                        fprintf(ctx->log, "skipped %s (subscription %lld): %s\n", u->email,
                                (long long)u->sid, why);
                } else {
                    struct store_msg sm = {0};
                    sm.kind = STORE_MSG_DIGEST;
                    sm.sid = u->sid;
                    sm.period = period;
                    sm.rcpt = u->email;
                    sm.subject = buf_str(&subject);
                    sm.message_id = msgid;
                    sm.n_papers = g.n_papers;
                    sm.data = msg.data;
                    sm.data_len = msg.len;
                    int is_new = 0;
                    if ((rc = store_msg_add(st, &sm, ts, NULL, &is_new)))
                        break;
                    if (is_new) {
                        stats->queued++;
                        stats->papers += g.n_papers;
                    } else {
                        stats->skipped++;
                    }
                }
            }
            n_done++;
            if (n_done == kill_compose)
                abort(); /* PAPERBOY_MAIL_KILL=compose:N: die with the batch open */
            if (++n_txn >= BATCH) {
                in_txn = 0;
                n_txn = 0;
                if ((rc = store_commit(st)))
                    break;
            }
        }
        group_release(&g);
        i = j;
    }
    if (in_txn) {
        if (rc)
            store_rollback(st);
        else
            rc = store_commit(st);
    }
    if (rc && !err[0])
        snprintf(err, errlen, "%s", store_errmsg(st));
    buf_release(&msg);
    buf_release(&subject);
    for (size_t i = 0; i < due.n; i++)
        sub_copy_release(&due.v[i]);
    xfree(due.v);
    return rc;
}
