/* struct paper lifecycle, arXiv id parsing and record validation. */
#include "paper.h"

#include <string.h>

#include "../util/alloc.h"
#include "../util/text.h"

void strlist_push_take(struct strlist *l, char *s)
{
    l->v = xgrow(l->v, sizeof *l->v, l->n + 1, &l->cap);
    l->v[l->n++] = s;
}

void strlist_push(struct strlist *l, const char *s)
{
    strlist_push_take(l, xstrdup(s));
}

void strlist_clear(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        xfree(l->v[i]);
    xfree(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

int strlist_contains(const struct strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s))
            return 1;
    return 0;
}

void paper_init(struct paper *p)
{
    memset(p, 0, sizeof *p);
    p->upvotes = -1;
}

void paper_clear(struct paper *p)
{
    char **fields[] = {&p->id,        &p->title,     &p->abstract,    &p->comment,
                       &p->journal_ref, &p->doi,     &p->license,     &p->report_no,
                       &p->submitted, &p->updated,   &p->listing_day, &p->github_repo,
                       &p->featured_day};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        xfree(*fields[i]);
    strlist_clear(&p->authors);
    strlist_clear(&p->categories);
    strlist_clear(&p->keywords);
    paper_init(p);
}

static char *dup_opt(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void copy_list(struct strlist *dst, const struct strlist *src)
{
    for (size_t i = 0; i < src->n; i++)
        strlist_push(dst, src->v[i]);
}

void paper_copy(struct paper *dst, const struct paper *src)
{
    paper_clear(dst);
    *dst = *src;
    dst->id = dup_opt(src->id);
    dst->title = dup_opt(src->title);
    dst->abstract = dup_opt(src->abstract);
    dst->comment = dup_opt(src->comment);
    dst->journal_ref = dup_opt(src->journal_ref);
    dst->doi = dup_opt(src->doi);
    dst->license = dup_opt(src->license);
    dst->report_no = dup_opt(src->report_no);
    dst->submitted = dup_opt(src->submitted);
    dst->updated = dup_opt(src->updated);
    dst->listing_day = dup_opt(src->listing_day);
    dst->github_repo = dup_opt(src->github_repo);
    dst->featured_day = dup_opt(src->featured_day);
    memset(&dst->authors, 0, sizeof dst->authors);
    memset(&dst->categories, 0, sizeof dst->categories);
    memset(&dst->keywords, 0, sizeof dst->keywords);
    copy_list(&dst->authors, &src->authors);
    copy_list(&dst->categories, &src->categories);
    copy_list(&dst->keywords, &src->keywords);
}

void paper_move(struct paper *dst, struct paper *src)
{
    paper_clear(dst);
    *dst = *src;
    paper_init(src);
}

void paper_set(char **field, const char *s, size_t n)
{
    xfree(*field);
    *field = text_normalize(s, n);
}

void paper_set_str(char **field, const char *s)
{
    paper_set(field, s, strlen(s));
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

int paper_parse_arxiv_id(const char *s, char *out, int *version)
{
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    /* Strip URL and prefix forms. */
    static const char *prefixes[] = {"https://", "http://", "export.arxiv.org/", "www.arxiv.org/",
                                     "arxiv.org/", "abs/", "pdf/", "html/", "oai:arxiv.org:",
                                     "arxiv:"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (text_starts_with(p, prefixes[i]))
            p += strlen(prefixes[i]);
    size_t n = 0;
    int ver = 0;
    if (is_digit(p[0])) {
        /* New style: YYMM.NNNN or YYMM.NNNNN */
        size_t i = 0;
        while (i < 4 && is_digit(p[i]))
            i++;
        if (i != 4 || p[4] != '.')
            return PB_EINVAL;
        i = 5;
        while (is_digit(p[i]))
            i++;
        if (i - 5 < 4 || i - 5 > 5)
            return PB_EINVAL;
        n = i;
    } else if (is_lower(p[0])) {
        /* Old style: archive[.SUBJ]/YYMMNNN */
        size_t i = 0;
        while (is_lower(p[i]) || p[i] == '-')
            i++;
        size_t arch_end = i;
        if (p[i] == '.') {
            i++;
            while ((p[i] >= 'A' && p[i] <= 'Z') || is_lower(p[i]))
                i++;
        }
        if (arch_end < 2 || p[i] != '/')
            return PB_EINVAL;
        size_t j = i + 1, k = 0;
        while (is_digit(p[j + k]))
            k++;
        if (k != 7)
            return PB_EINVAL;
        if (arch_end + 8 >= PAPER_MAX_ID)
            return PB_EINVAL;
        memcpy(out, p, arch_end);
        out[arch_end] = '/';
        memcpy(out + arch_end + 1, p + j, 7);
        out[arch_end + 8] = 0;
        p += j + 7;
        goto version;
    } else {
        return PB_EINVAL;
    }
    memcpy(out, p, n);
    out[n] = 0;
    p += n;
version:
    if (*p == 'v' || *p == 'V') {
        p++;
        if (!is_digit(*p))
            return PB_EINVAL;
        while (is_digit(*p) && ver < 100000)
            ver = ver * 10 + (*p++ - '0');
    }
    /* Allow a trailing ".pdf", slash or space; anything else means it was not an id. */
    if (!strcmp(p, ".pdf") || *p == '/' || *p == 0 || *p == ' ' || *p == '\t' || *p == '\n' ||
        *p == '?' || *p == '#')
    {
        *version = ver;
        return 0;
    }
    return PB_EINVAL;
}

int paper_id_plausible(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_digit(s[i]) || s[i] == ':')
            return 1;
    return 0;
}

int paper_validate(const struct paper *p, const char **why)
{
    if (!p->id || !*p->id) {
        *why = "missing id";
        return PB_EINVAL;
    }
    if (!paper_id_plausible(p->id, strlen(p->id))) {
        *why = "id is neither an arXiv id nor namespaced";
        return PB_EINVAL;
    }
    if (strlen(p->id) >= PAPER_MAX_ID) {
        *why = "id too long";
        return PB_EINVAL;
    }
    if (p->is_deleted)
        return 0;
    if (!p->title || !*p->title) {
        *why = "missing title";
        return PB_EINVAL;
    }
    const char *fields[] = {p->title,   p->abstract, p->comment,     p->journal_ref,
                            p->doi,     p->license,  p->report_no,   p->github_repo};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (fields[i] && strlen(fields[i]) > PAPER_MAX_FIELD) {
            *why = "a field is longer than the limit of 262144 bytes";
            return PB_EINVAL;
        }
    }
    if (p->authors.n > PAPER_MAX_LIST || p->categories.n > PAPER_MAX_LIST ||
        p->keywords.n > PAPER_MAX_LIST) {
        *why = "more than 5000 authors, categories or keywords";
        return PB_EINVAL;
    }
    return 0;
}

static int is_suffix(const char *name)
{
    static const char *suffixes[] = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (text_starts_with(name, suffixes[i]) && strlen(name) == strlen(suffixes[i]))
            return 1;
    return 0;
}

static void push_name(struct strlist *out, const char *s, size_t n)
{
    char *name = text_normalize(s, n);
    /* "John Smith, Jr." is one author: glue a generational suffix to the name before it. */
    if (out->n && is_suffix(name)) {
        char *joined = xasprintf("%s, %s", out->v[out->n - 1], name);
        xfree(out->v[out->n - 1]);
        out->v[out->n - 1] = joined;
        xfree(name);
        return;
    }
    /* Drop a leading "and " left by "A, B, and C". */
    if (!strncmp(name, "and ", 4))
        memmove(name, name + 4, strlen(name + 4) + 1);
    if (*name && strcmp(name, "and") && out->n < PAPER_MAX_LIST)
        strlist_push_take(out, name);
    else
        xfree(name);
}

void paper_split_authors(const char *s, struct strlist *out)
{
    size_t start = 0, i = 0, len = strlen(s);
    int depth = 0;
    /* Copy without parenthesised parts, splitting at separators at depth 0. */
    char *tmp = xmalloc(len + 1);
    size_t t = 0;
    for (i = 0; i <= len; i++) {
        char c = s[i];
        if (c == '(') {
            depth++;
            continue;
        }
        if (c == ')') {
            if (depth)
                depth--;
            continue;
        }
        if (depth)
            continue;
        int sep = c == 0 || c == ',' || c == ';';
        size_t skip = 1;
        if (!sep && (c == ' ' || c == '\t' || c == '\n') && !strncmp(s + i + 1, "and ", 4)) {
            sep = 1;
            skip = 5;
        }
        if (sep) {
            push_name(out, tmp + start, t - start);
            start = t;
            i += skip - 1;
            continue;
        }
        tmp[t++] = c;
    }
    xfree(tmp);
}

void paper_split_categories(const char *s, struct strlist *out)
{
    const char *p = s;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\n')
            p++;
        const char *q = p;
        while (*q && *q != ' ' && *q != '\t' && *q != ',' && *q != '\n')
            q++;
        if (q > p && out->n < PAPER_MAX_LIST) {
            char *c = text_normalize(p, (size_t)(q - p));
            if (strlist_contains(out, c))
                xfree(c);
            else
                strlist_push_take(out, c);
        }
        p = q;
    }
}
