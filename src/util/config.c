/* Configuration file parser (format in config.h and docs/CONFIG.md). Entries are kept in file
 * order in one array; files are small, so lookups are linear scans. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

struct entry {
    char *kind, *name; /* name NULL for an unnamed section */
    char *key, *value; /* key NULL: the section header itself */
    int line;
};

struct config {
    char *file;
    struct entry *e;
    size_t n, cap;
    const char **names; /* config_sections' result */
};

struct config *config_new(void)
{
    struct config *c = xcalloc(1, sizeof *c);
    c->file = xstrdup("(defaults)");
    return c;
}

void config_free(struct config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->e[i].key) { /* kind and name are owned by the header entry */
            xfree(c->e[i].kind);
            xfree(c->e[i].name);
        }
        xfree(c->e[i].key);
        xfree(c->e[i].value);
    }
    xfree(c->e);
    xfree(c->names);
    xfree(c->file);
    xfree(c);
}

static int fail(char *err, size_t errlen, int rc, const char *name, int line, const char *fmt,
                ...) __attribute__((format(printf, 6, 7)));
static int fail(char *err, size_t errlen, int rc, const char *name, int line, const char *fmt,
                ...)
{
    if (!errlen)
        return rc;
    int n = line > 0 ? snprintf(err, errlen, "%s:%d: ", name, line)
                     : snprintf(err, errlen, "%s: ", name);
    if (n < 0 || (size_t)n >= errlen)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return rc;
}

static int is_key_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '.' || ch == '-';
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

static char *lower_dup(const char *s, size_t n)
{
    char *d = xstrndup(s, n);
    for (char *p = d; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return d;
}

static void push(struct config *c, struct entry e)
{
    c->e = xgrow(c->e, sizeof *c->e, c->n + 1, &c->cap);
    c->e[c->n++] = e;
}

/* Trim [*s, *e) of white space on both ends. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s))
        (*s)++;
    while (*e > *s && is_space((*e)[-1]))
        (*e)--;
}

static int parse_line(struct config *c, const char *s, const char *e, int line, const char **kind,
                      const char **sname, char *err, size_t errlen)
{
    trim(&s, &e);
    if (s == e || *s == '#' || *s == ';')
        return 0;
    if (memchr(s, '\0', (size_t)(e - s)))
        return fail(err, errlen, PB_EPARSE, c->file, line, "NUL byte in line");
    if (*s == '[') {
        if (e[-1] != ']')
            return fail(err, errlen, PB_EPARSE, c->file, line, "section header lacks ']'");
        const char *p = s + 1, *end = e - 1;
        trim(&p, &end);
        const char *k = p;
        while (p < end && is_key_char((unsigned char)*p))
            p++;
        if (p == k)
            return fail(err, errlen, PB_EPARSE, c->file, line, "section header has no name");
        const char *ke = p;
        trim(&p, &end);
        if (p < end && ke == p)
            return fail(err, errlen, PB_EPARSE, c->file, line,
                        "bad character '%c' in section kind", *p);
        if (memchr(p, ']', (size_t)(end - p)) || memchr(p, '"', (size_t)(end - p)) ||
            memchr(p, '[', (size_t)(end - p)))
            return fail(err, errlen, PB_EPARSE, c->file, line,
                        "section name may not contain '[', ']' or '\"'");
        struct entry h = {lower_dup(k, (size_t)(ke - k)),
                          p < end ? xstrndup(p, (size_t)(end - p)) : NULL, NULL, NULL, line};
        for (size_t i = 0; i < c->n; i++) {
            struct entry *o = &c->e[i];
            if (!o->key && !strcmp(o->kind, h.kind) &&
                ((!o->name && !h.name) || (o->name && h.name && !strcmp(o->name, h.name)))) {
                int rc = fail(err, errlen, PB_EPARSE, c->file, line,
                              "section [%s%s%s] already started at line %d", h.kind,
                              h.name ? " " : "", h.name ? h.name : "", o->line);
                xfree(h.kind);
                xfree(h.name);
                return rc;
            }
        }
        push(c, h);
        *kind = h.kind;
        *sname = h.name;
        return 0;
    }
    const char *k = s;
    while (s < e && is_key_char((unsigned char)*s))
        s++;
    const char *ke = s;
    while (s < e && is_space(*s))
        s++;
    if (k == ke || s == e || *s != '=')
        return fail(err, errlen, PB_EPARSE, c->file, line,
                    "expected 'key = value' or '[section]'");
    if (!*kind)
        return fail(err, errlen, PB_EPARSE, c->file, line, "key outside any [section]");
    const char *v = s + 1, *ve = e;
    trim(&v, &ve);
    if (v < ve && *v == '"') {
        if (ve - v < 2 || ve[-1] != '"')
            return fail(err, errlen, PB_EPARSE, c->file, line, "unterminated quoted value");
        v++;
        ve--;
        if (memchr(v, '"', (size_t)(ve - v)))
            return fail(err, errlen, PB_EPARSE, c->file, line, "'\"' inside a quoted value");
    }
    char *key = lower_dup(k, (size_t)(ke - k));
    for (size_t i = c->n; i-- > 0;) {
        struct entry *o = &c->e[i];
        if (!o->key)
            break;
        if (!strcmp(o->key, key)) {
            int rc = fail(err, errlen, PB_EPARSE, c->file, line,
                          "key '%s' already set at line %d", key, o->line);
            xfree(key);
            return rc;
        }
    }
    push(c, (struct entry){(char *)*kind, (char *)*sname, key,
                           xstrndup(v, (size_t)(ve - v)), line});
    return 0;
}

int config_parse(const char *text, size_t len, const char *name, struct config **out, char *err,
                 size_t errlen)
{
    *out = NULL;
    if (errlen)
        err[0] = 0;
    if (len > CONFIG_MAX_BYTES)
        return fail(err, errlen, PB_ETOOBIG, name, 0, "larger than %d bytes", CONFIG_MAX_BYTES);
    struct config *c = xcalloc(1, sizeof *c);
    c->file = xstrdup(name);
    const char *kind = NULL, *sname = NULL;
    const char *p = text, *end = text + len;
    int line = 0;
    while (p < end) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        int rc = 0;
        if (le - p > CONFIG_MAX_LINE)
            rc = fail(err, errlen, PB_ETOOBIG, name, line, "line longer than %d bytes",
                      CONFIG_MAX_LINE);
        else if (c->n >= CONFIG_MAX_ENTRIES)
            rc = fail(err, errlen, PB_ETOOBIG, name, line, "more than %d entries",
                      CONFIG_MAX_ENTRIES);
        else
            rc = parse_line(c, p, le, line, &kind, &sname, err, errlen);
        if (rc) {
            config_free(c);
            return rc;
        }
        p = nl ? nl + 1 : end;
    }
    *out = c;
    return 0;
}

int config_load(const char *path, struct config **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, PB_EIO, path, 0, "cannot open: %s", strerror(errno));
    char *buf = xmalloc(CONFIG_MAX_BYTES + 1);
    size_t n = fread(buf, 1, CONFIG_MAX_BYTES + 1, f);
    int is_err = ferror(f);
    fclose(f);
    int rc;
    if (is_err)
        rc = fail(err, errlen, PB_EIO, path, 0, "cannot read: %s", strerror(errno));
    else
        rc = config_parse(buf, n, path, out, err, errlen);
    xfree(buf);
    return rc;
}

const char *config_path(const char *flag)
{
    if (flag && *flag)
        return flag;
    const char *env = getenv("PAPERBOY_CONFIG");
    if (env && *env)
        return env;
    FILE *f = fopen("paperboy.conf", "rb");
    if (f) {
        fclose(f);
        return "paperboy.conf";
    }
    return NULL;
}

static const struct entry *find(const struct config *c, const char *kind, const char *name,
                                const char *key)
{
    for (size_t i = 0; c && i < c->n; i++) {
        const struct entry *e = &c->e[i];
        if (e->key && !strcmp(e->key, key) && !strcmp(e->kind, kind) &&
            ((!name && !e->name) || (name && e->name && !strcmp(name, e->name))))
            return e;
    }
    return NULL;
}

const char *config_get(const struct config *c, const char *kind, const char *name,
                       const char *key)
{
    const struct entry *e = find(c, kind, name, key);
    return e ? e->value : NULL;
}

int config_line(const struct config *c, const char *kind, const char *name, const char *key)
{
    const struct entry *e = find(c, kind, name, key);
    return e ? e->line : 0;
}

const char *config_file(const struct config *c)
{
    return c->file;
}

int config_get_int(const struct config *c, const char *kind, const char *name, const char *key,
                   long min, long max, long *out, char *err, size_t errlen)
{
    const struct entry *e = find(c, kind, name, key);
    if (!e)
        return 0;
    char *endp;
    errno = 0;
    long v = strtol(e->value, &endp, 10);
    if (!e->value[0] || *endp || errno || v < min || v > max)
        return fail(err, errlen, PB_EINVAL, c->file, e->line,
                    "%s in [%s] must be a whole number from %ld to %ld, not '%s'", key, kind, min,
                    max, e->value);
    *out = v;
    return 0;
}

int config_sections(struct config *c, const char *kind, const char ***names)
{
    int n = 0;
    xfree(c->names);
    c->names = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (c->e[i].key || strcmp(c->e[i].kind, kind))
            continue;
        c->names = xgrow(c->names, sizeof *c->names, (size_t)n + 1, &cap);
        c->names[n++] = c->e[i].name ? c->e[i].name : "";
    }
    *names = c->names;
    return n;
}

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return 1;
    return 0;
}

int config_check_keys(const struct config *c, const char *kind, const char *const *keys,
                      char *err, size_t errlen)
{
    for (size_t i = 0; c && i < c->n; i++) {
        const struct entry *e = &c->e[i];
        if (e->key && !strcmp(e->kind, kind) && !in_list(e->key, keys))
            return fail(err, errlen, PB_EINVAL, c->file, e->line, "unknown key '%s' in [%s]",
                        e->key, kind);
    }
    return 0;
}

int config_check_kinds(const struct config *c, const char *const *kinds, char *err,
                       size_t errlen)
{
    for (size_t i = 0; c && i < c->n; i++) {
        const struct entry *e = &c->e[i];
        if (!e->key && !in_list(e->kind, kinds))
            return fail(err, errlen, PB_EINVAL, c->file, e->line, "unknown section [%s]",
                        e->kind);
    }
    return 0;
}
