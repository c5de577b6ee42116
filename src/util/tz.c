/* Fixed offsets and TZif files (tz.h). Only the transition times and the UTC offset of each
 * local time type are read; abbreviations, leap seconds and the std/ut flags are skipped. */
#include "tz.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"

struct tz {
    char name[64];
    long fixed;       /* offset when n == 0 */
    size_t n;         /* transitions */
    int64_t *at;      /* transition times, ascending */
    long *off;        /* offset in force from at[i] on */
    long before;      /* offset before the first transition */
};

void tz_free(struct tz *z)
{
    if (!z)
        return;
    xfree(z->at);
    xfree(z->off);
    xfree(z);
}

const char *tz_name(const struct tz *z)
{
    return z ? z->name : "UTC";
}

long tz_offset(const struct tz *z, int64_t t)
{
    if (!z)
        return 0;
    if (!z->n)
        return z->fixed;
    if (t < z->at[0])
        return z->before;
    size_t lo = 0, hi = z->n; /* the last transition at or before t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->at[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->off[lo];
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

int tz_parse(const unsigned char *d, size_t len, struct tz **out, char *err, size_t errlen)
{
    *out = NULL;
    if (len < 44 || memcmp(d, "TZif", 4)) {
        snprintf(err, errlen, "not a TZif file");
        return PB_EPARSE;
    }
    int v2 = d[4] >= '2';
    size_t pos = 0, tsize = 4;
    for (int pass = 0; pass < 1 + v2; pass++) {
        if (len - pos < 44 || memcmp(d + pos, "TZif", 4)) {
            snprintf(err, errlen, "truncated TZif header");
            return PB_EPARSE;
        }
        const unsigned char *h = d + pos + 20;
        uint32_t isut = be32(h), isstd = be32(h + 4), leap = be32(h + 8), timecnt = be32(h + 12),
                 typecnt = be32(h + 16), charcnt = be32(h + 20);
        if (timecnt > TZ_MAX_TRANSITIONS || typecnt == 0 || typecnt > 256 || charcnt > 65536 ||
            leap > 65536 || isut > 256 || isstd > 256) {
            snprintf(err, errlen, "TZif counts out of range");
            return PB_EPARSE;
        }
        size_t body = timecnt * tsize + timecnt + typecnt * 6 + charcnt +
                      leap * (tsize + 4) + isstd + isut;
        pos += 44;
        if (len - pos < body) {
            snprintf(err, errlen, "truncated TZif data");
            return PB_EPARSE;
        }
        if (pass == 0 && v2) { /* skip the 32-bit block: the 64-bit one follows */
            pos += body;
            tsize = 8;
            continue;
        }
        const unsigned char *times = d + pos, *idx = times + timecnt * tsize,
                            *types = idx + timecnt;
        struct tz *z = xcalloc(1, sizeof *z);
        z->n = timecnt;
        z->at = xmalloc((timecnt ? timecnt : 1) * sizeof *z->at);
        z->off = xmalloc((timecnt ? timecnt : 1) * sizeof *z->off);
        for (uint32_t i = 0; i < timecnt; i++) {
            z->at[i] = tsize == 8 ? be64(times + 8 * i) : (int32_t)be32(times + 4 * i);
            if (idx[i] >= typecnt || (i && z->at[i] <= z->at[i - 1])) {
                tz_free(z);
                snprintf(err, errlen, "bad TZif transition %u", i);
                return PB_EPARSE;
            }
            int32_t off = (int32_t)be32(types + 6 * idx[i]);
            if (off < -26 * 3600 || off > 26 * 3600) {
                tz_free(z);
                snprintf(err, errlen, "TZif offset out of range");
                return PB_EPARSE;
            }
            z->off[i] = off;
        }
        int32_t first = (int32_t)be32(types);
        z->before = first >= -26 * 3600 && first <= 26 * 3600 ? first : 0;
        z->fixed = z->before;
        *out = z;
        return 0;
    }
    snprintf(err, errlen, "not a TZif file");
    return PB_EPARSE;
}

/* "+HH:MM", "-HHMM", "+HH" */
static int parse_offset(const char *s, long *off)
{
    int sign = s[0] == '-' ? -1 : 1;
    if (s[0] != '+' && s[0] != '-')
        return -1;
    const char *p = s + 1;
    int d[4], n = 0;
    for (; *p && n < 4; p++) {
        if (*p == ':' && n == 2)
            continue;
        if (*p < '0' || *p > '9')
            return -1;
        d[n++] = *p - '0';
    }
    if (*p || (n != 2 && n != 4))
        return -1;
    long h = d[0] * 10 + d[1], m = n == 4 ? d[2] * 10 + d[3] : 0;
    if (h > 23 || m > 59)
        return -1;
    *off = sign * (h * 3600 + m * 60);
    return 0;
}

int tz_load(const char *name, struct tz **out, char *err, size_t errlen)
{
    *out = NULL;
    long off = 0;
    if (!strcmp(name, "UTC") || !strcmp(name, "Z") || !strcmp(name, "GMT") ||
        !parse_offset(name, &off)) {
        struct tz *z = xcalloc(1, sizeof *z);
        snprintf(z->name, sizeof z->name, "%s", name);
        z->fixed = off;
        *out = z;
        return 0;
    }
    size_t n = strlen(name);
    if (n == 0 || n >= 64 || name[0] == '/' || strstr(name, "..") ||
        strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != n) {
        snprintf(err, errlen, "'%s' is not a time zone (UTC, +HH:MM or a name like "
                              "Europe/Berlin)", name);
        return PB_EINVAL;
    }
    char path[128];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "unknown time zone '%s' (no %s)", name, path);
        return PB_ENOTFOUND;
    }
    unsigned char *buf = xmalloc(1 << 16);
    size_t len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    char why[128];
    int rc = tz_parse(buf, len, out, why, sizeof why);
    xfree(buf);
    if (rc) {
        snprintf(err, errlen, "time zone '%s': %s", name, why);
        return rc;
    }
    snprintf((*out)->name, sizeof (*out)->name, "%s", name);
    return 0;
}
