/* The JSON API (docs/HTTP_API.md). Shapes follow Hugging Face's /api/daily_papers and
 * /api/papers so clients written for it work against paperboy: an item is
 * {paper:{id,title,summary,authors:[{name}],publishedAt,submittedOnDailyAt,upvotes,...},
 *  publishedAt,title,summary,numComments,...}. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/date.h"
#include "internal.h"

#define API_MAX_LIMIT 100

/* "YYYY-MM-DD[...]" -> "YYYY-MM-DDT00:00:00.000Z" (HF's form); NULL for "". */
static json_t *iso(const char *day)
{
    if (!day || strlen(day) < 10)
        return json_null();
    char out[32];
    if (strlen(day) >= 19 && day[10] == 'T')
        snprintf(out, sizeof out, "%.19s.000Z", day);
    else
        snprintf(out, sizeof out, "%.10sT00:00:00.000Z", day);
    return json_string(out);
}

static json_t *split_json(const char *s, char sep, int as_names)
{
    json_t *a = json_array();
    while (s && *s) {
        const char *e = strchr(s, sep);
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n) {
            json_t *v = json_stringn(s, n);
            if (v && as_names)
                v = json_pack("{s:o}", "name", v);
            if (v)
                json_array_append_new(a, v);
        }
        s = e ? e + 1 : s + n;
    }
    return a;
}

static json_t *api_paper_json(const struct store_card *c)
{
    json_t *p = json_object();
    json_object_set_new(p, "id", json_string(c->id));
    json_object_set_new(p, "title", json_string(c->title));
    json_object_set_new(p, "summary", json_string(c->abstract));
    json_object_set_new(p, "authors", split_json(c->authors, '\n', 1));
    json_object_set_new(p, "publishedAt", iso(c->submitted[0] ? c->submitted : c->day));
    json_object_set_new(p, "submittedOnDailyAt", iso(c->day));
    json_object_set_new(p, "upvotes", json_integer(c->votes));
    json_object_set_new(p, "importedUpvotes",
                        c->hf_upvotes >= 0 ? json_integer(c->hf_upvotes) : json_null());
    json_object_set_new(p, "categories", split_json(c->categories, ' ', 0));
    json_object_set_new(p, "comment", c->comment[0] ? json_string(c->comment) : json_null());
    json_object_set_new(p, "numComments", json_integer(c->n_comments));
    if (c->submitter[0])
        json_object_set_new(p, "submittedBy", json_pack("{s:s}", "name", c->submitter));
    return p;
}

static json_t *item_json(const struct store_card *c)
{
    json_t *it = json_object();
    json_object_set_new(it, "paper", api_paper_json(c));
    json_object_set_new(it, "publishedAt", iso(c->day));
    json_object_set_new(it, "title", json_string(c->title));
    json_object_set_new(it, "summary", json_string(c->abstract));
    json_object_set_new(it, "numComments", json_integer(c->n_comments));
    if (c->submitter[0])
        json_object_set_new(it, "submittedBy", json_pack("{s:s}", "name", c->submitter));
    return it;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    out_mem(data, buffer, size);
    return 0;
}

static void send_json(struct req *r, json_t *v)
{
    r->ctype = "application/json";
    int rc = json_dump_callback(v, dump_cb, r, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(v);
    if (rc) {
        http_error(r, 500, "could not encode the answer");
        return;
    }
    out_str(r, "\n");
}

struct items {
    json_t *a;
};

static int on_item(void *ctx, const struct store_card *c)
{
    struct items *it = ctx;
    json_t *j = item_json(c);
    if (c->score > 0)
        json_object_set_new(j, "trendingScore", json_real(c->score));
    json_array_append_new(it->a, j);
    return 0;
}

static long param_long(struct req *r, const char *key, long dflt, long min, long max, int *bad)
{
    const char *v = form_get(&r->query, key);
    if (!v || !*v)
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < min || n > max) {
        *bad = 1;
        http_error(r, 400, "%s must be a whole number from %ld to %ld", key, min, max);
        return dflt;
    }
    return n;
}

void api_daily_papers(struct req *r)
{
    struct http_period pd;
    if (http_period(r, &pd)) {
        http_error(r, 400, "date is YYYY-MM-DD, week YYYY-Www, month YYYY-MM");
        return;
    }
    const char *sort = form_get(&r->query, "sort");
    if (sort && *sort && strcmp(sort, "trending") && strcmp(sort, "publishedAt")) {
        http_error(r, 400, "sort is trending or publishedAt");
        return;
    }
    int bad = 0;
    long limit = param_long(r, "limit", 50, 1, API_MAX_LIMIT, &bad);
    long page = bad ? 0 : param_long(r, "p", 0, 0, 100000, &bad);
    if (bad)
        return;
    struct items it = {json_array()};
    long long total = 0;
    int is_new = sort && !strcmp(sort, "publishedAt");
    if (store_cards_days(r->w->st, pd.first, pd.last, is_new ? STORE_SORT_NEW : STORE_SORT_TRENDING,
                         (int)(page * limit), (int)limit, &total, on_item, &it)) {
        json_decref(it.a);
        http_error(r, 500, "%s", store_errmsg(r->w->st));
        return;
    }
    send_json(r, it.a);
    r->cacheable = 1;
}

static int on_one(void *ctx, const struct store_card *c)
{
    *(json_t **)ctx = api_paper_json(c);
    return 1;
}

void api_paper(struct req *r, const char *id, const char *rest)
{
    if (*rest) {
        http_error(r, 404, "no such resource");
        return;
    }
    json_t *p = NULL;
    int rc = store_card_get(r->w->st, id, 0, on_one, &p);
    if (rc == PB_ENOTFOUND) {
        http_error(r, 404, "no paper %s", id);
        return;
    }
    if (rc || !p) {
        json_decref(p);
        http_error(r, 500, "%s", store_errmsg(r->w->st));
        return;
    }
    send_json(r, p);
    r->cacheable = 1;
}

static int on_search_item(void *ctx, const struct store_card *c)
{
    json_t *j = item_json(c);
    json_object_set_new(j, "score", json_real(c->score));
    json_array_append_new(ctx, j);
    return 0;
}

void api_search(struct req *r)
{
    const char *q = form_get(&r->query, "q");
    if (!q || !*q) {
        http_error(r, 400, "q is required");
        return;
    }
    int bad = 0;
    long limit = param_long(r, "limit", 20, 1, API_MAX_LIMIT, &bad);
    if (bad)
        return;
    json_t *a = json_array();
    if (http_search_cards(r, q, (size_t)limit, on_search_item, a)) {
        json_decref(a);
        return;
    }
    send_json(r, a);
    r->cacheable = 1;
}
