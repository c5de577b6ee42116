/* The [mail] section of the configuration file (docs/CONFIG.md), shared by paperboy sub, digest
 * and serve: relay, sender, credentials (file or environment, never the command line), send
 * time, time zone and limits. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../mail/mail.h"
#include "../mail/mime.h"
#include "../util/config.h"
#include "../util/date.h"
#include "../util/tz.h"
#include "cli.h"

static const char *const mail_keys[] = {
    "smtp",       "starttls", "user",        "password",     "from",    "from-name",
    "send-time",  "timezone", "weekly-day",  "papers",       "max-bounces", "max-attempts",
    "timeout",    NULL};

static int bad(char *err, size_t n, const char *what, const char *v, const char *want)
{
    snprintf(err, n, "[%s] %s: '%s' is not %s", strcmp(what, "base-url") ? "mail" : "server",
             what, v, want);
    return PB_EINVAL;
}

int cli_mail_conf(const struct config *cfg, const char *smtp_flag, const char *base_url_flag,
                  struct mail_conf *mc, struct tz **tz, char *err, size_t errlen)
{
    mail_conf_default(mc);
    *tz = NULL;
    if (config_check_keys(cfg, "mail", mail_keys, err, errlen))
        return PB_EINVAL;
    const char *v;
    mc->smtp_url = smtp_flag ? smtp_flag : config_get(cfg, "mail", NULL, "smtp");
    if (!mc->smtp_url)
        mc->smtp_url = "";
    if ((v = config_get(cfg, "mail", NULL, "starttls"))) {
        if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
            mc->starttls = 1;
        else if (strcmp(v, "no") && strcmp(v, "false") && strcmp(v, "0"))
            return bad(err, errlen, "starttls", v, "yes or no");
    }
    mc->user = getenv("PAPERBOY_SMTP_USER");
    if (!mc->user || !*mc->user)
        mc->user = config_get(cfg, "mail", NULL, "user");
    mc->password = getenv("PAPERBOY_SMTP_PASSWORD");
    if (!mc->password || !*mc->password)
        mc->password = config_get(cfg, "mail", NULL, "password");
    char why[128];
    if ((v = config_get(cfg, "mail", NULL, "from"))) {
        if (mail_addr_check(v, why, sizeof why)) {
            snprintf(err, errlen, "[mail] from: '%s' %s", v, why);
            return PB_EINVAL;
        }
        mc->from_addr = v;
    }
    if ((v = config_get(cfg, "mail", NULL, "from-name"))) {
        if (mail_text_check(v, 200, why, sizeof why)) {
            snprintf(err, errlen, "[mail] from-name %s", why);
            return PB_EINVAL;
        }
        mc->from_name = v;
    }
    if ((v = config_get(cfg, "server", NULL, "site-name")) && *v) {
        if (mail_text_check(v, 200, why, sizeof why)) {
            snprintf(err, errlen, "[server] site-name %s", why);
            return PB_EINVAL;
        }
        mc->site_name = v;
    }
    v = base_url_flag ? base_url_flag : config_get(cfg, "server", NULL, "base-url");
    if (v && *v) {
        if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
            return bad(err, errlen, "base-url", v, "an http:// or https:// address");
        if (strpbrk(v, " \t\r\n\"<>"))
            return bad(err, errlen, "base-url", v, "an address without spaces or quotes");
        size_t n = strlen(v);
        mc->base_url = v[n - 1] == '/' ? "" : v; /* trailing '/' trimmed below */
        if (v[n - 1] == '/') {
            static _Thread_local char trimmed[1024];
            snprintf(trimmed, sizeof trimmed, "%.*s", (int)(n - 1), v);
            mc->base_url = trimmed;
        }
    }
    if ((v = config_get(cfg, "mail", NULL, "send-time"))) {
        int h, m;
        char extra;
        if (sscanf(v, "%d:%d%c", &h, &m, &extra) != 2 || h < 0 || h > 23 || m < 0 || m > 59)
            return bad(err, errlen, "send-time", v, "a time as HH:MM");
        mc->send_minute = h * 60 + m;
    }
    if ((v = config_get(cfg, "mail", NULL, "weekly-day"))) {
        static const char *const days[] = {"monday", "tuesday", "wednesday", "thursday",
                                           "friday", "saturday", "sunday"};
        int found = -1;
        for (int i = 0; i < 7; i++)
            if (!strcasecmp(v, days[i]) || !strncasecmp(v, days[i], 3))
                found = strlen(v) == 3 || !strcasecmp(v, days[i]) ? i : found;
        if (found < 0)
            return bad(err, errlen, "weekly-day", v, "a day of the week (monday ... sunday)");
        mc->weekly_day = found;
    }
    long n;
#define INT_KEY(key, field, lo, hi)                                                            \
    n = mc->field;                                                                             \
    if (config_get_int(cfg, "mail", NULL, key, lo, hi, &n, err, errlen))                       \
        return PB_EINVAL;                                                                      \
    mc->field = n;
    INT_KEY("papers", max_papers, 1, MAIL_MAX_PAPERS)
    INT_KEY("max-bounces", max_bounces, 1, 100)
    INT_KEY("max-attempts", max_attempts, 1, 100)
    INT_KEY("timeout", timeout_s, 1, 3600)
#undef INT_KEY
    if ((v = config_get(cfg, "mail", NULL, "timezone")) && *v) {
        if (tz_load(v, tz, err, errlen))
            return PB_EINVAL;
        mc->tz = *tz;
    }
    return 0;
}

int64_t cli_now(void)
{
    /* Tests pin the clock with PAPERBOY_NOW=YYYY-MM-DDTHH:MM:SSZ. */
    const char *v = getenv("PAPERBOY_NOW");
    int64_t t;
    if (v && *v && date_parse_ts(v, &t) == 0)
        return t;
    return date_now();
}
