/* HTML output: escaping, the page frame, paper cards. Every piece of text that came from
 * outside (titles, names, comments, queries) goes through html_esc; nothing else writes it. */
#include <string.h>

#include "../util/alloc.h"
#include "../util/text.h"
#include "internal.h"

void html_esc_n(struct req *r, const char *s, size_t n)
{
    if (text_html_escape(&r->out, s, n))
        r->status = 500; /* past the page cap, as out_mem */
}

void html_esc(struct req *r, const char *s)
{
    if (s)
        html_esc_n(r, s, strlen(s));
}

void url_esc(struct req *r, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            out_mem(r, (const char *)p, 1);
        } else if (*p == ' ') {
            out_str(r, "+");
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            out_mem(r, e, 3);
        }
    }
}

void html_csrf(struct req *r)
{
    out_str(r, "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_esc(r, r->csrf);
    out_str(r, "\">");
}

void html_begin(struct req *r, const char *title, const char *q)
{
    const char *site = http_server_opts(r->srv)->site_name;
    r->ctype = "text/html; charset=utf-8";
    out_str(r, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
               "<title>");
    html_esc(r, title);
    out_str(r, " · ");
    html_esc(r, site);
    out_str(r, "</title><link rel=\"stylesheet\" href=\"/static/style.css\">"
               "<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">"
               "<link rel=\"search\" type=\"application/opensearchdescription+xml\" "
               "href=\"/opensearch.xml\" title=\"");
    html_esc(r, site);
    out_str(r, "\"><link rel=\"alternate\" type=\"application/atom+xml\" "
               "href=\"/feeds/daily.atom\" title=\"Daily papers\">"
               "<script src=\"/static/app.js\" defer></script></head><body>"
               "<header class=\"top\"><a class=\"brand\" href=\"/\">");
    html_esc(r, site);
    out_str(r, "</a><nav aria-label=\"Site\"><a href=\"/\">Daily</a><a href=\"/trending\">Trending</a>"
               "<a href=\"/submit\">Submit</a></nav>"
               "<form class=\"search\" action=\"/search\" method=\"get\" role=\"search\">"
               "<input type=\"search\" name=\"q\" placeholder=\"Search papers\" "
               "aria-label=\"Search papers\" value=\"");
    html_esc(r, q ? q : "");
    out_str(r, "\"></form><div class=\"me\">");
    if (r->user.uid) {
        out_str(r, "<a href=\"/u/");
        url_esc(r, r->user.name);
        out_str(r, "\">");
        html_esc(r, r->user.name);
        out_str(r, "</a><form method=\"post\" action=\"/logout\" class=\"inline\">");
        html_csrf(r);
        out_str(r, "<button class=\"link\">Log out</button></form>");
    } else {
        out_str(r, "<a href=\"/login\">Log in</a><a href=\"/signup\">Sign up</a>");
    }
    out_str(r, "</div></header>\n");
}

void html_end(struct req *r)
{
    out_str(r, "\n<footer><a href=\"/about\">About</a> · <a href=\"/stats\">Stats</a> · "
               "<a href=\"/feeds/daily.atom\">Atom</a> · <a href=\"/feeds/daily.rss\">RSS</a> · "
               "<a href=\"/api/daily_papers\">API</a></footer></body></html>\n");
}

void html_authors(struct req *r, const char *authors, int all_names, int as_links)
{
    int n = 0, total = 0;
    for (const char *p = authors; *p; p++)
        if (*p == '\n')
            total++;
    if (*authors)
        total++;
    const char *p = authors;
    int shown = all_names ? total : (total > 4 ? 3 : total);
    while (*p && n < shown) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (n)
            out_str(r, n == total - 1 && shown == total ? " and " : ", ");
        if (as_links) {
            char *name = xstrndup(p, len);
            out_str(r, "<a href=\"/search?q=au%3A%22");
            url_esc(r, name);
            out_str(r, "%22\">");
            html_esc(r, name);
            out_str(r, "</a>");
            xfree(name);
        } else {
            html_esc_n(r, p, len);
        }
        n++;
        p = e ? e + 1 : p + len;
    }
    if (shown < total)
        out_fmt(r, " and %d others", total - shown);
}

/* About max bytes of s, cut at a space, with an ellipsis. */
static void preview(struct req *r, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) {
        html_esc(r, s);
        return;
    }
    size_t cut = max;
    while (cut > max / 2 && s[cut] != ' ')
        cut--;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    html_esc_n(r, s, cut);
    out_str(r, "…");
}

static void vote_button(struct req *r, const struct store_card *c)
{
    int voted = r->user.uid && store_has_voted(r->w->st, r->user.uid, c->pid);
    out_str(r, "<form class=\"vote\" method=\"post\" action=\"/papers/");
    html_esc(r, c->id);
    out_str(r, "/vote\">");
    html_csrf(r);
    out_fmt(r, "<input type=\"hidden\" name=\"up\" value=\"%d\">", voted ? 0 : 1);
    out_fmt(r, "<button class=\"%s\" title=\"%s\" aria-label=\"Upvote (%lld)\" "
               "aria-pressed=\"%s\">▲<span class=\"n\">%lld</span></button></form>",
            voted ? "voted" : "", voted ? "Take back your upvote" : "Upvote", c->votes,
            voted ? "true" : "false", c->votes);
}

void html_card(struct req *r, const struct store_card *c, const char *snippet_html, int rank)
{
    out_str(r, "<article class=\"card\">");
    if (rank > 0)
        out_fmt(r, "<div class=\"rank\">%d</div>", rank);
    vote_button(r, c);
    out_str(r, "<div class=\"body\"><h2><a href=\"/papers/");
    html_esc(r, c->id);
    out_str(r, "\">");
    html_esc(r, c->title);
    out_str(r, "</a></h2><p class=\"authors\">");
    html_authors(r, c->authors, 0, 0);
    out_str(r, "</p><p class=\"meta\">");
    const char *cats = c->categories;
    for (int i = 0; *cats && i < 4; i++) {
        const char *e = strchr(cats, ' ');
        size_t len = e ? (size_t)(e - cats) : strlen(cats);
        out_str(r, "<span class=\"cat\">");
        html_esc_n(r, cats, len);
        out_str(r, "</span>");
        cats = e ? e + 1 : cats + len;
    }
    if (c->day[0]) {
        out_str(r, "<span>");
        html_esc(r, c->day);
        out_str(r, "</span>");
    }
    out_str(r, "<a href=\"/papers/");
    html_esc(r, c->id);
    out_fmt(r, "#comments\">%lld comment%s</a>", c->n_comments, c->n_comments == 1 ? "" : "s");
    if (c->hf_upvotes > 0)
        out_fmt(r, "<span title=\"upvotes imported with the paper\">HF ▲%lld</span>",
                c->hf_upvotes);
    if (c->submitter[0]) {
        out_str(r, "<span>submitted by <a href=\"/u/");
        url_esc(r, c->submitter);
        out_str(r, "\">");
        html_esc(r, c->submitter);
        out_str(r, "</a></span>");
    }
    if (strncmp(c->id, "beir:", 5) && !strchr(c->id, ':')) {
        out_str(r, "<a href=\"https://arxiv.org/abs/");
        html_esc(r, c->id);
        out_str(r, "\">arXiv</a><a href=\"https://arxiv.org/pdf/");
        html_esc(r, c->id);
        out_str(r, "\">PDF</a>");
    }
    out_str(r, "</p>");
    if (snippet_html) {
        out_str(r, "<p class=\"abstract\">");
        out_str(r, snippet_html);
        out_str(r, "</p>");
    } else if (c->abstract[0]) {
        out_str(r, "<p class=\"abstract\">");
        preview(r, c->abstract, 300);
        out_str(r, "</p>");
    }
    out_str(r, "</div></article>\n");
}

static int is_url_char(char c)
{
    return c > ' ' && c != '<' && c != '>' && c != '"' && c != '\'' && c != 0x7f;
}

void html_linkify(struct req *r, const char *s)
{
    const char *p = s;
    while (*p) {
        const char *a = strstr(p, "http");
        while (a && strncmp(a, "http://", 7) && strncmp(a, "https://", 8))
            a = strstr(a + 4, "http");
        const char *stop = a ? a : p + strlen(p);
        /* text before the link, newlines as <br> */
        for (const char *q = p; q < stop;) {
            const char *nl = memchr(q, '\n', (size_t)(stop - q));
            const char *e = nl ? nl : stop;
            html_esc_n(r, q, (size_t)(e - q));
            if (nl)
                out_str(r, "<br>");
            q = nl ? nl + 1 : stop;
        }
        if (!a)
            break;
        const char *e = a;
        while (is_url_char(*e))
            e++;
        while (e > a && strchr(".,;:!?)]", e[-1])) /* trailing punctuation is not the URL's */
            e--;
        out_str(r, "<a rel=\"nofollow ugc noopener\" href=\"");
        html_esc_n(r, a, (size_t)(e - a));
        out_str(r, "\">");
        html_esc_n(r, a, (size_t)(e - a));
        out_str(r, "</a>");
        p = e;
    }
}
