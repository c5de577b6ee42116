/* Delivering the outbox (mail.h; states and crash semantics in docs/MAIL.md). One sender at a
 * time holds an exclusive flock on PATH.mail-lock, so any message found SENDING while holding
 * it was left by a sender that died mid-message: it is sent again (the one duplicate a crash
 * can cause; it carries the same Message-ID). Every state change is committed before the next
 * step, so a kill -9 at any moment leaves each message queued, sending, sent or failed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../store/mail.h"
#include "../util/alloc.h"
#include "../util/date.h"
#include "mail.h"
#include "smtp.h"

long mail_backoff(int attempts)
{
    long s = 300;
    for (int i = 1; i < attempts && s < 6 * 3600; i++)
        s *= 2;
    return s < 6 * 3600 ? s : 6 * 3600;
}

struct mids {
    int64_t v[512];
    int n;
};

static int on_mid(void *arg, int64_t mid)
{
    struct mids *m = arg;
    if (m->n < (int)(sizeof m->v / sizeof m->v[0]))
        m->v[m->n++] = mid;
    return 0;
}

struct loaded {
    char *rcpt, *data;
    size_t len;
    int attempts, was_sending, has_data;
    enum store_msg_kind kind;
    int64_t sid;
};

static int on_msg(void *arg, const struct store_msg *m)
{
    struct loaded *l = arg;
    l->rcpt = xstrdup(m->rcpt);
    l->has_data = m->data != NULL;
    l->data = m->data ? xstrndup(m->data, m->data_len) : NULL;
    l->len = m->data_len;
    l->attempts = m->attempts;
    l->was_sending = m->state == STORE_MSG_SENDING;
    l->kind = m->kind;
    l->sid = m->sid;
    return 0;
}

/* PAPERBOY_MAIL_KILL=before-send:N | after-send:N: SIGKILL this process just before the Nth
 * message goes to the relay (it is SENDING) or just after the relay accepted it (not yet
 * SENT): the two moments a crash matters. For the tests. */
static long kill_point(const char *what)
{
    const char *v = getenv("PAPERBOY_MAIL_KILL");
    size_t n = strlen(what);
    return v && !strncmp(v, what, n) && v[n] == ':' ? strtol(v + n + 1, NULL, 10) : -1;
}

/* Commit the open transaction, if any. */
static int flush(struct store *st, int *is_open)
{
    if (!*is_open)
        return 0;
    *is_open = 0;
    int rc = store_commit(st);
    if (rc)
        store_rollback(st);
    return rc;
}

int mail_deliver(struct mail_ctx *ctx, int64_t now, int64_t only_mid, struct mail_stats *stats,
                 char *err, size_t errlen)
{
    const struct mail_conf *conf = ctx->conf;
    if (!conf->smtp_url || !*conf->smtp_url) {
        snprintf(err, errlen, "no mail relay is configured ([mail] smtp in the config file, or "
                              "--smtp)");
        return PB_EINVAL;
    }
    char *lock_path = xasprintf("%s.mail-lock", ctx->db_path);
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open '%s': %s", lock_path, strerror(errno));
        xfree(lock_path);
        return PB_EIO;
    }
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        snprintf(err, errlen, "another paperboy is delivering mail (it holds '%s')", lock_path);
        close(fd);
        xfree(lock_path);
        return PB_EBUSY;
    }
    xfree(lock_path);
    struct smtp_opts so = {conf->smtp_url, conf->starttls, conf->user, conf->password, NULL,
                           conf->timeout_s};
    struct smtp *c = NULL;
    int rc = smtp_open(&so, &c, err, errlen);
    if (rc) {
        close(fd);
        return rc;
    }
    long before_send = kill_point("before-send"), after_send = kill_point("after-send");
    long n_tried = 0;
    int is_open = 0; /* a transaction holding the last "sent" is open */
    int relay_down = 0;
    char ts[DATE_TS_LEN + 1];
    date_format_ts(now, ts);
    struct store *st = ctx->st;
    for (int round = 0; round < 100000 && !rc && !relay_down; round++) {
        struct mids due = {0};
        if ((rc = store_msgs_due(st, ts, 256, only_mid, on_mid, &due)))
            break;
        if (!due.n)
            break;
        for (int i = 0; i < due.n && !rc && !relay_down; i++) {
            struct loaded m = {0};
            if ((rc = store_msg_get(st, due.v[i], on_msg, &m))) {
                if (rc == PB_ENOTFOUND) /* unsubscribed meanwhile: its messages went too */
                    rc = 0;
                continue;
            }
            int paused = 0;
            char why[300];
            if (!m.has_data) {
                rc = store_msg_failed(st, due.v[i], ts, "no message data", 0, 0, &paused);
            } else if (m.attempts >= conf->max_attempts) {
                snprintf(why, sizeof why, "gave up after %d attempts", m.attempts);
                rc = store_msg_failed(st, due.v[i], ts, why, 0, 0, &paused);
                stats->failed++;
            } else {
                if (m.was_sending && ctx->log)
                    fprintf(ctx->log, "message %lld to %s was being sent when a sender "
                                      "stopped; sending it again\n",
                            (long long)due.v[i], m.rcpt);
                if ((rc = store_msg_start(st, due.v[i], ts))) {
                    if (rc == PB_ENOTFOUND)
                        rc = 0;
                    goto next;
                }
                /* "sending" must be on disk before the relay has the message; the previous
                 * message's "sent" rides in the same commit (one commit per message). */
                if ((rc = flush(st, &is_open)))
                    goto next;
                n_tried++;
                if (n_tried == before_send)
                    raise(SIGKILL);
                int code = 0;
                enum smtp_result r = smtp_send(c, conf->from_addr, m.rcpt, m.data, m.len, &code,
                                               why, sizeof why);
                if (n_tried == after_send)
                    raise(SIGKILL);
                if (r == SMTP_OK) {
                    /* recorded with the next message's "sending" (or at the end): a crash in
                     * between re-sends this one, the message in flight, as before */
                    rc = store_begin(st);
                    is_open = rc == 0;
                    if (!rc)
                        rc = store_msg_sent(st, due.v[i], ts);
                    stats->sent++;
                    if (!rc)
                        goto next;
                    if (is_open)
                        store_rollback(st);
                    is_open = 0;
                } else if (r == SMTP_TEMPFAIL && m.attempts + 1 < conf->max_attempts) {
                    char next[DATE_TS_LEN + 1];
                    date_format_ts(now + mail_backoff(m.attempts + 1), next);
                    rc = store_msg_retry(st, due.v[i], next, why);
                    stats->retried++;
                    if (ctx->log)
                        fprintf(ctx->log, "temporary failure for %s (message %lld): %s; "
                                          "next try at %s\n",
                                m.rcpt, (long long)due.v[i], why, next);
                    if (!code) { /* no answer at all: the relay is down; the rest can wait */
                        relay_down = 1;
                        snprintf(err, errlen, "the relay did not answer: %s", why);
                    }
                } else {
                    int is_bounce = r == SMTP_PERMFAIL && m.kind == STORE_MSG_DIGEST;
                    rc = store_msg_failed(st, due.v[i], ts, why, is_bounce, conf->max_bounces,
                                          &paused);
                    stats->failed++;
                    stats->paused += paused;
                    if (ctx->log)
                        fprintf(ctx->log, "failed for %s (message %lld): %s%s\n", m.rcpt,
                                (long long)due.v[i], why,
                                paused ? "; the subscription is paused" : "");
                }
            }
            if (!rc)
                rc = flush(st, &is_open);
        next:
            if (rc)
                snprintf(err, errlen, "%s", store_errmsg(st));
            xfree(m.rcpt);
            xfree(m.data);
        }
        if (only_mid)
            break;
    }
    int frc = flush(st, &is_open);
    if (!rc && frc) {
        rc = frc;
        snprintf(err, errlen, "%s", store_errmsg(st));
    }
    stats->connections += smtp_connections(c);
    smtp_close(c);
    close(fd); /* releases the lock */
    return rc ? rc : relay_down ? PB_EIO : 0;
}
