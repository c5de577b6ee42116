/* Addresses, header text, encoded words, quoted-printable and whole messages (mime.h). The
 * mail_put_* helpers append to a buffer created without a cap (BUF_INIT((size_t)-1)); the caps
 * that matter are on their inputs (MAIL_TEXT_MAX, the digest's paper limit) and on the
 * rendered message (MAIL_MSG_MAX, checked by mail_render). */
#include "mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/date.h"
#include "../util/text.h"

static void put(struct buf *b, const void *p, size_t n)
{
    if (buf_append(b, p, n))
        abort(); /* the buffers here are uncapped (see the top of the file) */
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static int fail(char *why, size_t n, const char *msg)
{
    snprintf(why, n, "%s", msg);
    return PB_EINVAL;
}

/* RFC 5322 atext */
static int is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int ipv4_literal(const char *d, size_t n)
{
    if (n < 9 || d[0] != '[' || d[n - 1] != ']')
        return 0;
    int parts = 0;
    size_t i = 1;
    while (i < n - 1) {
        int v = 0, digits = 0;
        while (i < n - 1 && d[i] >= '0' && d[i] <= '9' && digits < 4) {
            v = v * 10 + (d[i++] - '0');
            digits++;
        }
        if (!digits || digits > 3 || v > 255)
            return 0;
        parts++;
        if (i < n - 1) {
            if (d[i] != '.' || parts == 4)
                return 0;
            i++;
        }
    }
    return parts == 4 && d[n - 2] != '.';
}

int mail_addr_check(const char *addr, char *why, size_t n)
{
    size_t len = strlen(addr);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)addr[i];
        if (c == '\r' || c == '\n')
            return fail(why, n, "has a line break");
        if (c < 0x20 || c == 0x7f)
            return fail(why, n, "has a control character");
        if (c == ' ' || c == '\t')
            return fail(why, n, "has a space");
        if (c >= 0x80)
            return fail(why, n, "has a non-ASCII character (not supported)");
    }
    if (len == 0)
        return fail(why, n, "is empty");
    if (len > MAIL_ADDR_MAX)
        return fail(why, n, "is longer than 254 characters");
    const char *at = strrchr(addr, '@');
    if (!at)
        return fail(why, n, "has no '@'");
    size_t local = (size_t)(at - addr);
    if (local == 0)
        return fail(why, n, "has nothing before the '@'");
    if (local > MAIL_LOCAL_MAX)
        return fail(why, n, "has more than 64 characters before the '@'");
    for (size_t i = 0; i < local; i++) {
        unsigned char c = (unsigned char)addr[i];
        if (c == '.') {
            if (i == 0 || i == local - 1 || addr[i + 1] == '.')
                return fail(why, n, "has a misplaced '.' before the '@'");
        } else if (!is_atext(c)) {
            return fail(why, n, c == '@' ? "has more than one '@'"
                                         : "has a character not allowed before the '@'");
        }
    }
    const char *d = at + 1;
    size_t dn = len - local - 1;
    if (dn == 0)
        return fail(why, n, "has no domain after the '@'");
    if (d[0] == '[')
        return ipv4_literal(d, dn) ? 0 : fail(why, n, "has a malformed address literal");
    if (dn > 253)
        return fail(why, n, "has a domain longer than 253 characters");
    size_t labels = 0, start = 0;
    int all_digits = 1;
    for (size_t i = 0; i <= dn; i++) {
        if (i < dn && d[i] != '.') {
            unsigned char c = (unsigned char)d[i];
            if (!is_alnum(c) && c != '-')
                return fail(why, n, "has a character not allowed in a domain");
            all_digits &= c >= '0' && c <= '9';
            continue;
        }
        size_t ll = i - start;
        if (ll == 0)
            return fail(why, n, "has an empty label in its domain");
        if (ll > 63)
            return fail(why, n, "has a domain label longer than 63 characters");
        if (d[start] == '-' || d[i - 1] == '-')
            return fail(why, n, "has a domain label that starts or ends with '-'");
        labels++;
        if (i < dn)
            all_digits = 1;
        start = i + 1;
    }
    if (labels < 2)
        return fail(why, n, "has a domain without a '.'");
    if (all_digits)
        return fail(why, n, "has a domain whose last label is a number");
    return 0;
}

int mail_text_check(const char *s, size_t max, char *why, size_t n)
{
    size_t len = strlen(s);
    if (len > max) {
        snprintf(why, n, "is longer than %zu bytes", max);
        return PB_EINVAL;
    }
    if (!text_is_utf8(s, len))
        return fail(why, n, "is not valid UTF-8");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n')
            return fail(why, n, "has a line break");
        if (c < 0x20 || c == 0x7f)
            return fail(why, n, "has a control character");
        /* C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F) */
        if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0)
            return fail(why, n, "has a control character");
    }
    return 0;
}

void mail_put_base64(struct buf *b, const unsigned char *d, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)d[i + 1] << 8;
        if (i + 2 < n)
            v |= d[i + 2];
        char o[4] = {tbl[v >> 18 & 63], tbl[v >> 12 & 63], i + 1 < n ? tbl[v >> 6 & 63] : '=',
                     i + 2 < n ? tbl[v & 63] : '='};
        put(b, o, 4);
    }
}

static int plain_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return 0;
    return !strstr(s, "=?");
}

/* Encoded words for s, the first one starting at column col; later ones on folded lines. */
static void put_encoded(struct buf *b, const char *s, size_t col)
{
    /* "=?UTF-8?B?" + base64 + "?=" is 12 + 4 * ceil(k / 3) columns: k <= 45 bytes keeps a word
     * within 72, a folded line within 73 (RFC 2047: a word <= 75, a line <= 76). */
    size_t len = strlen(s), i = 0;
    int first = 1;
    if (len == 0)
        return;
    while (i < len) {
        size_t k = 0;
        size_t room = 45;
        if (first) /* the first word shares its line with the field name */
            room = col + 12 + 12 < 76 ? (76 - col - 12) / 4 * 3 : 3;
        if (room > 45)
            room = 45;
        while (i + k < len) {
            size_t q = text_utf8_seq((const unsigned char *)s + i + k, len - i - k);
            if (!q)
                q = 1; /* checked input is valid UTF-8; be safe anyway */
            if (k + q > room)
                break;
            k += q;
        }
        if (!k)
            k = 1;
        if (!first)
            puts_(b, "\r\n ");
        puts_(b, "=?UTF-8?B?");
        mail_put_base64(b, (const unsigned char *)s + i, k);
        puts_(b, "?=");
        i += k;
        first = 0;
    }
}

/* Plain ASCII folded at spaces so no line passes 78 columns where a space allows. */
static void put_folded(struct buf *b, const char *s, size_t col)
{
    const char *p = s;
    while (*p) {
        const char *sp = strchr(p + 1, ' ');
        size_t word = sp ? (size_t)(sp - p) : strlen(p);
        if (col + word > 78 && p != s && *p == ' ') {
            puts_(b, "\r\n");
            col = 0;
        }
        put(b, p, word);
        col += word;
        p += word;
    }
}

void mail_put_header_text(struct buf *b, const char *name, const char *value)
{
    puts_(b, name);
    puts_(b, ": ");
    size_t col = strlen(name) + 2;
    if (plain_ascii(value))
        put_folded(b, value, col);
    else
        put_encoded(b, value, col);
    puts_(b, "\r\n");
}

void mail_put_header_addr(struct buf *b, const char *name, const char *display,
                          const char *addr)
{
    puts_(b, name);
    puts_(b, ": ");
    if (display && *display) {
        int is_atom = 1;
        for (const unsigned char *p = (const unsigned char *)display; *p && is_atom; p++)
            is_atom = is_atext(*p) || *p == ' ';
        if (is_atom && display[0] != ' ') {
            puts_(b, display);
        } else if (plain_ascii(display)) {
            puts_(b, "\"");
            for (const char *p = display; *p; p++) {
                if (*p == '"' || *p == '\\')
                    puts_(b, "\\");
                put(b, p, 1);
            }
            puts_(b, "\"");
        } else {
            put_encoded(b, display, strlen(name) + 2);
        }
        puts_(b, strlen(display) + strlen(addr) + strlen(name) > 70 ? "\r\n <" : " <");
    } else {
        puts_(b, "<");
    }
    puts_(b, addr);
    puts_(b, ">\r\n");
}

void mail_put_qp(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    /* Output goes through a small block flushed to b: one append per byte was most of the
     * time of composing 100,000 digests. */
    char o[4096];
    size_t on = 0, col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (on > sizeof o - 16) {
            put(b, o, on);
            on = 0;
        }
        if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
            continue;
        if (c == '\n') {
            o[on++] = '\r';
            o[on++] = '\n';
            col = 0;
            continue;
        }
        int at_eol = i + 1 == n || s[i + 1] == '\n' || (s[i + 1] == '\r' && i + 2 < n &&
                                                          s[i + 2] == '\n');
        /* literal: printable ASCII but '=', and spaces not at the end of a line; a '.' that
         * starts a line is encoded too (some transports mishandle it) */
        int literal = (c >= 33 && c <= 126 && c != '=' && !(c == '.' && col == 0)) ||
                      ((c == ' ' || c == '\t') && !at_eol);
        size_t w = literal ? 1 : 3;
        /* a soft break keeps every line <= 76 including the '=' */
        if (col + w > 75 && !(at_eol && col + w <= 76)) {
            o[on++] = '=';
            o[on++] = '\r';
            o[on++] = '\n';
            col = 0;
            if (c == '.')
                literal = 0, w = 3;
        }
        if (literal) {
            o[on++] = (char)c;
        } else {
            o[on++] = '=';
            o[on++] = hex[c >> 4];
            o[on++] = hex[c & 15];
        }
        col += w;
    }
    put(b, o, on);
}

void mail_date(int64_t t, char *out)
{
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sec = t - day * 86400;
    int y, m, d;
    date_civil_from_days(day, &y, &m, &d);
    snprintf(out, 32, "%s, %d %s %04d %02d:%02d:%02d +0000", days[date_weekday(day)], d,
             months[(m - 1) % 12], y, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}

static int header_safe_ascii(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '<' ||
            s[i] == '>')
            return 0;
    return 1;
}

int mail_render(const struct mail_msg *m, struct buf *out, char *err, size_t errlen)
{
    char why[128];
    if (mail_addr_check(m->to_addr, why, sizeof why)) {
        snprintf(err, errlen, "the recipient address %s", why);
        return PB_EINVAL;
    }
    if (mail_addr_check(m->from_addr, why, sizeof why)) {
        snprintf(err, errlen, "the sender address %s", why);
        return PB_EINVAL;
    }
    if (m->from_name && mail_text_check(m->from_name, MAIL_TEXT_MAX, why, sizeof why)) {
        snprintf(err, errlen, "the sender name %s", why);
        return PB_EINVAL;
    }
    if (mail_text_check(m->subject, MAIL_TEXT_MAX, why, sizeof why)) {
        snprintf(err, errlen, "the subject %s", why);
        return PB_EINVAL;
    }
    size_t idn = strlen(m->message_id);
    if (idn < 5 || m->message_id[0] != '<' || m->message_id[idn - 1] != '>' ||
        !strchr(m->message_id, '@')) {
        snprintf(err, errlen, "the Message-ID is not <local@domain>");
        return PB_EINVAL;
    }
    char inner[256];
    snprintf(inner, sizeof inner, "%.*s", (int)(idn - 2), m->message_id + 1);
    if (idn - 2 >= sizeof inner || !header_safe_ascii(inner, 250)) {
        snprintf(err, errlen, "the Message-ID has characters not allowed in a header");
        return PB_EINVAL;
    }
    if (m->unsubscribe && !header_safe_ascii(m->unsubscribe, 900)) {
        snprintf(err, errlen, "the unsubscribe URL has characters not allowed in a header");
        return PB_EINVAL;
    }
    if (m->list_id && mail_text_check(m->list_id, 200, why, sizeof why)) {
        snprintf(err, errlen, "the List-Id %s", why);
        return PB_EINVAL;
    }
    struct buf b = BUF_INIT((size_t)-1);
    char date[32];
    mail_date(m->date, date);
    mail_put_header_addr(&b, "From", m->from_name, m->from_addr);
    mail_put_header_addr(&b, "To", NULL, m->to_addr);
    mail_put_header_text(&b, "Subject", m->subject);
    puts_(&b, "Date: ");
    puts_(&b, date);
    puts_(&b, "\r\nMessage-ID: ");
    puts_(&b, m->message_id);
    puts_(&b, "\r\nMIME-Version: 1.0\r\n");
    if (m->list_id) {
        puts_(&b, "List-Id: ");
        puts_(&b, m->list_id);
        puts_(&b, "\r\n");
    }
    if (m->unsubscribe) {
        puts_(&b, "List-Unsubscribe:\r\n <");
        puts_(&b, m->unsubscribe);
        puts_(&b, ">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    }
    puts_(&b, "Auto-Submitted: auto-generated\r\n");
    const char *text = m->text ? m->text : "";
    if (!m->html) {
        puts_(&b, "Content-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        mail_put_qp(&b, text, strlen(text));
        puts_(&b, "\r\n");
    } else {
        /* "=_" never occurs in quoted-printable text, so no part can contain the boundary. */
        uint64_t h = 1469598103934665603ull;
        for (const char *p = m->message_id; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ull;
        char bnd[40];
        snprintf(bnd, sizeof bnd, "=_pb_%016llx", (unsigned long long)h);
        puts_(&b, "Content-Type: multipart/alternative;\r\n boundary=\"");
        puts_(&b, bnd);
        puts_(&b, "\"\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n--");
        puts_(&b, bnd);
        puts_(&b, "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        mail_put_qp(&b, text, strlen(text));
        puts_(&b, "\r\n--");
        puts_(&b, bnd);
        puts_(&b, "\r\nContent-Type: text/html; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        mail_put_qp(&b, m->html, strlen(m->html));
        puts_(&b, "\r\n--");
        puts_(&b, bnd);
        puts_(&b, "--\r\n");
    }
    if (b.len > MAIL_MSG_MAX) {
        buf_release(&b);
        snprintf(err, errlen, "the message is larger than %d bytes", MAIL_MSG_MAX);
        return PB_ETOOBIG;
    }
    int rc = buf_append(out, b.data, b.len);
    buf_release(&b);
    if (rc)
        snprintf(err, errlen, "the message does not fit its buffer");
    return rc;
}
