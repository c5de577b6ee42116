/* BEIR corpus JSON Lines (corpus.jsonl of the BEIR benchmarks, e.g. SciFact): one object per line,
 * blank lines ignored: {"_id": "4983" (string or integer, required), "title": "...", "text": "...",
 * "metadata": {...} (ignored)}. id = "beir:" + _id, text -> abstract.
 * Several BEIR corpora have empty titles, but a record needs one: then the title is the first
 * sentence of the text (at most 200 bytes, cut at a word or UTF-8 boundary). That keeps the title
 * field made of the document's own words (a placeholder like "(untitled)" would put the same
 * fake term into thousands of titles) at the price of counting that sentence twice in search.
 * A record with neither title nor text is rejected. */
#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"
#include "json_util.h"
#include "parser_impl.h"

#define BEIR_TITLE_MAX 200
#define BEIR_SENTENCE_MIN 20 /* shorter "sentences" end at abbreviations ("Dr. ", "e.g. ") */

/* Length of the title taken from normalised text s (one line, single spaces). */
static size_t title_len(const char *s)
{
    size_t n = strlen(s);
    size_t limit = n < BEIR_TITLE_MAX ? n : BEIR_TITLE_MAX;
    for (size_t i = BEIR_SENTENCE_MIN; i < limit; i++) {
        char c = s[i - 1];
        if ((c == '.' || c == '?' || c == '!') && s[i] == ' ')
            return i;
    }
    if (n <= BEIR_TITLE_MAX)
        return n;
    size_t cut = BEIR_TITLE_MAX;
    while (cut > BEIR_TITLE_MAX / 2 && s[cut] != ' ')
        cut--;
    if (s[cut] != ' ') {
        cut = BEIR_TITLE_MAX;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
    }
    return cut;
}

static int map_beir(struct jmap *m, const struct jval *o, struct paper *rec)
{
    static const char *const keys[] = {"_id", "title", "text"};
    struct jval v[3];
    jscan_fields(o, keys, 3, v);
    const struct jval *id = &v[0];
    char num[32];
    const char *id_s;
    long long n;
    if (id->type == JSCAN_NONE || id->type == JSCAN_NULL)
        return json_fail(&m->why, "missing \"_id\"");
    if (id->type == JSCAN_NUMBER && !jscan_int(id, &n)) {
        snprintf(num, sizeof num, "%lld", n);
        id_s = num;
    } else if (id->type == JSCAN_STRING) {
        id_s = jmap_cstr(m, id);
    } else {
        return json_fail(&m->why, "\"_id\" is not a string");
    }
    if (!*id_s)
        return json_fail(&m->why, "empty \"_id\"");
    if (strlen(id_s) >= PAPER_MAX_ID - 5)
        return json_fail(&m->why, "\"_id\" is longer than %d bytes", PAPER_MAX_ID - 6);
    char *full = xasprintf("beir:%s", id_s);
    paper_set_str(&rec->id, full);
    xfree(full);
    if (!strcmp(rec->id, "beir:"))
        return json_fail(&m->why, "empty \"_id\"");

    if (jmap_text(m, &v[1], "title", &rec->title) || jmap_text(m, &v[2], "text", &rec->abstract))
        return PB_EINVAL;
    if (!rec->title || !*rec->title) {
        if (!rec->abstract || !*rec->abstract)
            return json_fail(&m->why, "empty \"title\" and \"text\"");
        paper_set(&rec->title, rec->abstract, title_len(rec->abstract));
    }
    return 0;
}

static void *create(struct parser *p)
{
    return jsonl_new(p, map_beir, "BEIR corpus");
}

const struct format_ops parse_beir_ops = {"beir", create, jsonl_ops_feed, jsonl_ops_finish,
                                          jsonl_ops_destroy};
