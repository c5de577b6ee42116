/* The site's mail pages: subscribing (anyone; double opt-in), the confirm link, one-click
 * unsubscribe (RFC 8058), managing subscriptions (by a signed link from any message, or
 * signed in at /mail), and password reset by email. Routes and tokens: docs/MAIL.md.
 *
 * Links from messages carry a token (a MAC under the server key, scoped to its purpose and
 * subscription): the token alone authorises the action, so those POSTs need no cookie and no
 * CSRF token (a one-click unsubscribe comes from a mail provider, not a browser). A GET of any
 * of them only shows a button: link scanners that fetch every URL change nothing. */
#include <stdlib.h>
#include <string.h>

#include "../mail/mail.h"
#include "../mail/mime.h"
#include "../store/mail.h"
#include "../util/alloc.h"
#include "../util/date.h"
#include "internal.h"

#define RATE_SUBSCRIBE 20 /* subscribe and reset requests per client address and hour */

/* The mail settings with the site's own address and name (they may differ per request when the
 * base URL comes from the Host). */
static int ctx_for(struct req *r, struct mail_ctx *ctx, struct mail_conf *mc, char *base,
                   size_t base_len)
{
    const struct http_opts *o = http_server_opts(r->srv);
    if (!o->mail) {
        http_error(r, 404, "This site does not send mail.");
        return -1;
    }
    *mc = *o->mail;
    http_base_url(r, base, base_len);
    mc->base_url = base;
    mc->site_name = o->site_name;
    char err[256];
    if (mail_ctx_init(ctx, r->w->st, mc, o->db_path, err, sizeof err)) {
        http_error(r, 500, "%s", err);
        return -1;
    }
    return 0;
}

static void page_start(struct req *r, const char *title)
{
    html_begin(r, title, NULL);
    out_str(r, "<main class=\"narrow\"><h1>");
    html_esc(r, title);
    out_str(r, "</h1>");
}

static void page_msg(struct req *r, int status, const char *title, const char *msg)
{
    r->status = status;
    page_start(r, title);
    out_str(r, "<p>");
    html_esc(r, msg);
    out_str(r, "</p></main>");
    html_end(r);
}

static void describe(struct req *r, const struct store_sub *u)
{
    if (u->query[0]) {
        out_str(r, "new papers matching <q>");
        html_esc(r, u->query);
        out_fmt(r, "</q>, %s", u->is_weekly ? "weekly" : "daily");
    } else {
        out_fmt(r, "the %s digest of trending papers", u->is_weekly ? "weekly" : "daily");
    }
}

/* ---- subscribe ---- */

static void subscribe_form(struct req *r, const char *error)
{
    const char *email = http_param(r, "email"), *q = http_param(r, "q"),
               *every = http_param(r, "every");
    if (!email && r->user.uid)
        email = r->user.email;
    int is_search = q && *q;
    int weekly = every && !strcmp(every, "weekly");
    page_start(r, "Email subscriptions");
    if (error) {
        out_str(r, "<p class=\"error\" role=\"alert\">");
        html_esc(r, error);
        out_str(r, "</p>");
    }
    out_str(r, "<p>Get the trending papers, or new papers matching a search, by email. We send "
               "a confirmation link first; nothing else is sent until you follow it. Every "
               "message has a one-click unsubscribe link.</p>"
               "<form method=\"post\" action=\"/subscribe\">");
    html_csrf(r);
    out_str(r, "<label for=\"email\">Email address</label><input type=\"email\" id=\"email\" "
               "name=\"email\" required maxlength=\"254\" autocomplete=\"email\" value=\"");
    html_esc(r, email ? email : "");
    out_fmt(r, "\"><fieldset><legend>What</legend><label><input type=\"radio\" name=\"what\" "
               "value=\"trending\"%s> Trending papers</label><label><input type=\"radio\" "
               "name=\"what\" value=\"search\"%s> New papers matching this search:</label>"
               "<input type=\"text\" name=\"q\" maxlength=\"%d\" aria-label=\"Search\" value=\"",
            is_search ? "" : " checked", is_search ? " checked" : "", STORE_SUB_QUERY_MAX);
    html_esc(r, q ? q : "");
    out_fmt(r, "\"></fieldset><fieldset><legend>How often</legend><label><input type=\"radio\" "
               "name=\"every\" value=\"daily\"%s> Daily</label><label><input type=\"radio\" "
               "name=\"every\" value=\"weekly\"%s> Weekly</label></fieldset>"
               "<button class=\"primary\">Subscribe</button></form>",
            weekly ? "" : " checked", weekly ? " checked" : "");
    if (r->user.uid)
        out_str(r, "<p class=\"note\"><a href=\"/mail\">Your subscriptions</a></p>");
    out_str(r, "</main>");
    html_end(r);
}

static void page_subscribe(struct req *r)
{
    if (!http_server_opts(r->srv)->mail) {
        http_error(r, 404, "This site does not send mail.");
        return;
    }
    if (!r->is_post) {
        subscribe_form(r, NULL);
        return;
    }
    if (http_check_csrf(r) || http_rate_limit(r, "subscribe", RATE_SUBSCRIBE))
        return;
    struct mail_ctx ctx;
    struct mail_conf mc;
    char base[512], err[512];
    if (ctx_for(r, &ctx, &mc, base, sizeof base))
        return;
    const char *email = http_param(r, "email"), *what = http_param(r, "what"),
               *q = http_param(r, "q"), *every = http_param(r, "every");
    int is_search = what ? !strcmp(what, "search") : (q && *q);
    if (!is_search)
        q = "";
    if (!email || !*email) {
        r->status = 400;
        subscribe_form(r, "Give an email address.");
        return;
    }
    if (is_search && (!q || !*q)) {
        r->status = 400;
        subscribe_form(r, "Give the search to be alerted about.");
        return;
    }
    if (mail_sub_check(email, q, err, sizeof err)) {
        char msg[600];
        snprintf(msg, sizeof msg, "Cannot subscribe: %s.", err);
        r->status = 400;
        subscribe_form(r, msg);
        return;
    }
    char now[DATE_TS_LEN + 1];
    date_format_ts(http_now(r), now);
    int64_t sid = 0, mid = 0;
    int is_new = 0;
    int rc = store_sub_add(r->w->st, email, q, every && !strcmp(every, "weekly"), r->user.uid,
                           now, &sid, &is_new);
    if (rc == PB_ETOOBIG) {
        r->status = 400;
        subscribe_form(r, "That address has as many subscriptions as it may have.");
        return;
    }
    if (rc) {
        http_error(r, 500, "%s", store_errmsg(r->w->st));
        return;
    }
    /* An active subscription is left alone; a pending or paused one gets a (new) opt-in
     * link, at most one a day. The page says the same either way: it does not tell a
     * stranger whether an address is subscribed. */
    if (mail_queue_confirm(&ctx, sid, http_now(r), &mid, err, sizeof err)) {
        http_error(r, 500, "%s", err);
        return;
    }
    page_start(r, "Check your inbox");
    out_str(r, "<p>If <b>");
    html_esc(r, email);
    out_str(r, "</b> is not subscribed to that yet, a message with a confirmation link is on "
               "its way to it. Nothing else is sent until the link is followed.</p></main>");
    html_end(r);
}

/* ---- links from messages: confirm, unsubscribe ---- */

struct one_sub {
    int found;
    int64_t sid;
    char email[MAIL_ADDR_MAX + 1];
    char query[STORE_SUB_QUERY_MAX + 1];
    char created_at[DATE_TS_LEN + 1];
    int is_weekly;
    enum store_sub_state state;
};

static int on_one(void *arg, const struct store_sub *u)
{
    struct one_sub *o = arg;
    o->found = 1;
    o->sid = u->sid;
    snprintf(o->email, sizeof o->email, "%s", u->email);
    snprintf(o->query, sizeof o->query, "%s", u->query);
    snprintf(o->created_at, sizeof o->created_at, "%s", u->created_at);
    o->is_weekly = u->is_weekly;
    o->state = u->state;
    return 0;
}

/* The subscription a link names, if its token is right for scope; else an error page. */
static int linked_sub(struct req *r, struct mail_ctx *ctx, const char *scope, struct one_sub *o)
{
    const char *s = http_param(r, "s"), *t = http_param(r, "t");
    char *end = NULL;
    long long sid = s ? strtoll(s, &end, 10) : 0;
    memset(o, 0, sizeof *o);
    if (!s || !t || !*s || *end || sid <= 0 || strlen(t) != AUTH_HEX_LEN - 1 ||
        store_sub_get(r->w->st, sid, on_one, o) || !o->found) {
        page_msg(r, 404, "Link not valid",
                 "This link is not valid any more: the subscription does not exist (it was "
                 "removed, or never confirmed within a week).");
        return -1;
    }
    char want[AUTH_HEX_LEN];
    mail_sub_token(ctx, scope, o->sid, o->created_at, want);
    if (!auth_equal(t, want)) {
        page_msg(r, 403, "Link not valid", "This link is not valid: its token does not match.");
        return -1;
    }
    return 0;
}

static void button_form(struct req *r, const char *action, int64_t sid, const char *token,
                        const char *label)
{
    out_fmt(r, "<form method=\"post\" action=\"%s?s=%lld&amp;t=", action, (long long)sid);
    html_esc(r, token);
    out_str(r, "\" class=\"inline\"><button class=\"primary\">");
    html_esc(r, label);
    out_str(r, "</button></form>");
}

static void sub_summary(struct req *r, const struct one_sub *o)
{
    struct store_sub u = {0};
    u.query = o->query;
    u.is_weekly = o->is_weekly;
    out_str(r, "<p><b>");
    html_esc(r, o->email);
    out_str(r, "</b>: ");
    describe(r, &u);
    out_str(r, ".</p>");
}

static void page_confirm(struct req *r)
{
    struct mail_ctx ctx;
    struct mail_conf mc;
    char base[512];
    struct one_sub o;
    if (ctx_for(r, &ctx, &mc, base, sizeof base) || linked_sub(r, &ctx, "confirm", &o))
        return;
    if (!r->is_post) {
        page_start(r, o.state == STORE_SUB_ACTIVE ? "Already confirmed" : "Confirm");
        sub_summary(r, &o);
        if (o.state != STORE_SUB_ACTIVE)
            button_form(r, "/mail/confirm", o.sid, http_param(r, "t"),
                        o.state == STORE_SUB_PAUSED ? "Resume this subscription"
                                                    : "Confirm this subscription");
        out_str(r, "</main>");
        html_end(r);
        return;
    }
    char now[DATE_TS_LEN + 1];
    date_format_ts(http_now(r), now);
    int64_t max_pid = 0;
    if (store_max_pid_at(r->w->st, INT64_MAX, &max_pid) ||
        store_sub_confirm(r->w->st, o.sid, now, max_pid)) {
        http_error(r, 500, "%s", store_errmsg(r->w->st));
        return;
    }
    page_start(r, "Subscribed");
    sub_summary(r, &o);
    out_str(r, "<p>Confirmed. Digests come at the site's send time; each has a link to "
               "unsubscribe in one click. A digest with no papers is not sent.</p>");
    char t[AUTH_HEX_LEN];
    mail_addr_token(&ctx, o.email, t);
    out_str(r, "<p><a href=\"/mail/manage?e=");
    url_esc(r, o.email);
    out_fmt(r, "&amp;t=%s\">All subscriptions of this address</a></p></main>", t);
    html_end(r);
}

static void page_unsubscribe(struct req *r)
{
    struct mail_ctx ctx;
    struct mail_conf mc;
    char base[512];
    struct one_sub o;
    if (ctx_for(r, &ctx, &mc, base, sizeof base) || linked_sub(r, &ctx, "unsubscribe", &o))
        return;
    if (!r->is_post) {
        page_start(r, "Unsubscribe");
        sub_summary(r, &o);
        button_form(r, "/mail/unsubscribe", o.sid, http_param(r, "t"), "Unsubscribe");
        out_str(r, "</main>");
        html_end(r);
        return;
    }
    /* RFC 8058: a POST with List-Unsubscribe=One-Click (or the button above) is enough. */
    int n = 0;
    if (store_sub_delete(r->w->st, o.sid, &n)) {
        http_error(r, 500, "%s", store_errmsg(r->w->st));
        return;
    }
    page_start(r, "Unsubscribed");
    sub_summary(r, &o);
    out_str(r, "<p>Unsubscribed: no more messages for this subscription.</p></main>");
    html_end(r);
}

/* ---- managing every subscription of an address (signed link) or an account ---- */

struct list_ctx {
    struct req *r;
    struct mail_ctx *ctx;
    int n;
};

static int on_row(void *arg, const struct store_sub *u)
{
    struct list_ctx *l = arg;
    struct req *r = l->r;
    char t[AUTH_HEX_LEN];
    if (!l->n++)
        out_str(r, "<ul class=\"subs\">");
    out_str(r, "<li>");
    html_esc(r, u->email);
    out_str(r, ": ");
    describe(r, u);
    out_fmt(r, " <span class=\"note\">(%s%s%s)</span> ", store_sub_state_name(u->state),
            u->last_period[0] ? ", last digest " : "", u->last_period);
    if (u->state != STORE_SUB_ACTIVE) {
        mail_sub_token(l->ctx, "confirm", u->sid, u->created_at, t);
        button_form(r, "/mail/confirm", u->sid, t,
                    u->state == STORE_SUB_PAUSED ? "Resume" : "Confirm");
        out_str(r, " ");
    }
    mail_sub_token(l->ctx, "unsubscribe", u->sid, u->created_at, t);
    button_form(r, "/mail/unsubscribe", u->sid, t, "Unsubscribe");
    out_str(r, "</li>");
    return 0;
}

static void list_subs(struct req *r, struct mail_ctx *ctx, const char *email, int64_t uid)
{
    struct list_ctx l = {r, ctx, 0};
    if (store_sub_list(r->w->st, email, uid, on_row, &l)) {
        http_error(r, 500, "%s", store_errmsg(r->w->st));
        return;
    }
    if (l.n)
        out_str(r, "</ul>");
    else
        out_str(r, "<p>No subscriptions.</p>");
}

static void page_manage(struct req *r)
{
    struct mail_ctx ctx;
    struct mail_conf mc;
    char base[512], want[AUTH_HEX_LEN];
    if (ctx_for(r, &ctx, &mc, base, sizeof base))
        return;
    const char *e = http_param(r, "e"), *t = http_param(r, "t");
    if (e)
        mail_addr_token(&ctx, e, want);
    if (!e || !t || !auth_equal(t, want)) {
        page_msg(r, 403, "Link not valid", "This link is not valid: its token does not match.");
        return;
    }
    page_start(r, "Your subscriptions");
    list_subs(r, &ctx, e, 0);
    out_str(r, "<p><a href=\"/subscribe?email=");
    url_esc(r, e);
    out_str(r, "\">Subscribe to something else</a></p></main>");
    html_end(r);
}

static void page_mine(struct req *r)
{
    if (!r->user.uid) {
        http_redirect(r, "/login?next=/mail");
        return;
    }
    struct mail_ctx ctx;
    struct mail_conf mc;
    char base[512];
    if (ctx_for(r, &ctx, &mc, base, sizeof base))
        return;
    page_start(r, "Your subscriptions");
    list_subs(r, &ctx, NULL, r->user.uid);
    out_str(r, "<p><a href=\"/subscribe\">Subscribe to the trending digest or a search</a>"
               "</p></main>");
    html_end(r);
}

/* ---- password reset ---- */

static void reset_request_form(struct req *r)
{
    page_start(r, "Reset your password");
    out_str(r, "<p>Give your user name or the email address of your account; we send a link "
               "to choose a new password to the account's address.</p>"
               "<form method=\"post\" action=\"/reset\">");
    html_csrf(r);
    out_str(r, "<label for=\"who\">User name or email</label><input type=\"text\" id=\"who\" "
               "name=\"who\" required maxlength=\"254\" autocomplete=\"username\">"
               "<button class=\"primary\">Send the link</button></form></main>");
    html_end(r);
}

static void reset_set_form(struct req *r, const char *token, const char *error)
{
    page_start(r, "Choose a new password");
    if (error) {
        out_str(r, "<p class=\"error\" role=\"alert\">");
        html_esc(r, error);
        out_str(r, "</p>");
    }
    out_str(r, "<form method=\"post\" action=\"/reset\">");
    html_csrf(r);
    out_str(r, "<input type=\"hidden\" name=\"t\" value=\"");
    html_esc(r, token);
    out_fmt(r, "\"><label for=\"password\">New password (at least %d characters)</label>"
               "<input type=\"password\" id=\"password\" name=\"password\" required "
               "autocomplete=\"new-password\" minlength=\"%d\" maxlength=\"%d\">"
               "<button class=\"primary\">Set the password</button></form></main>",
            AUTH_PASSWORD_MIN, AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
    html_end(r);
}

static void page_reset(struct req *r)
{
    const char *t = http_param(r, "t");
    char h[AUTH_HEX_LEN], now[DATE_TS_LEN + 1];
    date_format_ts(http_now(r), now);
    if (t && strlen(t) >= AUTH_TOKEN_LEN) {
        page_msg(r, 400, "Link not valid", "This password-reset link is not valid.");
        return;
    }
    if (t)
        auth_token_hash(t, h);
    if (!r->is_post) {
        int64_t uid;
        if (!t) {
            reset_request_form(r);
        } else if (store_reset_peek(r->w->st, h, now, &uid)) {
            page_msg(r, 400, "Link not valid",
                     "This password-reset link has expired or was used already. Ask for a new "
                     "one at /reset.");
        } else {
            reset_set_form(r, t, NULL);
        }
        return;
    }
    if (http_check_csrf(r))
        return;
    if (t) { /* set the new password */
        const char *pass = http_param(r, "password");
        char hash[AUTH_HASH_LEN];
        int64_t uid;
        if (!pass || auth_password_hash(pass, hash)) {
            r->status = 400;
            reset_set_form(r, t, "A password is 8 to 256 characters.");
            return;
        }
        int rc = store_reset_use(r->w->st, h, now, hash, &uid);
        if (rc == PB_ENOTFOUND) {
            page_msg(r, 400, "Link not valid",
                     "This password-reset link has expired or was used already.");
            return;
        }
        if (rc) {
            http_error(r, 500, "%s", store_errmsg(r->w->st));
            return;
        }
        page_start(r, "Password changed");
        out_str(r, "<p>Your password is changed and every session of the account has ended. "
                   "<a href=\"/login\">Log in</a> with the new one.</p></main>");
        html_end(r);
        return;
    }
    if (http_rate_limit(r, "reset", RATE_SUBSCRIBE))
        return;
    struct mail_ctx ctx;
    struct mail_conf mc;
    char base[512], err[512];
    if (ctx_for(r, &ctx, &mc, base, sizeof base))
        return;
    const char *who = http_param(r, "who");
    struct store_user u;
    int64_t uid = 0;
    int found = 0;
    if (who && *who) {
        if (strchr(who, '@'))
            found = store_user_by_email(r->w->st, who, &uid) == 0 &&
                    store_user_get_uid(r->w->st, uid, &u) == 0;
        else
            found = store_user_get(r->w->st, who, &u, NULL, 0) == 0;
    }
    char why[128];
    if (found && u.email[0] && mail_addr_check(u.email, why, sizeof why) == 0) {
        char token[AUTH_TOKEN_LEN], exp[DATE_TS_LEN + 1];
        int64_t mid = 0;
        auth_token_new(token);
        auth_token_hash(token, h);
        date_format_ts(http_now(r) + MAIL_RESET_SECONDS, exp);
        if (store_reset_add(r->w->st, h, u.uid, now, exp) ||
            mail_queue_reset(&ctx, u.name, u.email, token, http_now(r), &mid, err,
                             sizeof err)) {
            http_error(r, 500, "Could not send the link: %s",
                       err[0] ? err : store_errmsg(r->w->st));
            return;
        }
    }
    /* The same answer whether or not the account exists. */
    page_msg(r, 200, "Check your inbox",
             "If an account with that name or address has an email address, a link to choose "
             "a new password is on its way to it. The link works for an hour, once.");
}

int mail_route(struct req *r)
{
    const char *p = r->path;
    if (!strcmp(p, "/subscribe")) {
        if (!r->is_post)
            http_ensure_anon(r);
        page_subscribe(r);
    } else if (!strcmp(p, "/mail/confirm")) {
        page_confirm(r);
    } else if (!strcmp(p, "/mail/unsubscribe")) {
        page_unsubscribe(r);
    } else if (!strcmp(p, "/mail/manage")) {
        page_manage(r);
    } else if (!strcmp(p, "/mail")) {
        page_mine(r);
    } else if (!strcmp(p, "/reset")) {
        if (!r->is_post)
            http_ensure_anon(r);
        page_reset(r);
    } else {
        return 0;
    }
    return 1;
}
