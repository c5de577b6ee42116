/* Trending score (formula and why in trending.h). */
#include "trending.h"

#include <math.h>
#include <string.h>

double trending_score(long points, int64_t appeared, int64_t now)
{
    double age_h = now > appeared ? (double)(now - appeared) / 3600.0 : 0.0;
    if (points < 0)
        points = 0;
    return ((double)points + 1.0) / pow(age_h + 2.0, TRENDING_GRAVITY);
}

int64_t trending_window(const char *name)
{
    if (!name || !strcmp(name, "day"))
        return name ? 86400 : 0;
    if (!strcmp(name, "week"))
        return 7 * 86400;
    if (!strcmp(name, "month"))
        return 30 * 86400;
    return 0;
}
