/* Calendar arithmetic (Howard Hinnant's days_from_civil algorithm, public domain idea) and the
 * lenient date parser used by every importer. */
#include "date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t date_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void date_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

int date_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (3). */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int valid_ymd(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

static int digits(const char **pp, int max, int *out)
{
    const char *p = *pp;
    int v = 0, n = 0;
    while (n < max && *p >= '0' && *p <= '9') {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (!n)
        return 0;
    *pp = p;
    *out = v;
    return n;
}

static void skip_space(const char **pp)
{
    while (**pp == ' ' || **pp == '\t' || **pp == ',')
        (*pp)++;
}

static int month_from_name(const char *p)
{
    static const char *names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int i = 0; i < 12; i++) {
        int ok = 1;
        for (int j = 0; j < 3 && ok; j++) {
            char c = p[j];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            ok = c == names[i][j];
        }
        if (ok)
            return i + 1;
    }
    return 0;
}

/* Write canonical output; (hh < 0) means date only. Applies a zone offset in minutes. */
static int emit(int y, int mo, int d, int hh, int mi, int ss, int off_min, char *out)
{
    if (!valid_ymd(y, mo, d))
        return PB_EINVAL;
    if (hh < 0) {
        snprintf(out, DATE_DAY_LEN + 1, "%04d-%02d-%02d", y, mo, d);
        return 0;
    }
    if (hh > 23 || mi > 59 || ss > 60)
        return PB_EINVAL;
    if (ss == 60)
        ss = 59;
    int64_t t = date_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss -
                (int64_t)off_min * 60;
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t rem = t - days * 86400;
    date_civil_from_days(days, &y, &mo, &d);
    if (y < 1 || y > 9999)
        return PB_EINVAL;
    snprintf(out, DATE_TS_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, (int)(rem / 3600),
             (int)(rem % 3600 / 60), (int)(rem % 60));
    return 0;
}

static int parse_zone(const char *p, int *off)
{
    *off = 0;
    while (*p == ' ')
        p++;
    if (*p == 0 || *p == 'Z' || *p == 'z' || !strncmp(p, "GMT", 3) || !strncmp(p, "UTC", 3) ||
        !strncmp(p, "UT", 2))
        return 0;
    if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        p++;
        int hh, mm = 0;
        const char *q = p;
        int n = digits(&q, 2, &hh);
        if (n != 2)
            return PB_EINVAL;
        if (*q == ':')
            q++;
        if (digits(&q, 2, &mm) == 1)
            return PB_EINVAL;
        *off = sign * (hh * 60 + mm);
        return 0;
    }
    /* Other named zones: tolerate the common US ones, ignore anything else. */
    if (!strncmp(p, "EST", 3)) *off = -300;
    else if (!strncmp(p, "EDT", 3)) *off = -240;
    else if (!strncmp(p, "CST", 3)) *off = -360;
    else if (!strncmp(p, "CDT", 3)) *off = -300;
    else if (!strncmp(p, "PST", 3)) *off = -480;
    else if (!strncmp(p, "PDT", 3)) *off = -420;
    else if (!strncmp(p, "MET", 3) || !strncmp(p, "CET", 3)) *off = 60;
    return 0;
}

int date_parse(const char *s, char *out)
{
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    int y, mo, d, hh = -1, mi = 0, ss = 0, off = 0;
    if (p[0] >= '0' && p[0] <= '9' && digits(&p, 4, &y) == 4 && *p == '-') {
        /* ISO 8601 */
        p++;
        if (digits(&p, 2, &mo) != 2 || *p++ != '-' || digits(&p, 2, &d) != 2)
            return PB_EINVAL;
        if (*p == 'T' || *p == 't' || *p == ' ') {
            const char *q = p + 1;
            if (digits(&q, 2, &hh) == 2 && *q == ':') {
                q++;
                if (digits(&q, 2, &mi) != 2)
                    return PB_EINVAL;
                if (*q == ':') {
                    q++;
                    if (digits(&q, 2, &ss) != 2)
                        return PB_EINVAL;
                    if (*q == '.') {
                        q++;
                        while (*q >= '0' && *q <= '9')
                            q++;
                    }
                }
                if (parse_zone(q, &off))
                    return PB_EINVAL;
            } else {
                hh = -1;
            }
        }
        return emit(y, mo, d, hh, mi, ss, off, out);
    }
    /* RFC 2822: [Day,] D Mon YYYY [HH:MM[:SS]] [zone]; also RFC 850 (Sunday, 06-Nov-94
     * 08:49:37 GMT) and asctime (Sun Nov  6 08:49:37 1994), which HTTP still allows */
    p = s;
    skip_space(&p);
    if (month_from_name(p) == 0 && ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z'))) {
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
            p++;
        skip_space(&p);
    }
    mo = month_from_name(p);
    if (mo) { /* asctime: Mon D HH:MM:SS YYYY, in GMT */
        p += 3;
        skip_space(&p);
        if (!digits(&p, 2, &d))
            return PB_EINVAL;
        skip_space(&p);
        if (digits(&p, 2, &hh) < 1 || *p++ != ':' || digits(&p, 2, &mi) != 2 || *p++ != ':' ||
            digits(&p, 2, &ss) != 2)
            return PB_EINVAL;
        skip_space(&p);
        if (digits(&p, 4, &y) != 4 || *p)
            return PB_EINVAL;
        return emit(y, mo, d, hh, mi, ss, 0, out);
    }
    if (!digits(&p, 2, &d))
        return PB_EINVAL;
    if (*p == '-')
        p++;
    skip_space(&p);
    mo = month_from_name(p);
    if (!mo)
        return PB_EINVAL;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    if (*p == '-')
        p++;
    skip_space(&p);
    int ny = digits(&p, 4, &y);
    if (ny == 2)
        y += y < 50 ? 2000 : 1900;
    else if (ny != 4)
        return PB_EINVAL;
    skip_space(&p);
    if (*p >= '0' && *p <= '9') {
        if (digits(&p, 2, &hh) < 1 || *p++ != ':' || digits(&p, 2, &mi) != 2)
            return PB_EINVAL;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &ss) != 2)
                return PB_EINVAL;
        }
        if (parse_zone(p, &off))
            return PB_EINVAL;
    }
    return emit(y, mo, d, hh, mi, ss, off, out);
}

int date_parse_day(const char *s, int64_t *days)
{
    int y, m, d;
    const char *p = s;
    if (digits(&p, 4, &y) != 4 || *p++ != '-' || digits(&p, 2, &m) != 2 || *p++ != '-' ||
        digits(&p, 2, &d) != 2 || *p != 0 || !valid_ymd(y, m, d))
        return PB_EINVAL;
    *days = date_days_from_civil(y, m, d);
    return 0;
}

void date_format_day(int64_t days, char *out)
{
    int y, m, d;
    date_civil_from_days(days, &y, &m, &d);
    snprintf(out, DATE_DAY_LEN + 1, "%04d-%02d-%02d", y, m, d);
}

/* Monday of ISO week 1 of year y. */
static int64_t iso_week1_monday(int y)
{
    int64_t jan4 = date_days_from_civil(y, 1, 4);
    return jan4 - date_weekday(jan4);
}

int date_parse_week(const char *s, int64_t *first, int64_t *last)
{
    int y, w;
    const char *p = s;
    if (digits(&p, 4, &y) != 4 || *p++ != '-' || (*p != 'W' && *p != 'w'))
        return PB_EINVAL;
    p++;
    if (digits(&p, 2, &w) != 2 || *p != 0 || w < 1 || w > 53 || y < 1)
        return PB_EINVAL;
    int64_t mon = iso_week1_monday(y) + (int64_t)(w - 1) * 7;
    if (w == 53 && iso_week1_monday(y + 1) <= mon)
        return PB_EINVAL;
    *first = mon;
    *last = mon + 6;
    return 0;
}

int date_parse_month(const char *s, int64_t *first, int64_t *last)
{
    int y, m;
    const char *p = s;
    if (digits(&p, 4, &y) != 4 || *p++ != '-' || digits(&p, 2, &m) != 2 || *p != 0 || m < 1 ||
        m > 12 || y < 1)
        return PB_EINVAL;
    *first = date_days_from_civil(y, m, 1);
    *last = *first + days_in_month(y, m) - 1;
    return 0;
}

void date_format_week(int64_t days, char *out)
{
    int y, m, d;
    date_civil_from_days(days, &y, &m, &d);
    int64_t mon = days - date_weekday(days);
    /* The ISO year is the year of that week's Thursday. */
    int ty, tm, td;
    date_civil_from_days(mon + 3, &ty, &tm, &td);
    int w = (int)((mon - iso_week1_monday(ty)) / 7) + 1;
    snprintf(out, 9, "%04d-W%02d", ty, w);
}

void date_format_ts(int64_t t, char *out)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400;
    int y, m, d;
    date_civil_from_days(days, &y, &m, &d);
    snprintf(out, DATE_TS_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
             (int)(rem % 3600 / 60), (int)(rem % 60));
}

/* The two forms the store writes, "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SSZ", read without the
 * general parser: /trending reads one per paper of its window. 0, or -1 for anything else
 * (which the general parser then reads or refuses). */
static int parse_canonical_ts(const char *s, int64_t *t)
{
    const char *p = s;
    int y, mo, d, hh = 0, mi = 0, ss = 0;
    if (digits(&p, 4, &y) != 4 || *p++ != '-' || digits(&p, 2, &mo) != 2 || *p++ != '-' ||
        digits(&p, 2, &d) != 2 || !valid_ymd(y, mo, d))
        return -1;
    if (*p == 'T') {
        p++;
        if (digits(&p, 2, &hh) != 2 || *p++ != ':' || digits(&p, 2, &mi) != 2 || *p++ != ':' ||
            digits(&p, 2, &ss) != 2 || *p++ != 'Z' || *p || hh > 23 || mi > 59 || ss > 59)
            return -1;
    } else if (*p) {
        return -1;
    }
    *t = date_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss;
    return 0;
}

int date_parse_ts(const char *s, int64_t *t)
{
    if (parse_canonical_ts(s, t) == 0)
        return 0;
    char canon[DATE_TS_LEN + 1];
    if (date_parse(s, canon))
        return PB_EINVAL;
    int y, mo, d, hh = 0, mi = 0, ss = 0;
    if (sscanf(canon, "%4d-%2d-%2d", &y, &mo, &d) != 3)
        return PB_EINVAL;
    if (canon[10] == 'T' && sscanf(canon + 11, "%2d:%2d:%2d", &hh, &mi, &ss) != 3)
        return PB_EINVAL;
    *t = date_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss;
    return 0;
}

int64_t date_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

void date_now_ts(char *out)
{
    date_format_ts(date_now(), out);
}
