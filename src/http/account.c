/* Accounts and everything that changes state: sign up, log in and out, submit, vote, comment,
 * admin hiding. Every handler here runs for POST only after the CSRF check (GET shows a form
 * and changes nothing). */
#include <stdlib.h>
#include <string.h>

#include "../ingest/paper.h"
#include "../util/alloc.h"
#include "../util/date.h"
#include "internal.h"

static void now_ts(struct req *r, char *out)
{
    date_format_ts(http_now(r), out);
}

/* A local path to go back to after a form ("/..." but not "//host"), else "/". */
static const char *safe_next(const char *next)
{
    if (next && next[0] == '/' && next[1] != '/' && next[1] != '\\' && !strpbrk(next, "\r\n"))
        return next;
    return "/";
}

static void form_page(struct req *r, const char *title, const char *action, const char *error,
                      int is_signup)
{
    const char *name = http_param(r, "name"), *email = http_param(r, "email");
    const char *next = safe_next(http_param(r, "next"));
    html_begin(r, title, NULL);
    out_str(r, "<main class=\"narrow\"><h1>");
    html_esc(r, title);
    out_str(r, "</h1>");
    if (error) {
        out_str(r, "<p class=\"error\" role=\"alert\">");
        html_esc(r, error);
        out_str(r, "</p>");
    }
    out_fmt(r, "<form method=\"post\" action=\"%s\">", action);
    html_csrf(r);
    out_str(r, "<input type=\"hidden\" name=\"next\" value=\"");
    html_esc(r, next);
    out_str(r, "\"><label for=\"name\">User name</label><input type=\"text\" id=\"name\" "
               "name=\"name\" autocomplete=\"username\" required maxlength=\"32\" value=\"");
    html_esc(r, name ? name : "");
    out_str(r, "\">");
    if (is_signup) {
        out_str(r, "<label for=\"email\">Email (optional, for password resets)</label>"
                   "<input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"email\" "
                   "maxlength=\"254\" value=\"");
        html_esc(r, email ? email : "");
        out_str(r, "\">");
    }
    out_fmt(r, "<label for=\"password\">Password%s</label><input type=\"password\" "
               "id=\"password\" name=\"password\" required autocomplete=\"%s\" minlength=\"%d\" "
               "maxlength=\"%d\"><button class=\"primary\">%s</button></form>",
            is_signup ? " (at least 8 characters)" : "",
            is_signup ? "new-password" : "current-password", is_signup ? AUTH_PASSWORD_MIN : 1,
            AUTH_PASSWORD_MAX, title);
    if (is_signup)
        out_str(r, "<p class=\"note\">Already have an account? <a href=\"/login\">Log in</a>."
                   "</p></main>");
    else
        out_str(r, "<p class=\"note\">New here? <a href=\"/signup\">Sign up</a>. Forgot your "
                   "password? <a href=\"/reset\">Reset it by email</a>.</p></main>");
    html_end(r);
}

static int start_session(struct req *r, int64_t uid)
{
    char token[AUTH_TOKEN_LEN], h[AUTH_HEX_LEN], now[DATE_TS_LEN + 1], exp[DATE_TS_LEN + 1];
    auth_token_new(token);
    auth_token_hash(token, h);
    now_ts(r, now);
    date_format_ts(http_now(r) + HTTP_SESSION_DAYS * 86400, exp);
    if (store_session_add(r->w->st, h, uid, now, exp)) {
        http_error(r, 500, "Could not start a session: %s", store_errmsg(r->w->st));
        return -1;
    }
    http_cookie(r, "pb_session", token, (long)HTTP_SESSION_DAYS * 86400);
    return 0;
}

static int valid_email(const char *e)
{
    size_t n = strlen(e);
    const char *at = strchr(e, '@');
    if (n == 0)
        return 1; /* optional */
    if (n > 254 || !at || at == e || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
        strpbrk(e, " \t\r\n<>(),;:\"[]\\"))
        return 0;
    return 1;
}

void page_signup(struct req *r)
{
    if (!r->is_post) {
        form_page(r, "Sign up", "/signup", NULL, 1);
        return;
    }
    if (http_check_csrf(r) ||
        http_rate_limit(r, "signup", http_server_opts(r->srv)->rate_signup))
        return;
    const char *name = http_param(r, "name"), *pass = http_param(r, "password"),
               *email = http_param(r, "email");
    if (!email)
        email = "";
    if (!name || !store_user_name_ok(name)) {
        r->status = 400;
        form_page(r, "Sign up", "/signup",
                  "A user name is 1 to 32 letters, digits, '_' or '-'.", 1);
        return;
    }
    if (!valid_email(email)) {
        r->status = 400;
        form_page(r, "Sign up", "/signup", "That email address does not look right.", 1);
        return;
    }
    char hash[AUTH_HASH_LEN];
    if (!pass || auth_password_hash(pass, hash)) {
        r->status = 400;
        form_page(r, "Sign up", "/signup", "A password is 8 to 256 characters.", 1);
        return;
    }
    long long n_users = 0;
    if (store_user_count(r->w->st, &n_users)) {
        http_error(r, 500, "%s", store_errmsg(r->w->st));
        return;
    }
    char now[DATE_TS_LEN + 1];
    now_ts(r, now);
    int64_t uid;
    /* The first account of an instance administers it. */
    int rc = store_user_add(r->w->st, name, email, hash, n_users == 0, now, &uid);
    if (rc == PB_EEXIST) {
        r->status = 409;
        form_page(r, "Sign up", "/signup", "That name is taken; pick another.", 1);
        return;
    }
    if (rc) {
        http_error(r, 500, "Could not create the account: %s", store_errmsg(r->w->st));
        return;
    }
    if (start_session(r, uid) == 0)
        http_redirect(r, safe_next(http_param(r, "next")));
}

void page_login(struct req *r)
{
    if (!r->is_post) {
        form_page(r, "Log in", "/login", NULL, 0);
        return;
    }
    if (http_check_csrf(r) || http_rate_limit(r, "login", http_server_opts(r->srv)->rate_login))
        return;
    const char *name = http_param(r, "name"), *pass = http_param(r, "password");
    struct store_user u;
    char hash[256];
    if (!name || !pass || store_user_get(r->w->st, name, &u, hash, sizeof hash) ||
        auth_password_check(hash, pass)) {
        r->status = 401;
        form_page(r, "Log in", "/login", "Wrong user name or password.", 0);
        return;
    }
    if (start_session(r, u.uid) == 0)
        http_redirect(r, safe_next(http_param(r, "next")));
}

void page_logout(struct req *r)
{
    if (http_check_csrf(r))
        return;
    if (r->session[0]) {
        char h[AUTH_HEX_LEN];
        auth_token_hash(r->session, h);
        if (store_session_delete(r->w->st, h)) {
            http_error(r, 500, "%s", store_errmsg(r->w->st));
            return;
        }
    }
    http_cookie(r, "pb_session", "", 0);
    http_redirect(r, "/");
}

static int need_login(struct req *r, int is_api)
{
    if (r->user.uid)
        return 0;
    if (is_api) {
        http_error(r, 401, "Log in (session cookie) or send 'Authorization: Bearer TOKEN'.");
        r->ctype = "application/json";
        return -1;
    }
    if (r->is_post) {
        http_error(r, 401, "Log in first.");
        return -1;
    }
    http_redirect(r, "/login?next=/submit");
    return -1;
}

void page_submit(struct req *r)
{
    if (need_login(r, 0))
        return;
    const char *error = NULL;
    char id[PAPER_MAX_ID] = "";
    enum store_submit_result res = 0;
    if (r->is_post) {
        if (http_check_csrf(r) ||
            http_rate_limit(r, "vote", http_server_opts(r->srv)->rate_vote))
            return;
        const char *in = http_param(r, "id");
        int version;
        if (!in || strlen(in) >= 200 || paper_parse_arxiv_id(in, id, &version)) {
            error = "That is not an arXiv id or arXiv URL (e.g. 2503.11731, "
                    "https://arxiv.org/abs/2503.11731v2, hep-th/9901001).";
            r->status = 400;
        } else {
            char now[DATE_TS_LEN + 1];
            now_ts(r, now);
            if (store_submit(r->w->st, r->user.uid, id, now, &res)) {
                http_error(r, 500, "%s", store_errmsg(r->w->st));
                return;
            }
            if (res != STORE_SUBMIT_PENDING) {
                char loc[128];
                snprintf(loc, sizeof loc, "/papers/%s", id);
                http_redirect(r, loc);
                return;
            }
        }
    }
    html_begin(r, "Submit a paper", NULL);
    out_str(r, "<main class=\"narrow\"><h1>Submit a paper</h1>");
    if (error) {
        out_str(r, "<p class=\"error\" role=\"alert\">");
        html_esc(r, error);
        out_str(r, "</p>");
    }
    if (res == STORE_SUBMIT_PENDING) {
        out_str(r, "<p class=\"note\" role=\"status\">Thanks: ");
        html_esc(r, id);
        out_str(r, " is not here yet. It is recorded as a pending submission and appears, with "
                   "your upvote, as soon as its metadata has been fetched from arXiv.</p>");
    }
    out_str(r, "<form method=\"post\" action=\"/submit\">");
    html_csrf(r);
    out_str(r, "<label for=\"id\">arXiv id or URL</label><input type=\"text\" id=\"id\" "
               "name=\"id\" required maxlength=\"200\" placeholder=\"2503.11731\">"
               "<button class=\"primary\">Submit</button></form>"
               "<p class=\"note\">Submitting a paper upvotes it and puts it on the trending "
               "page.</p></main>");
    html_end(r);
}

void action_vote(struct req *r, const char *id, int is_api)
{
    const char *accept = http_param(r, "format");
    int want_json = is_api || (accept && !strcmp(accept, "json"));
    if (need_login(r, want_json) || http_check_csrf(r) ||
        http_rate_limit(r, "vote", http_server_opts(r->srv)->rate_vote))
        return;
    const char *up = http_param(r, "up");
    int is_up = !up || strcmp(up, "0");
    char now[DATE_TS_LEN + 1];
    now_ts(r, now);
    long long n = 0;
    int changed = 0;
    int rc = store_vote(r->w->st, r->user.uid, id, is_up, now, &n, &changed);
    if (rc == PB_ENOTFOUND) {
        http_error(r, 404, "There is no paper %s.", id);
        return;
    }
    if (rc) {
        http_error(r, 500, "%s", store_errmsg(r->w->st));
        return;
    }
    if (want_json) {
        r->ctype = "application/json";
        out_fmt(r, "{\"id\":\"%s\",\"upvotes\":%lld,\"voted\":%s,\"changed\":%s}\n", id, n,
                is_up ? "true" : "false", changed ? "true" : "false");
        return;
    }
    char loc[160];
    snprintf(loc, sizeof loc, "/papers/%s", id);
    const char *next = http_param(r, "next");
    http_redirect(r, next && *next ? safe_next(next) : loc);
}

void action_comment(struct req *r, const char *id)
{
    if (need_login(r, 0) || http_check_csrf(r) ||
        http_rate_limit(r, "comment", http_server_opts(r->srv)->rate_comment))
        return;
    const char *body = http_param(r, "body");
    char now[DATE_TS_LEN + 1];
    now_ts(r, now);
    int64_t cid = 0;
    /* Normalise line ends; keep the text otherwise exactly as typed (it is escaped on output). */
    char *text = xstrdup(body ? body : "");
    char *w = text;
    for (const char *p = text; *p; p++)
        if (*p != '\r')
            *w++ = *p;
    *w = 0;
    int rc = store_comment_add(r->w->st, r->user.uid, id, text, now, &cid);
    xfree(text);
    if (rc == PB_ENOTFOUND) {
        http_error(r, 404, "There is no paper %s.", id);
        return;
    }
    if (rc == PB_EINVAL) {
        http_error(r, 400, "A comment is 1 to %d bytes of text.", STORE_COMMENT_MAX);
        return;
    }
    if (rc) {
        http_error(r, 500, "%s", store_errmsg(r->w->st));
        return;
    }
    char loc[200];
    snprintf(loc, sizeof loc, "/papers/%s#c%lld", id, (long long)cid);
    http_redirect(r, loc);
}

void page_admin_hide(struct req *r)
{
    if (need_login(r, 0) || http_check_csrf(r))
        return;
    if (!r->user.is_admin) {
        http_error(r, 403, "Only an admin can hide things.");
        return;
    }
    const char *kind = http_param(r, "kind"), *id = http_param(r, "id"),
               *hidden = http_param(r, "hidden");
    int is_hidden = !hidden || strcmp(hidden, "0");
    if (!kind || !id) {
        http_error(r, 400, "Say what to hide (kind=paper|comment, id).");
        return;
    }
    int rc;
    char loc[200];
    if (!strcmp(kind, "paper")) {
        rc = store_paper_hide(r->w->st, id, is_hidden);
        snprintf(loc, sizeof loc, "/papers/%s", id);
    } else if (!strcmp(kind, "comment")) {
        char *end;
        long long cid = strtoll(id, &end, 10);
        rc = *end || cid <= 0 ? PB_ENOTFOUND : store_comment_hide(r->w->st, cid, is_hidden);
        snprintf(loc, sizeof loc, "%s", safe_next(http_param(r, "next")));
    } else {
        http_error(r, 400, "kind is paper or comment.");
        return;
    }
    if (rc == PB_ENOTFOUND) {
        http_error(r, 404, "Nothing to hide: no %s %s.", kind, id);
        return;
    }
    if (rc) {
        http_error(r, 500, "%s", store_errmsg(r->w->st));
        return;
    }
    http_redirect(r, loc);
}
