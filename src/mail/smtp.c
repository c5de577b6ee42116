/* SMTP through libcurl (smtp.h). The reply code decides the outcome: 2xx sent, 5xx permanent,
 * anything else (4xx, a dropped connection, a timeout, TLS trouble) temporary. */
#include "smtp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"

struct smtp {
    CURL *h;
    char *url, *user, *password;
    long connections;
    const char *data;
    size_t len, pos;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int smtp_open(const struct smtp_opts *o, struct smtp **out, char *err, size_t errlen)
{
    *out = NULL;
    const char *u = o->url ? o->url : "";
    int is_smtps = !strncmp(u, "smtps://", 8);
    if (strncmp(u, "smtp://", 7) && !is_smtps) {
        snprintf(err, errlen, "the relay '%s' is not an smtp:// or smtps:// URL", u);
        return PB_EINVAL;
    }
    const char *host = u + (is_smtps ? 8 : 7);
    size_t auth_len = strcspn(host, "/?#");
    if (memchr(host, '@', auth_len)) {
        snprintf(err, errlen, "the relay URL must not hold credentials: set [mail] user and "
                              "password in the config file or PAPERBOY_SMTP_USER and "
                              "PAPERBOY_SMTP_PASSWORD");
        return PB_EINVAL;
    }
    if (!auth_len || strpbrk(u, " \t\r\n")) {
        snprintf(err, errlen, "the relay URL '%s' has no host or has white space", u);
        return PB_EINVAL;
    }
    pthread_once(&once, global_init);
    struct smtp *c = xcalloc(1, sizeof *c);
    c->h = curl_easy_init();
    if (!c->h) {
        xfree(c);
        snprintf(err, errlen, "cannot initialise libcurl");
        return PB_EIO;
    }
    c->url = xstrdup(u);
    curl_easy_setopt(c->h, CURLOPT_URL, c->url);
    curl_easy_setopt(c->h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_TIMEOUT, o->timeout_s > 0 ? o->timeout_s : 60L);
    curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT, 20L);
    if (o->starttls && !is_smtps)
        curl_easy_setopt(c->h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (o->user && *o->user) {
        c->user = xstrdup(o->user);
        c->password = xstrdup(o->password ? o->password : "");
        curl_easy_setopt(c->h, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(c->h, CURLOPT_PASSWORD, c->password);
    }
    *out = c;
    return 0;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *arg)
{
    struct smtp *c = arg;
    size_t room = size * nitems, left = c->len - c->pos;
    size_t n = left < room ? left : room;
    memcpy(buf, c->data + c->pos, n);
    c->pos += n;
    return n;
}

enum smtp_result smtp_send(struct smtp *c, const char *from, const char *rcpt, const char *data,
                           size_t len, int *code, char *err, size_t errlen)
{
    char f[300], r[300];
    snprintf(f, sizeof f, "<%s>", from);
    snprintf(r, sizeof r, "<%s>", rcpt);
    struct curl_slist *to = curl_slist_append(NULL, r);
    c->data = data;
    c->len = len;
    c->pos = 0;
    curl_easy_setopt(c->h, CURLOPT_MAIL_FROM, f);
    curl_easy_setopt(c->h, CURLOPT_MAIL_RCPT, to);
    curl_easy_setopt(c->h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c->h, CURLOPT_READDATA, c);
    curl_easy_setopt(c->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    CURLcode rc = curl_easy_perform(c->h);
    long resp = 0, nconn = 0;
    curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &resp);
    curl_easy_getinfo(c->h, CURLINFO_NUM_CONNECTS, &nconn);
    c->connections += nconn;
    curl_easy_setopt(c->h, CURLOPT_MAIL_RCPT, NULL);
    curl_slist_free_all(to);
    *code = (int)resp;
    if (rc == CURLE_OK && (resp == 0 || (resp >= 200 && resp < 300)))
        return SMTP_OK;
    snprintf(err, errlen, "%s%s%ld", curl_easy_strerror(rc), resp ? ": relay said " : "",
             resp);
    if (!resp)
        snprintf(err, errlen, "%s", curl_easy_strerror(rc));
    if (resp >= 500 && resp < 600 && rc != CURLE_LOGIN_DENIED)
        return SMTP_PERMFAIL;
    return SMTP_TEMPFAIL;
}

long smtp_connections(const struct smtp *c)
{
    return c ? c->connections : 0;
}

void smtp_close(struct smtp *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->h);
    xfree(c->url);
    xfree(c->user);
    xfree(c->password);
    xfree(c);
}
