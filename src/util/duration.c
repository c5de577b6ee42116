/* Duration parser (grammar in duration.h). Overflow cannot happen: at most 12 integer digits
 * are read, and the whole part is checked against the cap before it is multiplied. */
#include "duration.h"

#include <stdio.h>
#include <string.h>

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int unit_ms(const char *u, int64_t *mult)
{
    static const struct {
        const char *name;
        int64_t ms;
    } units[] = {{"", 1000},   {"ms", 1},      {"s", 1000},    {"sec", 1000},
                 {"m", 60000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
    char buf[8];
    size_t n = 0;
    while (u[n] && n < sizeof buf - 1) {
        buf[n] = (char)lower((unsigned char)u[n]);
        n++;
    }
    if (u[n])
        return PB_EINVAL;
    buf[n] = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (!strcmp(buf, units[i].name)) {
            *mult = units[i].ms;
            return 0;
        }
    }
    return PB_EINVAL;
}

int duration_parse(const char *s, int64_t *ms)
{
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    int64_t whole = 0, frac = 0, frac_div = 1;
    int n_digits = 0;
    while (*p >= '0' && *p <= '9') {
        if (++n_digits > 12)
            return PB_EINVAL;
        whole = whole * 10 + (*p++ - '0');
    }
    if (*p == '.') {
        p++;
        int n_frac = 0;
        while (*p >= '0' && *p <= '9') {
            if (++n_frac > 3)
                return PB_EINVAL;
            frac = frac * 10 + (*p++ - '0');
            frac_div *= 10;
        }
        n_digits += n_frac;
    }
    if (!n_digits)
        return PB_EINVAL;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *end = p + strlen(p);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    char unit[8];
    size_t un = (size_t)(end - p);
    if (un >= sizeof unit)
        return PB_EINVAL;
    memcpy(unit, p, un);
    unit[un] = 0;
    int64_t mult;
    if (unit_ms(unit, &mult))
        return PB_EINVAL;
    if (whole > DURATION_MAX_MS / mult)
        return PB_EINVAL;
    /* frac / frac_div of a unit must come out in whole milliseconds */
    if ((frac * mult) % frac_div)
        return PB_EINVAL;
    int64_t v = whole * mult + frac * mult / frac_div;
    if (v > DURATION_MAX_MS)
        return PB_EINVAL;
    *ms = v;
    return 0;
}

void duration_format(int64_t ms, char *out, unsigned long outlen)
{
    static const struct {
        int64_t ms;
        const char *name;
    } units[] = {{86400000, "d"}, {3600000, "h"}, {60000, "min"}, {1000, "s"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        int64_t u = units[i].ms;
        if (ms >= u && (ms * 10) % u == 0) {
            if (ms % u == 0)
                snprintf(out, outlen, "%lld %s", (long long)(ms / u), units[i].name);
            else
                snprintf(out, outlen, "%lld.%lld %s", (long long)(ms / u),
                         (long long)(ms % u * 10 / u), units[i].name);
            return;
        }
    }
    snprintf(out, outlen, "%lld ms", (long long)ms);
}
