/* The read-only pages: daily listing, trending, a paper, search, a user, about, stats. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../rank/trending.h"
#include "../util/alloc.h"
#include "../util/date.h"
#include "../util/text.h"
#include "internal.h"

#define SNIPPET_BYTES 320

/* ---- shared: a period of days from ?date= / ?week= / ?month= ---- */

int http_period(struct req *r, struct http_period *pd)
{
    memset(pd, 0, sizeof *pd);
    const char *date = form_get(&r->query, "date"), *week = form_get(&r->query, "week"),
               *month = form_get(&r->query, "month");
    int64_t first, last;
    if (week && *week) {
        if (date_parse_week(week, &first, &last))
            return -1;
        pd->kind = 'w';
    } else if (month && *month) {
        if (date_parse_month(month, &first, &last))
            return -1;
        pd->kind = 'm';
    } else if (date && *date) {
        if (date_parse_day(date, &first))
            return -1;
        last = first;
        pd->kind = 'd';
    } else {
        char day[DATE_DAY_LEN + 1];
        if (store_latest_day(r->w->st, day))
            date_format_day(http_now(r) / 86400, day);
        if (date_parse_day(day, &first))
            return -1;
        last = first;
        pd->kind = 'd';
        pd->is_default = 1;
    }
    date_format_day(first, pd->first);
    date_format_day(last, pd->last);
    pd->first_day = first;
    pd->last_day = last;
    return 0;
}

/* The label and the query string of the period shifted by step (-1 previous, +1 next). */
static void period_link(const struct http_period *pd, int step, char *qs, size_t n, char *label,
                        size_t ln)
{
    char v[16];
    if (pd->kind == 'w') {
        date_format_week(pd->first_day + 7 * step, v);
        snprintf(qs, n, "week=%s", v);
    } else if (pd->kind == 'm') {
        int64_t d = step < 0 ? pd->first_day - 1 : pd->last_day + 1;
        date_format_day(d, v);
        v[7] = 0;
        snprintf(qs, n, "month=%s", v);
    } else {
        date_format_day(pd->first_day + step, v);
        snprintf(qs, n, "date=%s", v);
    }
    snprintf(label, ln, "%s", v);
}

struct cards_ctx {
    struct req *r;
    int rank;
    int n;
};

static int on_card(void *ctx, const struct store_card *c)
{
    struct cards_ctx *cc = ctx;
    cc->n++;
    html_card(cc->r, c, NULL, cc->rank ? cc->rank++ : 0);
    return 0;
}

static long page_number(struct req *r)
{
    const char *p = form_get(&r->query, "p");
    long v = p ? strtol(p, NULL, 10) : 0;
    return v < 0 ? 0 : v > 10000 ? 10000 : v;
}

void page_daily(struct req *r)
{
    struct http_period pd;
    if (http_period(r, &pd)) {
        http_error(r, 400, "Give a date as YYYY-MM-DD, a week as YYYY-Www or a month as YYYY-MM.");
        return;
    }
    const char *sort = form_get(&r->query, "sort");
    int is_new = sort && !strcmp(sort, "new");
    long page = page_number(r);
    char title[64];
    if (pd.kind == 'd')
        snprintf(title, sizeof title, "Papers of %s", pd.first);
    else if (pd.kind == 'w')
        snprintf(title, sizeof title, "Papers of the week %s to %s", pd.first, pd.last);
    else
        snprintf(title, sizeof title, "Papers of %.7s", pd.first);
    html_begin(r, title, NULL);
    out_str(r, "<main><h1>");
    html_esc(r, title);
    out_str(r, "</h1>");
    char qs[64], label[16], base[40];
    if (pd.kind == 'w')
        snprintf(base, sizeof base, "week=%s", (date_format_week(pd.first_day, label), label));
    else if (pd.kind == 'm')
        snprintf(base, sizeof base, "month=%.7s", pd.first);
    else
        snprintf(base, sizeof base, "date=%s", pd.first);
    out_str(r, "<nav class=\"pager\"><span>");
    period_link(&pd, -1, qs, sizeof qs, label, sizeof label);
    out_fmt(r, "<a rel=\"prev\" href=\"/papers?%s\">← %s</a>", qs, label);
    out_str(r, "</span><span class=\"tabs\">");
    char wk[16];
    date_format_week(pd.first_day, wk);
    out_fmt(r, "<a class=\"%s\" href=\"/papers?date=%s\">Day</a>", pd.kind == 'd' ? "on" : "",
            pd.first);
    out_fmt(r, "<a class=\"%s\" href=\"/papers?week=%s\">Week</a>", pd.kind == 'w' ? "on" : "",
            wk);
    out_fmt(r, "<a class=\"%s\" href=\"/papers?month=%.7s\">Month</a>",
            pd.kind == 'm' ? "on" : "", pd.first);
    out_str(r, "</span><span class=\"tabs\">");
    out_fmt(r, "<a class=\"%s\" href=\"/papers?%s\">Top</a>", is_new ? "" : "on", base);
    out_fmt(r, "<a class=\"%s\" href=\"/papers?%s&amp;sort=new\">New</a>", is_new ? "on" : "",
            base);
    out_str(r, "</span><span>");
    period_link(&pd, +1, qs, sizeof qs, label, sizeof label);
    out_fmt(r, "<a rel=\"next\" href=\"/papers?%s\">%s →</a>", qs, label);
    out_str(r, "</span></nav>");
    struct cards_ctx cc = {r, (int)(page * HTTP_PAGE_SIZE) + 1, 0};
    long long total = 0;
    if (store_cards_days(r->w->st, pd.first, pd.last, is_new ? STORE_SORT_NEW : STORE_SORT_TRENDING,
                         (int)(page * HTTP_PAGE_SIZE), HTTP_PAGE_SIZE, &total, on_card, &cc)) {
        http_error(r, 500, "Reading the papers failed: %s", store_errmsg(r->w->st));
        return;
    }
    if (cc.n == 0)
        out_str(r, "<p class=\"note\">No papers were listed in this period.</p>");
    out_str(r, "<nav class=\"pager\"><span>");
    if (page > 0)
        out_fmt(r, "<a href=\"/papers?%s%s&amp;p=%ld\">← Previous page</a>", base,
                is_new ? "&amp;sort=new" : "", page - 1);
    out_fmt(r, "</span><span class=\"note\">%lld papers</span><span>", total);
    if ((page + 1) * HTTP_PAGE_SIZE < total)
        out_fmt(r, "<a href=\"/papers?%s%s&amp;p=%ld\">Next page →</a>", base,
                is_new ? "&amp;sort=new" : "", page + 1);
    out_str(r, "</span></nav></main>");
    html_end(r);
    r->cacheable = 1;
}

int64_t http_trending_now(struct req *r)
{
    int64_t now = http_now(r), last = 0;
    if (store_last_activity(r->w->st, &last) == 0 && last > 0 && last < now)
        return last;
    return now;
}

void page_trending(struct req *r)
{
    const char *win = form_get(&r->query, "window");
    if (!win || !*win)
        win = "week";
    int64_t window = trending_window(win);
    if (!window) {
        http_error(r, 400, "The window is day, week or month.");
        return;
    }
    int64_t now = http_trending_now(r);
    char asof[DATE_TS_LEN + 1];
    date_format_ts(now, asof);
    html_begin(r, "Trending", NULL);
    out_str(r, "<main><h1>Trending papers</h1><nav class=\"pager\"><span class=\"tabs\">");
    static const char *const wins[] = {"day", "week", "month"};
    for (int i = 0; i < 3; i++)
        out_fmt(r, "<a class=\"%s\" href=\"/trending?window=%s\">Past %s</a>",
                strcmp(win, wins[i]) ? "" : "on", wins[i], wins[i]);
    out_str(r, "</span></nav><p class=\"note\">Ranked by <code>" TRENDING_FORMULA
               "</code>, where points are upvotes here plus upvotes imported with the paper and "
               "age counts from the paper's listing day or its first submission here, whichever "
               "is later. As of ");
    html_esc(r, asof);
    out_str(r, ".</p>");
    struct cards_ctx cc = {r, 1, 0};
    if (store_cards_trending(r->w->st, now, window, 50, on_card, &cc)) {
        http_error(r, 500, "Reading the papers failed: %s", store_errmsg(r->w->st));
        return;
    }
    if (!cc.n)
        out_str(r, "<p class=\"note\">Nothing appeared, was voted for or submitted in this "
                   "window.</p>");
    out_str(r, "</main>");
    html_end(r);
    r->cacheable = 1;
    r->max_age = 60; /* scores decay with time even when nothing changes */
}

/* ---- search ---- */

char *http_snippet_html(const struct index_result *res, const char *text)
{
    size_t ws, we, len = strlen(text);
    struct index_span *spans = NULL;
    size_t n = index_snippet_spans(res, text, len, SNIPPET_BYTES, &ws, &we, &spans);
    struct buf b = BUF_INIT(HTTP_MAX_PAGE);
    int bad = 0;
    if (ws > 0)
        bad |= buf_puts(&b, "…");
    size_t at = ws;
    for (size_t i = 0; i < n; i++) {
        if (spans[i].start < at || spans[i].end > we)
            continue;
        bad |= text_html_escape(&b, text + at, spans[i].start - at);
        bad |= buf_puts(&b, "<mark>");
        bad |= text_html_escape(&b, text + spans[i].start, spans[i].end - spans[i].start);
        bad |= buf_puts(&b, "</mark>");
        at = spans[i].end;
    }
    bad |= text_html_escape(&b, text + at, we - at);
    if (we < len)
        bad |= buf_puts(&b, "…");
    (void)bad; /* a snippet is far below the page cap */
    xfree(spans);
    return buf_take(&b);
}

int http_search(struct req *r, const char *text, size_t k, size_t offset,
                struct http_hits *h)
{
    memset(h, 0, sizeof *h);
    struct query *q = NULL;
    if (query_parse(text, strlen(text), 0, &q, h->err, sizeof h->err))
        return PB_EINVAL;
    if (q->jump_id[0]) {
        snprintf(h->jump_id, sizeof h->jump_id, "%s", q->jump_id);
        struct paper p;
        paper_init(&p);
        int found = store_paper_get(r->w->st, q->jump_id, &p) == 0;
        paper_clear(&p);
        if (found) {
            query_free(q);
            h->jumped = 1;
            return 0;
        }
    }
    struct index *ix = http_index(r);
    if (!ix) {
        query_free(q);
        return PB_EIO;
    }
    int64_t t0 = 0;
    {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        t0 = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    }
    struct index_search_opts o = {
        .k = k, .offset = offset, .id_lookup = store_id_lookup, .id_ctx = r->w->st};
    int rc = index_search(ix, q, &o, &h->res, h->err, sizeof h->err);
    query_free(q);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    h->ms = ((double)((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - t0)) / 1000.0;
    if (rc) {
        http_error(r, 500, "The search failed: %s", h->err);
        return PB_EIO;
    }
    h->has_res = 1;
    h->pids = xcalloc(h->res.n_hits + 1, sizeof *h->pids);
    for (size_t i = 0; i < h->res.n_hits; i++)
        h->pids[i] = h->res.hits[i].docid;
    h->n = (int)h->res.n_hits;
    return 0;
}

void http_hits_release(struct http_hits *h)
{
    if (h->has_res)
        index_result_release(&h->res);
    xfree(h->pids);
    memset(h, 0, sizeof *h);
}

struct scored_cards {
    const struct http_hits *h;
    store_card_fn fn;
    void *ctx;
};

static int with_score(void *ctx, const struct store_card *c)
{
    struct scored_cards *sc = ctx;
    struct store_card copy = *c;
    for (int i = 0; i < sc->h->n; i++)
        if (sc->h->pids[i] == c->pid)
            copy.score = sc->h->res.hits[i].score;
    return sc->fn(sc->ctx, &copy);
}

int http_search_cards(struct req *r, const char *q, size_t k, store_card_fn fn, void *ctx)
{
    struct http_hits h;
    int rc = http_search(r, q, k, 0, &h);
    if (rc == PB_EINVAL)
        http_error(r, 400, "%s", h.err);
    if (rc) {
        http_hits_release(&h);
        return -1;
    }
    struct scored_cards sc = {&h, fn, ctx};
    if (h.jumped)
        rc = store_card_get(r->w->st, h.jump_id, 0, fn, ctx);
    else
        rc = store_cards_pids(r->w->st, h.pids, h.n, with_score, &sc);
    http_hits_release(&h);
    if (rc) {
        http_error(r, 500, "Reading the papers failed: %s", store_errmsg(r->w->st));
        return -1;
    }
    return 0;
}

/* The query text with the page's filters added as query-language filters. */
static char *effective_query(struct req *r, const char *q)
{
    const char *cat = form_get(&r->query, "cat"), *from = form_get(&r->query, "from"),
               *to = form_get(&r->query, "to");
    struct buf b = BUF_INIT(QUERY_MAX_BYTES * 2);
    int bad = buf_puts(&b, q);
    int64_t d;
    if (cat && *cat && !strpbrk(cat, " \"()"))
        bad |= buf_printf(&b, " cat:%s", cat);
    if (from && *from && date_parse_day(from, &d) == 0)
        bad |= buf_printf(&b, " after:%s", from);
    if (to && *to && date_parse_day(to, &d) == 0)
        bad |= buf_printf(&b, " before:%s", to);
    (void)bad; /* over the cap: query_parse refuses the text with a clear message */
    return buf_take(&b);
}

struct search_ctx {
    struct req *r;
    struct http_hits *h;
    int rank;
};

static int on_hit(void *ctx, const struct store_card *c)
{
    struct search_ctx *sc = ctx;
    char *snip = http_snippet_html(&sc->h->res, c->abstract[0] ? c->abstract : c->title);
    html_card(sc->r, c, snip, sc->rank++);
    xfree(snip);
    return 0;
}

void page_search(struct req *r)
{
    const char *q = form_get(&r->query, "q");
    if (!q)
        q = "";
    const char *cat = form_get(&r->query, "cat"), *from = form_get(&r->query, "from"),
               *to = form_get(&r->query, "to");
    long page = page_number(r);
    html_begin(r, *q ? q : "Search", q);
    out_str(r, "<main><form class=\"filters\" action=\"/search\" method=\"get\">"
               "<input type=\"hidden\" name=\"q\" value=\"");
    html_esc(r, q);
    out_str(r, "\"><label>Category <input type=\"text\" name=\"cat\" size=\"8\" "
               "placeholder=\"cs.LG\" value=\"");
    html_esc(r, cat ? cat : "");
    out_str(r, "\"></label><label>From <input type=\"date\" name=\"from\" value=\"");
    html_esc(r, from ? from : "");
    out_str(r, "\"></label><label>To <input type=\"date\" name=\"to\" value=\"");
    html_esc(r, to ? to : "");
    out_str(r, "\"></label><button class=\"primary\">Filter</button></form>");
    if (!*q && !(cat && *cat)) {
        out_str(r, "<h1>Search</h1><p class=\"note\">Words are ranked (BM25F); "
                   "<code>\"exact phrase\"</code>, <code>-exclude</code>, <code>a OR b</code>, "
                   "fields <code>ti:</code> <code>abs:</code> <code>au:</code> <code>cat:</code> "
                   "<code>id:</code>, dates <code>after:2025-01-01</code> <code>before:</code> "
                   "<code>year:2024</code>; an arXiv id opens that paper.</p></main>");
        html_end(r);
        r->cacheable = 1;
        return;
    }
    char *eq = effective_query(r, q);
    struct http_hits h;
    int rc = http_search(r, eq, HTTP_PAGE_SIZE, (size_t)(page * HTTP_PAGE_SIZE), &h);
    xfree(eq);
    if (rc == 0 && h.jumped) {
        char loc[128];
        snprintf(loc, sizeof loc, "/papers/%s", h.jump_id);
        http_hits_release(&h);
        http_redirect(r, loc);
        return;
    }
    if (rc == PB_EINVAL) {
        r->status = 400;
        out_str(r, "<h1>Search</h1><p class=\"error\">");
        html_esc(r, h.err);
        out_str(r, "</p></main>");
        html_end(r);
        return;
    }
    if (rc)
        return; /* error page sent */
    out_fmt(r, "<h1>%s%llu result%s</h1><p class=\"sub\">in %.1f ms%s</p>",
            h.res.total_exact ? "" : "about ", (unsigned long long)h.res.total,
            h.res.total == 1 ? "" : "s", h.ms,
            h.res.relaxed ? " · no paper has every word; these have some of them" : "");
    struct search_ctx sc = {r, &h, (int)(page * HTTP_PAGE_SIZE) + 1};
    if (store_cards_pids(r->w->st, h.pids, h.n, on_hit, &sc)) {
        http_hits_release(&h);
        http_error(r, 500, "Reading the papers failed: %s", store_errmsg(r->w->st));
        return;
    }
    out_str(r, "<nav class=\"pager\"><span>");
    struct buf keep = BUF_INIT(HTTP_MAX_URI * 4);
    struct req tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.out = keep;
    out_str(&tmp, "q=");
    url_esc(&tmp, q);
    if (cat && *cat) {
        out_str(&tmp, "&amp;cat=");
        url_esc(&tmp, cat);
    }
    if (from && *from) {
        out_str(&tmp, "&amp;from=");
        url_esc(&tmp, from);
    }
    if (to && *to) {
        out_str(&tmp, "&amp;to=");
        url_esc(&tmp, to);
    }
    const char *qs = buf_str(&tmp.out);
    if (page > 0)
        out_fmt(r, "<a href=\"/search?%s&amp;p=%ld\">← Previous</a>", qs, page - 1);
    out_str(r, "</span><span>");
    if ((uint64_t)((page + 1) * HTTP_PAGE_SIZE) < h.res.total && h.n == HTTP_PAGE_SIZE)
        out_fmt(r, "<a href=\"/search?%s&amp;p=%ld\">Next →</a>", qs, page + 1);
    out_str(r, "</span><span><a href=\"/search.atom?");
    out_str(r, qs);
    out_str(r, "\">Atom feed of this search</a></span></nav></main>");
    buf_release(&tmp.out);
    http_hits_release(&h);
    html_end(r);
    r->cacheable = 1;
}

/* ---- one paper ---- */

struct paper_ctx {
    struct req *r;
    struct store_card c;
    char *strings[9];
    int found;
};

static int on_paper_card(void *ctx, const struct store_card *c)
{
    struct paper_ctx *pc = ctx;
    pc->found = 1;
    pc->c = *c;
    const char **f[9] = {&pc->c.id,       &pc->c.title,      &pc->c.abstract,
                         &pc->c.comment,  &pc->c.authors,    &pc->c.categories,
                         &pc->c.day,      &pc->c.submitted,  &pc->c.submitter};
    for (int i = 0; i < 9; i++) {
        pc->strings[i] = xstrdup(*f[i]);
        *f[i] = pc->strings[i];
    }
    return 1;
}

static void bibtex(struct req *r, const struct paper *p, int is_html)
{
    void (*esc)(struct req *, const char *) = is_html ? html_esc : out_str;
    char key[64];
    const char *first = p->authors.n ? p->authors.v[0] : "anon";
    const char *sp = strrchr(first, ' ');
    const char *last = sp ? sp + 1 : first;
    size_t k = 0;
    for (const char *s = last; *s && k < 20; s++)
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
            key[k++] = (char)(*s | 0x20);
    key[k] = 0;
    const char *year = p->submitted ? p->submitted : (p->listing_day ? p->listing_day : "");
    out_fmt(r, "@misc{%s%.4s_%s,\n  title = {", key, year, p->id);
    esc(r, p->title);
    out_str(r, "},\n  author = {");
    for (size_t i = 0; i < p->authors.n; i++) {
        if (i)
            out_str(r, " and ");
        esc(r, p->authors.v[i]);
    }
    out_fmt(r, "},\n  year = {%.4s},\n  eprint = {", year);
    esc(r, p->id);
    out_str(r, "},\n  archivePrefix = {arXiv},\n");
    if (p->categories.n) {
        out_str(r, "  primaryClass = {");
        esc(r, p->categories.v[0]);
        out_str(r, "},\n");
    }
    if (p->doi) {
        out_str(r, "  doi = {");
        esc(r, p->doi);
        out_str(r, "},\n");
    }
    out_str(r, "  url = {https://arxiv.org/abs/");
    esc(r, p->id);
    out_str(r, "}\n}\n");
}

struct comments_ctx {
    struct req *r;
    int n;
};

static int on_comment(void *ctx, const struct store_comment *c)
{
    struct comments_ctx *cc = ctx;
    struct req *r = cc->r;
    cc->n++;
    out_fmt(r, "<div class=\"comment%s\" id=\"c%lld\"><div class=\"who\"><a href=\"/u/",
            c->is_hidden ? " hidden" : "", (long long)c->cid);
    url_esc(r, c->user);
    out_str(r, "\">");
    html_esc(r, c->user);
    out_str(r, "</a> · ");
    html_esc(r, c->at);
    if (r->user.is_admin) {
        out_fmt(r, " · <form class=\"inline\" method=\"post\" action=\"/admin/hide\">"
                   "<input type=\"hidden\" name=\"kind\" value=\"comment\">"
                   "<input type=\"hidden\" name=\"id\" value=\"%lld\">"
                   "<input type=\"hidden\" name=\"hidden\" value=\"%d\">"
                   "<input type=\"hidden\" name=\"next\" value=\"",
                (long long)c->cid, c->is_hidden ? 0 : 1);
        html_esc(r, r->path);
        out_str(r, "\">");
        html_csrf(r);
        out_fmt(r, "<button class=\"link\">%s</button></form>", c->is_hidden ? "Show" : "Hide");
    }
    out_str(r, "</div><div class=\"text\">");
    html_linkify(r, c->body);
    out_str(r, "</div></div>\n");
    return 0;
}

/* "More like this": the title's words as a plain (OR) query, ranked, the paper itself left
 * out. Until semantic search exists this is what "similar" means. */
static void similar(struct req *r, const struct paper *p, int64_t self)
{
    struct query *q = NULL;
    char err[256];
    char text[1024];
    snprintf(text, sizeof text, "%s", p->title ? p->title : "");
    if (query_parse(text, strlen(text), QUERY_PLAIN, &q, err, sizeof err) || !q->root) {
        query_free(q);
        return;
    }
    struct index *ix = http_index_quiet(r, err, sizeof err);
    if (!ix) { /* the paper page stands without its similar papers */
        query_free(q);
        return;
    }
    struct index_search_opts o = {.k = 6, .id_lookup = store_id_lookup, .id_ctx = r->w->st};
    struct index_result res;
    if (index_search(ix, q, &o, &res, err, sizeof err)) {
        query_free(q);
        return;
    }
    query_free(q);
    int64_t pids[6];
    int n = 0;
    for (size_t i = 0; i < res.n_hits && n < 5; i++)
        if ((int64_t)res.hits[i].docid != self)
            pids[n++] = res.hits[i].docid;
    index_result_release(&res);
    if (!n)
        return;
    out_str(r, "<section><h2>Similar papers</h2>");
    struct cards_ctx cc = {r, 0, 0};
    if (store_cards_pids(r->w->st, pids, n, on_card, &cc) == 0 && !cc.n)
        out_str(r, "<p class=\"note\">None found.</p>");
    out_str(r, "</section>");
}

void page_paper(struct req *r, const char *id, const char *rest)
{
    struct paper_ctx pc = {r, {0}, {0}, 0};
    int rc = store_card_get(r->w->st, id, r->user.is_admin, on_paper_card, &pc);
    struct paper p;
    paper_init(&p);
    if (rc == 0)
        rc = store_paper_get(r->w->st, id, &p);
    if (rc == PB_ENOTFOUND) {
        paper_clear(&p);
        http_error(r, 404, "There is no paper %s here. If it is on arXiv, submit it.", id);
        return;
    }
    if (rc) {
        paper_clear(&p);
        for (int i = 0; i < 9; i++)
            xfree(pc.strings[i]);
        http_error(r, 500, "Reading the paper failed: %s", store_errmsg(r->w->st));
        return;
    }
    if (!strcmp(rest, "bibtex")) {
        r->ctype = "text/plain; charset=utf-8";
        bibtex(r, &p, 0);
        paper_clear(&p);
        for (int i = 0; i < 9; i++)
            xfree(pc.strings[i]);
        r->cacheable = 1;
        return;
    }
    html_begin(r, p.title, NULL);
    out_str(r, "<main>");
    html_card(r, &pc.c, "", 0);
    out_str(r, "<h2>Abstract</h2><p class=\"full\">");
    html_esc(r, p.abstract ? p.abstract : "(no abstract)");
    out_str(r, "</p><dl class=\"facts\"><dt>Authors</dt><dd>");
    html_authors(r, pc.c.authors, 1, 1);
    out_str(r, "</dd><dt>arXiv id</dt><dd>");
    html_esc(r, p.id);
    if (p.version > 0)
        out_fmt(r, " (version %d)", p.version);
    out_str(r, "</dd>");
    if (p.version > 1) {
        out_str(r, "<dt>Versions</dt><dd>");
        for (int v = 1; v <= p.version && v <= 50; v++) {
            out_str(r, "<a href=\"https://arxiv.org/abs/");
            html_esc(r, p.id);
            out_fmt(r, "v%d\">v%d</a> ", v, v);
        }
        out_str(r, "</dd>");
    }
    static const struct {
        const char *label;
        size_t off;
    } facts[] = {
        {"Submitted", offsetof(struct paper, submitted)},
        {"Updated", offsetof(struct paper, updated)},
        {"Listed", offsetof(struct paper, listing_day)},
        {"Comment", offsetof(struct paper, comment)},
        {"Journal", offsetof(struct paper, journal_ref)},
        {"DOI", offsetof(struct paper, doi)},
        {"Licence", offsetof(struct paper, license)},
    };
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        const char *v = *(char *const *)((const char *)&p + facts[i].off);
        if (!v || !*v)
            continue;
        out_fmt(r, "<dt>%s</dt><dd>", facts[i].label);
        html_linkify(r, v); /* comments often carry a project page or code URL */
        out_str(r, "</dd>");
    }
    out_str(r, "<dt>Categories</dt><dd>");
    for (size_t i = 0; i < p.categories.n; i++) {
        out_str(r, "<a href=\"/search?q=cat%3A");
        url_esc(r, p.categories.v[i]);
        out_str(r, "\">");
        html_esc(r, p.categories.v[i]);
        out_str(r, "</a> ");
    }
    out_str(r, "</dd></dl>");
    if (r->user.is_admin) {
        out_str(r, "<form method=\"post\" action=\"/admin/hide\">"
                   "<input type=\"hidden\" name=\"kind\" value=\"paper\">"
                   "<input type=\"hidden\" name=\"id\" value=\"");
        html_esc(r, p.id);
        out_fmt(r, "\"><input type=\"hidden\" name=\"hidden\" value=\"1\">");
        html_csrf(r);
        out_str(r, "<button class=\"link\">Hide this paper from the site</button></form>");
    }
    out_str(r, "<h2>BibTeX</h2><pre>");
    bibtex(r, &p, 1);
    out_str(r, "</pre><section id=\"comments\"><h2>Comments</h2>");
    struct comments_ctx cc = {r, 0};
    if (store_comments(r->w->st, pc.c.pid, r->user.is_admin, on_comment, &cc) == 0 && !cc.n)
        out_str(r, "<p class=\"note\">No comments yet.</p>");
    if (r->user.uid) {
        out_str(r, "<form method=\"post\" action=\"/papers/");
        html_esc(r, p.id);
        out_str(r, "/comment\"><label for=\"body\">Add a comment</label>"
                   "<textarea id=\"body\" name=\"body\" rows=\"4\" maxlength=\"5000\" required>"
                   "</textarea>");
        html_csrf(r);
        out_str(r, "<button class=\"primary\">Comment</button></form>");
    } else {
        out_str(r, "<p class=\"note\"><a href=\"/login\">Log in</a> to comment.</p>");
    }
    out_str(r, "</section>");
    similar(r, &p, pc.c.pid);
    out_str(r, "</main>");
    html_end(r);
    paper_clear(&p);
    for (int i = 0; i < 9; i++)
        xfree(pc.strings[i]);
    r->cacheable = 1;
}

/* ---- a user ---- */

void page_user(struct req *r, const char *name)
{
    struct store_user u;
    if (store_user_get(r->w->st, name, &u, NULL, 0)) {
        http_error(r, 404, "There is no user %s.", name);
        return;
    }
    html_begin(r, u.name, NULL);
    out_str(r, "<main><h1>");
    html_esc(r, u.name);
    out_str(r, "</h1><p class=\"sub\">member since ");
    html_esc(r, u.created_at);
    out_str(r, u.is_admin ? " · admin" : "");
    out_str(r, "</p><h2>Submitted</h2>");
    struct cards_ctx cc = {r, 0, 0};
    if (store_cards_user(r->w->st, u.uid, 0, 100, on_card, &cc) == 0 && !cc.n)
        out_str(r, "<p class=\"note\">Nothing yet.</p>");
    out_str(r, "<h2>Upvoted</h2>");
    cc.n = 0;
    if (store_cards_user(r->w->st, u.uid, 1, 100, on_card, &cc) == 0 && !cc.n)
        out_str(r, "<p class=\"note\">Nothing yet.</p>");
    out_str(r, "</main>");
    html_end(r);
    r->cacheable = 1;
}

/* ---- about and stats ---- */

void page_about(struct req *r)
{
    struct store_stats st;
    const char *site = http_server_opts(r->srv)->site_name;
    html_begin(r, "About", NULL);
    out_str(r, "<main><h1>About ");
    html_esc(r, site);
    out_str(r, "</h1><p>This is a <strong>paperboy</strong> instance: a self-hosted feed of "
               "research papers. It lists every new arXiv paper in the fields it follows, lets "
               "its community upvote, submit and discuss them, ranks what is trending here, and "
               "searches everything it has ever ingested.</p>");
    if (store_stats(r->w->st, &st) == 0) {
        out_fmt(r, "<dl class=\"facts\"><dt>Papers</dt><dd>%lld</dd><dt>Listing days</dt>"
                   "<dd>%lld (%s to %s)</dd></dl>",
                st.papers - st.deleted, st.listing_days, st.first_day, st.last_day);
    }
    out_str(r, "<h2>Search syntax</h2><p>Words are ranked by BM25F over title, abstract, "
               "authors, categories, id and comment. <code>\"a phrase\"</code>, "
               "<code>-word</code> to exclude, <code>a OR b</code>, fields <code>ti:</code> "
               "<code>abs:</code> <code>au:</code> <code>cat:</code> <code>id:</code>, dates "
               "<code>after:YYYY-MM-DD</code> <code>before:</code> <code>year:</code>. An arXiv "
               "id opens that paper.</p><h2>Trending</h2><p><code>" TRENDING_FORMULA
               "</code>: points are upvotes here plus upvotes imported with the paper; age is "
               "counted from its listing day or first submission here.</p>"
               "<h2>Feeds and API</h2><p><a href=\"/feeds/daily.atom\">Atom</a> and "
               "<a href=\"/feeds/daily.rss\">RSS</a> for the daily listing, "
               "<a href=\"/trending.atom\">trending</a> and any search "
               "(<code>/search.atom?q=...</code>); a JSON API shaped like Hugging Face's at "
               "<a href=\"/api/daily_papers\">/api/daily_papers</a>.</p></main>");
    html_end(r);
    r->cacheable = 1;
}

struct chart {
    char day[400][11];
    long long papers[400], votes[400];
    int n;
};

static int on_day_count(void *ctx, const char *day, long long papers, long long votes)
{
    struct chart *c = ctx;
    if (c->n == 400)
        return 1;
    snprintf(c->day[c->n], sizeof c->day[0], "%s", day);
    c->papers[c->n] = papers;
    c->votes[c->n] = votes;
    c->n++;
    return 0;
}

static void bar_chart(struct req *r, const char *title, const struct chart *c,
                      const long long *v)
{
    long long max = 1;
    for (int i = 0; i < c->n; i++)
        if (v[i] > max)
            max = v[i];
    int w = 720, h = 160, n = c->n ? c->n : 1;
    double bw = (double)w / n;
    out_fmt(r, "<h2>%s</h2><svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
               "aria-label=\"%s per day\">", title, w, h + 20, title);
    for (int i = 0; i < c->n; i++) {
        double bh = (double)v[i] * h / (double)max;
        out_fmt(r, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                   "fill=\"#3d5afe\"><title>%s: %lld</title></rect>",
                i * bw, h - bh, bw > 1.5 ? bw - 0.5 : bw, bh, c->day[i], v[i]);
    }
    if (c->n)
        out_fmt(r, "<text x=\"0\" y=\"%d\" font-size=\"11\" fill=\"currentColor\">%s</text>"
                   "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" "
                   "fill=\"currentColor\">%s</text>",
                h + 15, c->day[0], w, h + 15, c->day[c->n - 1]);
    out_fmt(r, "<text x=\"4\" y=\"12\" font-size=\"11\" fill=\"currentColor\">max %lld</text>"
               "</svg>", max);
}

void page_stats(struct req *r)
{
    char last[DATE_DAY_LEN + 1], first[DATE_DAY_LEN + 1];
    int64_t d;
    if (store_latest_day(r->w->st, last))
        date_format_day(http_now(r) / 86400, last);
    if (date_parse_day(last, &d))
        d = http_now(r) / 86400;
    date_format_day(d - 89, first);
    struct chart *c = xcalloc(1, sizeof *c);
    if (store_day_counts(r->w->st, first, last, on_day_count, c)) {
        xfree(c);
        http_error(r, 500, "Counting failed: %s", store_errmsg(r->w->st));
        return;
    }
    html_begin(r, "Stats", NULL);
    out_fmt(r, "<main><h1>Stats</h1><p class=\"sub\">The 90 days up to %s.</p>", last);
    bar_chart(r, "Papers listed", c, c->papers);
    bar_chart(r, "Votes cast", c, c->votes);
    out_str(r, "</main>");
    html_end(r);
    xfree(c);
    r->cacheable = 1;
}
