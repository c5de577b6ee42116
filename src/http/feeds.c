/* Feeds: RSS 2.0 and Atom (RFC 4287) for the daily listing, trending and any search, and the
 * OpenSearch description that lets a browser add the site as a search engine. Absolute links
 * use opts.base_url (or this server's address). */
#include <string.h>

#include "../rank/trending.h"
#include "../util/alloc.h"
#include "../util/date.h"
#include "internal.h"

#define FEED_ITEMS 50

/* XML text: escaped, and the C0 controls XML 1.0 forbids dropped. */
static void xml_esc(struct req *r, const char *s)
{
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            html_esc_n(r, run, (size_t)(p - run));
            run = p + 1;
        }
    }
    html_esc(r, run);
}

/* RFC 822 date for RSS from "YYYY-MM-DD[THH:MM:SSZ]". */
static void rfc822(struct req *r, const char *ts)
{
    static const char *const wd[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t t;
    if (!ts[0] || date_parse_ts(ts, &t))
        t = 0;
    int64_t days = t / 86400;
    int y, m, d;
    date_civil_from_days(days, &y, &m, &d);
    int rem = (int)(t % 86400);
    out_fmt(r, "%s, %02d %s %04d %02d:%02d:%02d +0000", wd[date_weekday(days)], d, mo[m - 1], y,
            rem / 3600, rem % 3600 / 60, rem % 60);
}

static void atom_date(struct req *r, const char *ts)
{
    int64_t t;
    char out[DATE_TS_LEN + 1];
    if (!ts[0] || date_parse_ts(ts, &t))
        t = 0;
    date_format_ts(t, out);
    out_str(r, out);
}

/* Each item of a sep-separated list, XML-escaped between open and close, joined by between. */
static void each_word(struct req *r, const char *list, char sep, const char *open,
                      const char *close, const char *between)
{
    for (const char *p = list; *p;) {
        const char *e = strchr(p, sep);
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *item = xstrndup(p, n);
        if (p != list)
            out_str(r, between);
        out_str(r, open);
        xml_esc(r, item);
        out_str(r, close);
        xfree(item);
        p = e ? e + 1 : p + n;
    }
}

struct feed {
    struct req *r;
    int is_atom;
    char base[256];
    int n;
};

static void feed_begin(struct feed *f, const char *title, const char *self, const char *alt,
                       const char *updated)
{
    struct req *r = f->r;
    http_base_url(r, f->base, sizeof f->base);
    out_str(r, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    const char *site = http_server_opts(r->srv)->site_name;
    if (f->is_atom) {
        r->ctype = "application/atom+xml; charset=utf-8";
        out_str(r, "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>");
        xml_esc(r, site);
        out_str(r, ": ");
        xml_esc(r, title);
        out_fmt(r, "</title><id>%s", f->base);
        xml_esc(r, self);
        out_fmt(r, "</id><link rel=\"self\" href=\"%s", f->base);
        xml_esc(r, self);
        out_fmt(r, "\"/><link rel=\"alternate\" type=\"text/html\" href=\"%s", f->base);
        xml_esc(r, alt);
        out_str(r, "\"/><updated>");
        atom_date(r, updated);
        out_str(r, "</updated><generator>paperboy</generator>\n");
    } else {
        r->ctype = "application/rss+xml; charset=utf-8";
        out_str(r, "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel>"
                   "<title>");
        xml_esc(r, site);
        out_str(r, ": ");
        xml_esc(r, title);
        out_fmt(r, "</title><link>%s", f->base);
        xml_esc(r, alt);
        out_fmt(r, "</link><atom:link rel=\"self\" type=\"application/rss+xml\" href=\"%s",
                f->base);
        xml_esc(r, self);
        out_str(r, "\"/><description>");
        xml_esc(r, title);
        out_str(r, "</description><lastBuildDate>");
        rfc822(r, updated);
        out_str(r, "</lastBuildDate><generator>paperboy</generator>\n");
    }
}

static void feed_end(struct feed *f)
{
    out_str(f->r, f->is_atom ? "</feed>\n" : "</channel></rss>\n");
}

static int feed_item(void *ctx, const struct store_card *c)
{
    struct feed *f = ctx;
    struct req *r = f->r;
    f->n++;
    const char *when = c->day[0] ? c->day : c->submitted;
    if (f->is_atom) {
        out_str(r, "<entry><title>");
        xml_esc(r, c->title);
        out_fmt(r, "</title><id>%s/papers/", f->base);
        xml_esc(r, c->id);
        out_fmt(r, "</id><link rel=\"alternate\" type=\"text/html\" href=\"%s/papers/", f->base);
        xml_esc(r, c->id);
        out_str(r, "\"/><updated>");
        atom_date(r, when);
        out_str(r, "</updated>");
        each_word(r, c->authors, '\n', "<author><name>", "</name></author>", "");
        each_word(r, c->categories, ' ', "<category term=\"", "\"/>", "");
        out_str(r, "<summary>");
        xml_esc(r, c->abstract);
        out_str(r, "</summary></entry>\n");
    } else {
        out_str(r, "<item><title>");
        xml_esc(r, c->title);
        out_fmt(r, "</title><link>%s/papers/", f->base);
        xml_esc(r, c->id);
        out_fmt(r, "</link><guid isPermaLink=\"true\">%s/papers/", f->base);
        xml_esc(r, c->id);
        out_str(r, "</guid><pubDate>");
        rfc822(r, when);
        out_str(r, "</pubDate>");
        each_word(r, c->categories, ' ', "<category>", "</category>", "");
        out_str(r, "<description>");
        out_str(r, "By ");
        each_word(r, c->authors, '\n', "", "", ", ");
        out_str(r, ". ");
        xml_esc(r, c->abstract);
        out_str(r, "</description></item>\n");
    }
    return 0;
}

void feed_daily(struct req *r, int is_atom)
{
    struct http_period pd;
    if (http_period(r, &pd)) {
        http_error(r, 400, "date is YYYY-MM-DD, week YYYY-Www, month YYYY-MM");
        return;
    }
    struct feed f = {r, is_atom, "", 0};
    char title[64], self[64], alt[64];
    snprintf(title, sizeof title, "papers of %s", pd.first);
    snprintf(self, sizeof self, "/feeds/daily.%s%s%s", is_atom ? "atom" : "rss",
             pd.is_default ? "" : "?date=", pd.is_default ? "" : pd.first);
    snprintf(alt, sizeof alt, "/papers?date=%s", pd.first);
    feed_begin(&f, title, self, alt, pd.last);
    long long total;
    if (store_cards_days(r->w->st, pd.first, pd.last, STORE_SORT_TRENDING, 0, 500, &total,
                         feed_item, &f)) {
        http_error(r, 500, "%s", store_errmsg(r->w->st));
        return;
    }
    feed_end(&f);
    r->cacheable = 1;
}

void feed_trending(struct req *r, int is_atom)
{
    const char *win = form_get(&r->query, "window");
    if (!win || !*win)
        win = "week";
    int64_t window = trending_window(win);
    if (!window) {
        http_error(r, 400, "window is day, week or month");
        return;
    }
    int64_t now = http_trending_now(r);
    char ts[DATE_TS_LEN + 1], title[64], self[64], alt[64];
    date_format_ts(now, ts);
    snprintf(title, sizeof title, "trending papers, past %s", win);
    snprintf(self, sizeof self, "/trending.%s?window=%s", is_atom ? "atom" : "rss", win);
    snprintf(alt, sizeof alt, "/trending?window=%s", win);
    struct feed f = {r, is_atom, "", 0};
    feed_begin(&f, title, self, alt, ts);
    if (store_cards_trending(r->w->st, now, window, FEED_ITEMS, feed_item, &f)) {
        http_error(r, 500, "%s", store_errmsg(r->w->st));
        return;
    }
    feed_end(&f);
    r->cacheable = 1;
    r->max_age = 60;
}

void feed_search(struct req *r, int is_atom)
{
    const char *q = form_get(&r->query, "q");
    if (!q || !*q) {
        http_error(r, 400, "q is required");
        return;
    }
    struct req esc; /* the query, escaped for the self link */
    memset(&esc, 0, sizeof esc);
    buf_init(&esc.out, HTTP_MAX_URI * 4);
    url_esc(&esc, q);
    char *qs = buf_take(&esc.out);
    char *title = xasprintf("search: %s", q);
    char *self = xasprintf("/search.%s?q=%s", is_atom ? "atom" : "rss", qs);
    char *alt = xasprintf("/search?q=%s", qs);
    char ts[DATE_TS_LEN + 1];
    date_format_ts(http_now(r), ts);
    struct feed f = {r, is_atom, "", 0};
    feed_begin(&f, title, self, alt, ts);
    int rc = http_search_cards(r, q, FEED_ITEMS, feed_item, &f);
    xfree(qs);
    xfree(title);
    xfree(self);
    xfree(alt);
    if (rc)
        return;
    feed_end(&f);
    r->cacheable = 1;
}

void feed_opensearch(struct req *r)
{
    char base[256];
    http_base_url(r, base, sizeof base);
    const char *site = http_server_opts(r->srv)->site_name;
    r->ctype = "application/opensearchdescription+xml";
    out_str(r, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
               "<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">"
               "<ShortName>");
    xml_esc(r, site);
    out_str(r, "</ShortName><Description>Search the papers of ");
    xml_esc(r, site);
    out_str(r, "</Description><InputEncoding>UTF-8</InputEncoding>");
    out_fmt(r, "<Image height=\"32\" width=\"32\" type=\"image/svg+xml\">%s/favicon.svg</Image>",
            base);
    out_fmt(r, "<Url type=\"text/html\" method=\"get\" template=\"%s/search?q={searchTerms}\"/>",
            base);
    out_fmt(r, "<Url type=\"application/atom+xml\" template=\"%s/search.atom?q={searchTerms}\"/>",
            base);
    out_fmt(r, "<Url type=\"application/opensearchdescription+xml\" rel=\"self\" "
               "template=\"%s/opensearch.xml\"/></OpenSearchDescription>\n",
            base);
    r->cacheable = 1;
}
