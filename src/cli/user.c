/* paperboy user: manage the site's accounts from the command line (for the first admin, scripts
 * and recovery). Passwords are read from standard input, never from the command line, where
 * other users of the machine could see them in the process list. */
#include <getopt.h>
#include <jansson.h>
#include <string.h>

#include "../auth/auth.h"
#include "../store/community.h"
#include "../util/date.h"
#include "cli.h"

static const char usage[] =
    "usage: paperboy user add NAME [--admin] [--email ADDRESS] [--db PATH]\n"
    "       paperboy user passwd NAME [--db PATH]\n"
    "       paperboy user list [--json] [--db PATH]\n"
    "       paperboy user admin NAME (on|off) [--db PATH]\n"
    "       paperboy user token NAME [--revoke] [--db PATH]\n"
    "\n"
    "Accounts of the site (the same ones /signup creates).\n"
    "  add     create an account; the password is the first line of standard input (8 to 256\n"
    "          characters). --admin makes it an administrator (who can hide papers and\n"
    "          comments); the first account created on the site is one anyway.\n"
    "  passwd  set a new password (first line of standard input); ends the account's sessions\n"
    "  list    every account: name, admin, created, votes, submissions (--json: an array)\n"
    "  admin   grant (on) or take away (off) the admin role\n"
    "  token   print a new API token for 'Authorization: Bearer TOKEN' (replacing the old\n"
    "          one); --revoke removes it\n"
    "\n"
    "options:\n"
    "  --db PATH          database file (default: $PAPERBOY_DB or ./paperboy.db)\n"
    "  --admin            with add: make the account an administrator\n"
    "  --email ADDRESS    with add: the account's email address (for password resets)\n"
    "  --json             with list: print a JSON array\n"
    "  --revoke           with token: remove the account's API token\n"
    "\n"
    "Exit status: 0 done, 1 failed (unknown or taken name, bad password), 2 usage error.\n";

static int read_password(char *out, size_t n)
{
    if (!fgets(out, (int)n, stdin)) {
        fprintf(stderr, "paperboy user: give the password on standard input\n");
        return -1;
    }
    size_t len = strcspn(out, "\r\n");
    if (out[len] == 0 && len == n - 1) {
        fprintf(stderr, "paperboy user: the password is longer than %d characters\n",
                AUTH_PASSWORD_MAX);
        return -1;
    }
    out[len] = 0;
    size_t cp = strlen(out);
    if (cp < AUTH_PASSWORD_MIN || cp > AUTH_PASSWORD_MAX) {
        fprintf(stderr, "paperboy user: a password is %d to %d characters\n",
                AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
        return -1;
    }
    return 0;
}

static int on_user(void *ctx, const struct store_user *u, long long votes, long long subs)
{
    json_t *arr = ctx;
    if (arr) {
        json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:s, s:I, s:I}", "name", u->name,
                                             "email", u->email, "admin", u->is_admin,
                                             "created_at", u->created_at, "votes",
                                             (json_int_t)votes, "submissions",
                                             (json_int_t)subs));
        return 0;
    }
    printf("%-32s %-5s %s  %lld votes  %lld submissions\n", u->name,
           u->is_admin ? "admin" : "-", u->created_at, votes, subs);
    return 0;
}

int cmd_user(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"admin", no_argument, NULL, 'a'},
                                         {"email", required_argument, NULL, 'e'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"revoke", no_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *email = "";
    int is_admin = 0, is_json = 0, revoke = 0, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db = optarg; break;
        case 'a': is_admin = 1; break;
        case 'e': email = optarg; break;
        case 'j': is_json = 1; break;
        case 'r': revoke = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    int n = argc - optind;
    const char *cmd = n > 0 ? argv[optind] : "";
    const char *name = n > 1 ? argv[optind + 1] : NULL;
    int want = !strcmp(cmd, "list") ? 1 : !strcmp(cmd, "admin") ? 3 : 2;
    if (!strcmp(cmd, "") || n != want ||
        (strcmp(cmd, "add") && strcmp(cmd, "passwd") && strcmp(cmd, "list") &&
         strcmp(cmd, "admin") && strcmp(cmd, "token"))) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (auth_init()) {
        fprintf(stderr, "paperboy user: cannot initialise libsodium\n");
        return 1;
    }
    struct store *s = cli_open_store(db, 0);
    if (!s)
        return 1;
    int rc = 1;
    char now[DATE_TS_LEN + 1];
    date_now_ts(now);
    struct store_user u;
    if (!strcmp(cmd, "list")) {
        json_t *arr = is_json ? json_array() : NULL;
        if (store_user_list(s, on_user, arr))
            fprintf(stderr, "paperboy user: %s\n", store_errmsg(s));
        else
            rc = 0;
        if (arr)
            cli_print_json(stdout, arr);
        goto out;
    }
    if (!strcmp(cmd, "add")) {
        char pass[AUTH_PASSWORD_MAX + 2], hash[AUTH_HASH_LEN];
        if (!store_user_name_ok(name)) {
            fprintf(stderr, "paperboy user: '%s' is not a user name (1 to %d letters, digits, "
                            "'_' or '-')\n", name, STORE_NAME_MAX);
            goto out;
        }
        if (read_password(pass, sizeof pass) || auth_password_hash(pass, hash))
            goto out;
        long long count = 0;
        int64_t uid;
        if (store_user_count(s, &count) ||
            store_user_add(s, name, email, hash, is_admin || count == 0, now, &uid)) {
            fprintf(stderr, "paperboy user: %s\n", store_errmsg(s));
            goto out;
        }
        printf("added %s%s\n", name, is_admin || count == 0 ? " (admin)" : "");
        rc = 0;
        goto out;
    }
    if (store_user_get(s, name, &u, NULL, 0)) {
        fprintf(stderr, "paperboy user: no user '%s'\n", name);
        goto out;
    }
    if (!strcmp(cmd, "passwd")) {
        char pass[AUTH_PASSWORD_MAX + 2], hash[AUTH_HASH_LEN];
        if (read_password(pass, sizeof pass) || auth_password_hash(pass, hash))
            goto out;
        if (store_user_set_password(s, u.uid, hash)) {
            fprintf(stderr, "paperboy user: %s\n", store_errmsg(s));
            goto out;
        }
        printf("password of %s changed; their sessions ended\n", u.name);
        rc = 0;
    } else if (!strcmp(cmd, "admin")) {
        const char *how = argv[optind + 2];
        if (strcmp(how, "on") && strcmp(how, "off")) {
            fputs(usage, stderr);
            rc = EXIT_USAGE;
            goto out;
        }
        if (store_user_set_admin(s, u.uid, !strcmp(how, "on")) == 0) {
            printf("%s is %s an admin\n", u.name, strcmp(how, "on") ? "no longer" : "now");
            rc = 0;
        }
    } else { /* token */
        char token[AUTH_TOKEN_LEN], h[AUTH_HEX_LEN];
        auth_token_new(token);
        auth_token_hash(token, h);
        if (store_user_set_api_token(s, u.uid, revoke ? NULL : h)) {
            fprintf(stderr, "paperboy user: %s\n", store_errmsg(s));
            goto out;
        }
        if (revoke)
            printf("API token of %s revoked\n", u.name);
        else
            printf("%s\n", token);
        rc = 0;
    }
out:
    store_close(s);
    return rc;
}
