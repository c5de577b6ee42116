/* libFuzzer target for the outside input mail reads (src/mail/mime.c): the address validator,
 * the header-text check, and rendering a message from whatever passes them. Invariants: an
 * accepted address or text holds no CR, LF or other control byte; a rendered message has only
 * CRLF line ends, no line over 998 bytes, and exactly the header lines it should (nothing an
 * input smuggled in). The input is split at the first NUL into address and text. Seeds:
 * tests/fuzz/corpus/mailaddr/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/mail/mime.h"
#include "../../src/util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *in = xmalloc(size + 2);
    memcpy(in, data, size);
    in[size] = in[size + 1] = 0;
    const char *addr = in, *text = in + strlen(in) + (strlen(in) < size ? 1 : 0);
    char why[128];
    int addr_ok = mail_addr_check(addr, why, sizeof why) == 0;
    int text_ok = mail_text_check(text, MAIL_TEXT_MAX, why, sizeof why) == 0;
    if ((addr_ok && (has_ctl(addr) || strlen(addr) > MAIL_ADDR_MAX || !strchr(addr, '@'))) ||
        (text_ok && has_ctl(text)))
        abort();
    struct mail_msg m = {addr_ok ? addr : "a@example.org", text, addr_ok ? addr : "b@example.org",
                         text, 1781510400, "<x.1@example.org>", "https://example.org/u?s=1",
                         NULL, text, text};
    struct buf out = BUF_INIT(MAIL_MSG_MAX);
    int rc = mail_render(&m, &out, why, sizeof why);
    if (!rc) {
        if (!text_ok)
            abort(); /* rendered a name/subject that failed the check */
        const char *s = buf_str(&out), *line = s;
        size_t n_headers = 0;
        int in_headers = 1;
        for (size_t i = 0; i < out.len; i++) {
            if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
                abort(); /* a bare LF */
            if (s[i] == '\r' && (i + 1 >= out.len || s[i + 1] != '\n'))
                abort(); /* a bare CR */
            if (s[i] == '\n') {
                if ((size_t)(s + i - line) > 999)
                    abort();
                if (in_headers && s + i - 1 == line)
                    in_headers = 0;
                else if (in_headers && line[0] != ' ')
                    n_headers++;
                line = s + i + 1;
            }
        }
        /* From To Subject Date Message-ID MIME-Version List-Unsubscribe List-Unsubscribe-Post
         * Auto-Submitted Content-Type: nothing more, whatever the name and subject held */
        if (n_headers != 10)
            abort();
    }
    buf_release(&out);
    xfree(in);
    return 0;
}
