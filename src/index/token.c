/* Tokeniser (token.h): one pass over the bytes. Words ("atoms") are folded while they are copied
 * (ASCII words never reach utf8proc), joined into compounds, stemmed through a small per-
 * tokenizer cache and handed to the callback. Nothing is allocated per token: the buffers live in
 * the tokenizer and are reused. The rules, and why, are in docs/INDEX_FORMAT.md ("Tokeniser");
 * every rule has cases in tests/cases/token.tsv. What the indexer keeps is not decided here. */
#include "token.h"

#include <assert.h>
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../util/alloc.h"
#include "../util/text.h"

#define RAW_CAP (4 * TOKEN_MAX) /* bytes of one word folded; longer words are cut anyway */
#define BIGO_MAX 64             /* bytes between the parentheses of O(...) */
#define BIGO_DEPTH 4            /* nested parentheses inside O(...) */
#ifndef STEM_SLOTS
#define STEM_SLOTS 16384 /* direct-mapped word -> stem cache (power of two), 32 bytes each */
#endif
#define STEM_SLOT_BYTES 30 /* word and stem together; longer pairs are not cached */

/* Kinds of character as the word scanner sees them. */
enum { K_NONE, K_LETTER, K_DIGIT, K_MARK, K_IDEO, K_IGNORE, K_APOS };

struct atom {
    uint32_t start, end; /* source bytes, including markup such as \"o or a possessive 's */
    uint8_t len;
    uint8_t no_stem; /* holds a digit, or is an id */
    uint32_t hash;   /* of term, for the stem cache */
    char term[TOKEN_MAX + 1];
};

/* The Snowball stemmer costs about as much as everything else together, and prose repeats its
 * words: a cache of 16k slots of 32 bytes (a word and its stem side by side) doubles throughput
 * on arXiv abstracts. Words too long for a slot (a few per cent) are stemmed every time. */
struct stem_slot {
    uint8_t word_len, stem_len;
    char bytes[STEM_SLOT_BYTES]; /* word, then stem and a NUL */
};

struct tokenizer {
    struct sb_stemmer *stemmer;
    struct stem_slot *cache;
    int32_t *ucs; /* utf8proc work buffer (code points, then UTF-8 in place) */
    size_t ucs_cap;
    struct atom *atoms; /* the words of the compound being scanned */
    size_t n_atoms, atoms_cap;
    /* the run in progress */
    const unsigned char *s;
    size_t n; /* end of the range being scanned (O(...) narrows it) */
    enum token_mode mode;
    uint32_t pos;
    uint32_t pos_after; /* position after the last token delivered */
    token_fn fn;
    void *ctx;
    int is_stopped;
    char raw[RAW_CAP + 8]; /* the word being scanned, ASCII already lower-cased */
    char buf[TOKEN_MAX + 8];
    char stem[TOKEN_MAX + 1];
};

static inline int is_alpha(unsigned c)
{
    return (unsigned)((c | 32) - 'a') < 26;
}

static inline int is_digit(unsigned c)
{
    return c - '0' < 10;
}

static inline int is_alnum(unsigned c)
{
    return is_alpha(c) || is_digit(c);
}

static inline unsigned lower(unsigned c)
{
    return c - 'A' < 26 ? c + 32 : c;
}

/* --- LaTeX commands --- */

/* Formatting, reference, sizing and spacing commands: the command is dropped, its argument (if
 * any) is tokenised as text. Sorted for bsearch (strcmp order). */
/* clang-format off */
static const char *const dropped_cmds[] = {
    "Big", "Bigg", "Biggl", "Biggr", "Bigl", "Bigr", "Cref", "Huge", "LARGE", "Large", "acute",
    "autoref", "bar", "bf", "big", "bigg", "biggl", "biggr", "bigl", "bigr", "bm", "boldsymbol",
    "breve", "cal", "cfrac", "check", "cite", "citealp", "citealt", "citeauthor", "citep", "citet",
    "cref", "ddot", "dfrac", "displaystyle", "dot", "em", "emph", "ensuremath", "eqref",
    "footnote", "footnotesize", "frac", "grave", "hat", "hbox", "hphantom", "href", "hspace",
    "huge", "it", "kern", "label", "large", "left", "limits", "mathbb", "mathbf", "mathcal",
    "mathfrak", "mathit", "mathnormal", "mathop", "mathrm", "mathscr", "mathsf", "mathtt", "mbox",
    "middle", "nolimits", "normalsize", "operatorname", "overline", "phantom", "pmb", "qquad",
    "quad", "ref", "right", "rm", "sc", "scriptscriptstyle", "scriptsize", "scriptstyle", "sf",
    "sl", "small", "text", "textbf", "textit", "textmd", "textnormal", "textrm", "textsc",
    "textsf", "textsl", "textstyle", "texttt", "textup", "tfrac", "tilde", "tiny", "tt",
    "underline", "url", "vec", "vphantom", "vspace", "widehat", "widetilde",
};
/* clang-format on */

static int cmp_name(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

static int is_dropped_cmd(const unsigned char *name, size_t m)
{
    char tmp[24];
    if (m >= sizeof tmp)
        return 0;
    memcpy(tmp, name, m);
    tmp[m] = 0;
    return bsearch(tmp, dropped_cmds, sizeof dropped_cmds / sizeof dropped_cmds[0],
                   sizeof dropped_cmds[0], cmp_name) != NULL;
}

struct tokenizer *tokenizer_new(void)
{
    struct tokenizer *t = xcalloc(1, sizeof *t);
    t->stemmer = sb_stemmer_new("english", NULL);
    if (!t->stemmer) {
        fprintf(stderr, "paperboy: cannot create the Snowball English stemmer\n");
        abort();
    }
    t->cache = xcalloc(STEM_SLOTS, sizeof *t->cache);
    for (size_t i = 1; i < sizeof dropped_cmds / sizeof dropped_cmds[0]; i++)
        assert(strcmp(dropped_cmds[i - 1], dropped_cmds[i]) < 0); /* bsearch needs order */
    return t;
}

void tokenizer_free(struct tokenizer *t)
{
    if (!t)
        return;
    sb_stemmer_delete(t->stemmer);
    xfree(t->cache);
    xfree(t->ucs);
    xfree(t->atoms);
    xfree(t);
}

/* --- stop words: the classic short English list (Lucene's) --- */

int token_is_stop(const char *w, size_t len)
{
    static const char *const by_len[6] = {
        NULL,
        "a",
        "anasatbebyifinisitnoofonorto",
        "andarebutfornotthewas",
        "intosuchthatthentheythiswillwith",
        "theirtherethese",
    };
    if (len == 0 || len > 5)
        return 0;
    for (const char *p = by_len[len]; *p; p += len)
        if (p[0] == w[0] && !memcmp(p, w, len))
            return 1;
    return 0;
}

/* --- characters --- */

/* Code point and length of the valid UTF-8 character at s[0..n), or 0 if there is none. */
static size_t decode(const unsigned char *s, size_t n, int32_t *cp)
{
    size_t k = text_utf8_seq(s, n);
    if (k <= 1) {
        *cp = k ? s[0] : -1;
        return k;
    }
    int32_t c = s[0] & (0x7F >> k);
    for (size_t j = 1; j < k; j++)
        c = (c << 6) | (s[j] & 0x3F);
    *cp = c;
    return k;
}

/* Scripts written without spaces between words: each character is a word of its own. */
static int is_ideo(int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFF66 && cp <= 0xFF9F) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

static int classify(int32_t cp)
{
    if (cp < 0x80)
        return is_alpha(cp) ? K_LETTER : is_digit(cp) ? K_DIGIT : cp == '\'' ? K_APOS : K_NONE;
    if (cp == 0x2019 || cp == 0x02BC)
        return K_APOS;
    if (cp == 0x00AD || cp == 0x200C || cp == 0x200D || cp == 0x2060)
        return K_IGNORE;
    if (is_ideo(cp))
        return K_IDEO;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: return K_LETTER;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME: return K_MARK;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return K_DIGIT;
    default: return K_NONE;
    }
}

/* A letter written with LaTeX markup at s[0..n) without braces around it: \"o, \"{o}, \'{\i},
 * \c{c}, \ss, \o. Its ASCII letters go to out (accents are stripped anyway). Returns the bytes
 * used, or 0. */
static size_t latex_letter_bare(const unsigned char *s, size_t n, char *out, size_t *out_len)
{
    if (n < 2 || s[0] != '\\')
        return 0;
    unsigned c = s[1];
    if (c && strchr("\"'`^~=.", (int)c)) {
        if (n < 3)
            return 0;
        if (is_alpha(s[2])) {
            out[0] = (char)lower(s[2]);
            *out_len = 1;
            return 3;
        }
        if (s[2] == '{' && n >= 5 && is_alpha(s[3]) && s[4] == '}') {
            out[0] = (char)lower(s[3]);
            *out_len = 1;
            return 5;
        }
        if (s[2] == '{' && n >= 6 && s[3] == '\\' && (s[4] == 'i' || s[4] == 'j') && s[5] == '}') {
            out[0] = (char)s[4];
            *out_len = 1;
            return 6;
        }
        if (s[2] == '\\' && n >= 4 && (s[3] == 'i' || s[3] == 'j') && (n == 4 || !is_alpha(s[4]))) {
            out[0] = (char)s[3];
            *out_len = 1;
            return 4;
        }
        return 0;
    }
    if (!is_alpha(c))
        return 0;
    size_t m = 1;
    while (1 + m < n && is_alpha(s[1 + m]))
        m++;
    if (m == 1 && strchr("cvHukrdbt", (int)c) && n >= 5 && s[2] == '{' && is_alpha(s[3]) &&
        s[4] == '}') {
        out[0] = (char)lower(s[3]);
        *out_len = 1;
        return 5;
    }
    static const char *const words[][2] = {
        {"ss", "ss"}, {"o", "o"},   {"O", "o"},   {"l", "l"},   {"L", "l"},
        {"ae", "ae"}, {"AE", "ae"}, {"oe", "oe"}, {"OE", "oe"}, {"aa", "a"},
        {"AA", "a"},  {"i", "i"},   {"j", "j"},
    };
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        if (strlen(words[w][0]) != m || memcmp(words[w][0], s + 1, m))
            continue;
        size_t k = 1 + m;
        /* A control word eats the space after it (Bj\o rn) and is often closed by {}. */
        if (k + 1 < n && s[k] == '{' && s[k + 1] == '}')
            k += 2;
        else if (k + 1 < n && s[k] == ' ' && is_alpha(s[k + 1]))
            k += 1;
        *out_len = strlen(words[w][1]);
        memcpy(out, words[w][1], *out_len);
        return k;
    }
    return 0;
}

/* As latex_letter_bare, also in one pair of braces: {\"o}, {\ss}. */
static size_t latex_letter(const unsigned char *s, size_t n, char *out, size_t *out_len)
{
    if (n >= 2 && s[0] == '{' && s[1] == '\\') {
        size_t k = latex_letter_bare(s + 1, n - 1, out, out_len);
        if (k && 1 + k < n && s[1 + k] == '}')
            return k + 2;
        return 0;
    }
    return latex_letter_bare(s, n, out, out_len);
}

/* The kind of character a word could start with at i (K_LETTER for LaTeX letters), and its
 * length in *k; K_NONE if no word starts there. */
static int word_start(const struct tokenizer *t, size_t i, size_t *k)
{
    *k = 0;
    if (i >= t->n)
        return K_NONE;
    unsigned c = t->s[i];
    if (c < 0x80) {
        *k = 1;
        if (is_alnum(c))
            return is_digit(c) ? K_DIGIT : K_LETTER;
        char tmp[4];
        size_t tl;
        if ((c == '\\' || c == '{') && latex_letter(t->s + i, t->n - i, tmp, &tl))
            return K_LETTER;
        return K_NONE;
    }
    int32_t cp;
    *k = decode(t->s + i, t->n - i, &cp);
    if (!*k)
        return K_NONE;
    int kind = classify(cp);
    return kind == K_LETTER || kind == K_DIGIT || kind == K_MARK || kind == K_IDEO ? kind : K_NONE;
}

/* Bytes of a hyphen (-, U+2010, U+2011) at i, or 0. */
static size_t hyphen_at(const struct tokenizer *t, size_t i)
{
    if (i >= t->n)
        return 0;
    if (t->s[i] == '-')
        return 1;
    if (t->s[i] == 0xE2 && i + 2 < t->n && t->s[i + 1] == 0x80 &&
        (t->s[i + 2] == 0x90 || t->s[i + 2] == 0x91))
        return 3;
    return 0;
}

/* Length of s[0..len) cut to at most max bytes at a character boundary. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* --- folding --- */

/* Accents: the combining diacritics of Latin, Greek and Cyrillic (and the vowel points of Hebrew
 * and Arabic). Other marks are part of their letters (Indic vowel signs, the kana voicing
 * mark: デ is not テ) and stay; utf8proc's STRIPMARK would remove them too. */
static int is_accent(int32_t cp)
{
    return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0x591 && cp <= 0x5C7) ||
           (cp >= 0x64B && cp <= 0x65F) || cp == 0x670;
}

/* NFKC, case folding and accent stripping of raw[0..r) (valid UTF-8) into out (TOKEN_MAX + 1),
 * without white space or controls, letters with strokes made ASCII (ø, ł, æ...); returns the
 * length. The slow path: only words with a byte >= 0x80 come here. */
static size_t fold_unicode(struct tokenizer *t, const char *raw, size_t r, char *out)
{
    /* decompose (NFKD + case fold), drop accents, compose again while re-encoding */
    const utf8proc_option_t opt =
        UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
    if (t->ucs_cap < r + 2)
        t->ucs = xgrow(t->ucs, sizeof *t->ucs, r + 2, &t->ucs_cap);
    utf8proc_ssize_t m = utf8proc_decompose((const utf8proc_uint8_t *)raw, (utf8proc_ssize_t)r,
                                            t->ucs, (utf8proc_ssize_t)t->ucs_cap - 1, opt);
    if (m >= (utf8proc_ssize_t)t->ucs_cap - 1) {
        t->ucs = xgrow(t->ucs, sizeof *t->ucs, (size_t)m + 2, &t->ucs_cap);
        m = utf8proc_decompose((const utf8proc_uint8_t *)raw, (utf8proc_ssize_t)r, t->ucs,
                               (utf8proc_ssize_t)t->ucs_cap - 1, opt);
    }
    if (m <= 0)
        return 0;
    utf8proc_ssize_t kept = 0;
    for (utf8proc_ssize_t i = 0; i < m; i++)
        if (!is_accent(t->ucs[i]))
            t->ucs[kept++] = t->ucs[i];
    if (kept == 0)
        return 0;
    m = utf8proc_reencode(t->ucs, kept, opt);
    if (m <= 0)
        return 0;
    const unsigned char *u = (const unsigned char *)t->ucs;
    size_t len = 0;
    for (size_t i = 0; i < (size_t)m;) {
        int32_t cp;
        size_t k = decode(u + i, (size_t)m - i, &cp);
        if (!k)
            break; /* not reached: utf8proc writes valid UTF-8 */
        const char *rep = NULL;
        switch (cp) {
        case 0xF8: rep = "o"; break;   /* ø */
        case 0x142: rep = "l"; break;  /* ł */
        case 0x111: rep = "d"; break;  /* đ */
        case 0xF0: rep = "d"; break;   /* ð */
        case 0xE6: rep = "ae"; break;  /* æ */
        case 0x153: rep = "oe"; break; /* œ */
        case 0x131: rep = "i"; break;  /* ı */
        case 0x127: rep = "h"; break;  /* ħ */
        case 0xFE: rep = "th"; break;  /* þ */
        case 0x167: rep = "t"; break;  /* ŧ */
        case 0xB7: rep = ""; break;    /* the dot NFKC leaves of ŀ */
        default:
            if (cp <= 0x20 || cp == 0x7F)
                rep = "";
            else if (cp >= 0x80) {
                utf8proc_category_t cat = utf8proc_category(cp);
                if (cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
                    cat == UTF8PROC_CATEGORY_ZP || cat == UTF8PROC_CATEGORY_CC ||
                    cat == UTF8PROC_CATEGORY_CF)
                    rep = "";
            }
        }
        const char *src = rep ? rep : (const char *)u + i;
        size_t sl = rep ? strlen(rep) : k;
        if (len + sl > TOKEN_MAX)
            break;
        memcpy(out + len, src, sl);
        len += sl;
        i += k;
    }
    out[len] = 0;
    return len;
}

/* "2503.11731v2" -> "2503.11731": the new-style arXiv id form, version dropped. */
static void strip_id_version(struct atom *a)
{
    const char *s = a->term;
    size_t n = a->len, i = 0;
    while (i < n && is_digit(s[i]))
        i++;
    if (i != 4 || i >= n || s[i] != '.')
        return;
    size_t j = ++i;
    while (i < n && is_digit(s[i]))
        i++;
    if (i - j < 4 || i - j > 5)
        return;
    size_t end = i;
    if (i < n) {
        if (s[i] != 'v' || i + 1 >= n)
            return;
        for (i++; i < n; i++)
            if (!is_digit(s[i]))
                return;
    }
    a->len = (uint8_t)end;
    a->term[end] = 0;
    a->no_stem = 1;
}

/* One Greek letter on its own is written with its name, as in LaTeX ($\alpha$ == α). */
static void greek_name(struct atom *a)
{
    static const char *const names[] = {
        "alpha", "beta",   "gamma",   "delta", "epsilon", "zeta",    "eta",   "theta", "iota",
        "kappa", "lambda", "mu",      "nu",    "xi",      "omicron", "pi",    "rho",   "sigma",
        "sigma", "tau",    "upsilon", "phi",   "chi",     "psi",     "omega",
    };
    const unsigned char *u = (const unsigned char *)a->term;
    if (a->len != 2 || u[0] < 0xCE || u[0] > 0xCF)
        return;
    int32_t cp = ((u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    if (cp < 0x3B1 || cp > 0x3C9)
        return;
    const char *name = names[cp - 0x3B1];
    a->len = (uint8_t)strlen(name);
    memcpy(a->term, name, (size_t)a->len + 1);
}

/* --- words --- */

static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h ^ (h >> 15);
}

static struct atom *atom_push(struct tokenizer *t)
{
    t->atoms = xgrow(t->atoms, sizeof *t->atoms, t->n_atoms + 1, &t->atoms_cap);
    return &t->atoms[t->n_atoms++];
}

/* Scans the word starting at i (where word_start() said one starts) into a: letters, digits
 * and marks; a '.' between digits (1.5, 2503.11731); an apostrophe between letters, dropped
 * (O'Brien -> obrien), and a possessive 's dropped; LaTeX letters (Schr\"odinger); soft hyphens
 * and joiners inside the word dropped. An ideograph is a word of its own. Returns the byte after
 * the word; a->len is 0 if nothing was left after folding. */
static size_t scan_atom(struct tokenizer *t, size_t i, struct atom *a)
{
    const unsigned char *s = t->s;
    const size_t n = t->n;
    size_t r = 0, cap = RAW_CAP; /* cap drops to r once a character did not fit */
    int is_ascii = 1, prev = K_NONE, has_digit = 0;
    a->start = (uint32_t)i;
    for (;;) {
        if (i >= n)
            break;
        unsigned c = s[i];
        if (c < 0x80) {
            if (is_alpha(c)) {
                if (r < cap)
                    t->raw[r++] = (char)lower(c);
                prev = K_LETTER;
                i++;
                continue;
            }
            if (is_digit(c)) {
                if (r < cap)
                    t->raw[r++] = (char)c;
                prev = K_DIGIT;
                has_digit = 1;
                i++;
                continue;
            }
            if (c == '.' && prev == K_DIGIT && t->mode == TOKEN_TEXT && i + 1 < n &&
                is_digit(s[i + 1])) {
                if (r < cap)
                    t->raw[r++] = '.';
                prev = K_NONE;
                i++;
                continue;
            }
            if (c == '\\' || c == '{') {
                char tmp[4];
                size_t tl;
                size_t k = latex_letter(s + i, n - i, tmp, &tl);
                if (!k)
                    break;
                if (r + tl <= cap) {
                    memcpy(t->raw + r, tmp, tl);
                    r += tl;
                } else {
                    cap = r;
                }
                prev = K_LETTER;
                i += k;
                continue;
            }
            if (c != '\'')
                break;
        }
        int32_t cp;
        size_t k = decode(s + i, n - i, &cp);
        if (!k)
            break;
        int kind = classify(cp);
        if (kind == K_LETTER || kind == K_DIGIT || kind == K_MARK) {
            if (r + k <= cap) {
                memcpy(t->raw + r, s + i, k);
                r += k;
            } else {
                cap = r;
            }
            is_ascii = 0;
            /* a mark continues whatever came before it */
            if (kind != K_MARK || prev == K_NONE)
                prev = kind;
            has_digit |= kind == K_DIGIT;
            i += k;
            continue;
        }
        if (kind == K_IDEO) {
            if (i == a->start) {
                memcpy(t->raw, s + i, k);
                r = k;
                is_ascii = 0;
                i += k;
            }
            break;
        }
        size_t k2;
        if (kind == K_APOS && (prev == K_LETTER || prev == K_DIGIT || prev == K_MARK)) {
            /* possessive: 's at the end of the word is dropped, offsets keep it */
            if (i + k < n && (s[i + k] == 's' || s[i + k] == 'S')) {
                int next = word_start(t, i + k + 1, &k2);
                if (next != K_LETTER && next != K_DIGIT && next != K_MARK) {
                    i += k + 1;
                    break;
                }
            }
            if (prev != K_DIGIT && word_start(t, i + k, &k2) == K_LETTER) {
                i += k;
                continue;
            }
            break;
        }
        if (kind == K_IGNORE && prev != K_NONE) {
            int next = word_start(t, i + k, &k2);
            if (next == K_LETTER || next == K_DIGIT || next == K_MARK) {
                i += k;
                continue;
            }
        }
        break;
    }
    a->end = (uint32_t)i;
    a->no_stem = (uint8_t)has_digit;
    size_t len;
    if (is_ascii) {
        len = r < TOKEN_MAX ? r : TOKEN_MAX;
        memcpy(a->term, t->raw, len);
        a->term[len] = 0;
    } else {
        len = fold_unicode(t, t->raw, r, a->term);
    }
    a->len = (uint8_t)len;
    if (t->mode == TOKEN_TEXT && len) {
        if (has_digit)
            strip_id_version(a);
        else if (!is_ascii)
            greek_name(a);
        if (!a->no_stem && a->len > 2) {
            /* the slot is usually not in cache: start loading it now */
            a->hash = hash(a->term, a->len);
            __builtin_prefetch(&t->cache[a->hash & (STEM_SLOTS - 1)]);
        }
    }
    return i;
}

/* --- emitting --- */

static void emit(struct tokenizer *t, const char *term, size_t len, uint32_t pos, uint32_t start,
                 uint32_t end, unsigned flags)
{
    if (t->is_stopped || len == 0)
        return;
    struct token tok = {term, len, pos, start, end, flags};
    t->pos_after = pos + 1;
    if (t->fn(t->ctx, &tok))
        t->is_stopped = 1;
}

/* The Snowball English stem of w[0..len), through the cache. Owned by t until the next call. */
static const char *stem(struct tokenizer *t, const char *w, size_t len, uint32_t h, size_t *out_len)
{
    struct stem_slot *e = &t->cache[h & (STEM_SLOTS - 1)];
    if (e->word_len == len && !memcmp(e->bytes, w, len)) {
        *out_len = e->stem_len;
        return e->bytes + len;
    }
    const sb_symbol *r = sb_stemmer_stem(t->stemmer, (const sb_symbol *)w, (int)len);
    if (!r) {
        fprintf(stderr, "paperboy: out of memory in the stemmer\n");
        abort();
    }
    size_t k = (size_t)sb_stemmer_length(t->stemmer);
    k = utf8_cut((const char *)r, k, TOKEN_MAX);
    if (k == 0) {
        *out_len = len;
        return w;
    }
    memcpy(t->stem, r, k);
    t->stem[k] = 0;
    if (len + k < STEM_SLOT_BYTES) {
        e->word_len = (uint8_t)len;
        e->stem_len = (uint8_t)k;
        memcpy(e->bytes, w, len);
        memcpy(e->bytes + len, r, k);
        e->bytes[len + k] = 0;
    }
    *out_len = k;
    return t->stem;
}

/* The plural of an acronym: a word without a vowel before its final 's' (llms, cnns, pdfs).
 * Snowball keeps the 's' there (it only removes one after a vowel-bearing stem), which would
 * keep "LLMs" from meeting "LLM"; the test is blind to case, like every stemming rule here. */
static int is_acronym_plural(const char *w, size_t len)
{
    if (len < 3 || w[len - 1] != 's')
        return 0;
    for (size_t i = 0; i + 1 < len; i++)
        if (strchr("aeiouy", w[i]))
            return 0;
    return 1;
}

/* One word at the next position: in prose a stop word as it is, any other word stemmed. */
static void emit_word(struct tokenizer *t, const struct atom *a)
{
    const char *term = a->term;
    size_t len = a->len;
    unsigned flags = 0;
    if (t->mode == TOKEN_TEXT) {
        if (token_is_stop(term, len))
            flags = TOKEN_STOP;
        else if (!a->no_stem && is_acronym_plural(term, len)) {
            len--;
            memcpy(t->stem, term, len);
            t->stem[len] = 0;
            term = t->stem;
        } else if (!a->no_stem && len > 2)
            term = stem(t, term, len, a->hash, &len);
    }
    emit(t, term, len, t->pos++, a->start, a->end, flags);
}

/* --- ids --- */

/* New-style arXiv id at s[i..n): 4 digits '.' 4-5 digits, optional vN, then a boundary. Writes
 * the id without version to out; returns the bytes used or 0. */
static size_t match_new_id(const unsigned char *s, size_t n, size_t i, char *out, size_t *out_len)
{
    size_t j = i;
    while (j < n && is_digit(s[j]))
        j++;
    if (j - i != 4 || j >= n || s[j] != '.')
        return 0;
    size_t d = ++j;
    while (j < n && is_digit(s[j]))
        j++;
    if (j - d < 4 || j - d > 5)
        return 0;
    *out_len = j - i;
    memcpy(out, s + i, *out_len);
    if (j + 1 < n && s[j] == 'v' && is_digit(s[j + 1]))
        for (j++; j < n && is_digit(s[j]);)
            j++;
    return j - i;
}

/* Old-style arXiv id at s[i..n): archive[-archive][.CLASS]/NNNNNNN[vN] (hep-th/9901001,
 * math.GT/0309136). Writes archive/number (subject class and version dropped, lower case). */
static size_t match_old_id(const unsigned char *s, size_t n, size_t i, char *out, size_t *out_len)
{
    size_t j = i, o = 0;
    while (j < n && is_alpha(s[j]) && j - i < 12)
        out[o++] = (char)lower(s[j++]);
    if (j == i || j >= n)
        return 0;
    if (s[j] == '-') {
        size_t h = ++j;
        out[o++] = '-';
        while (j < n && is_alpha(s[j]) && j - h < 12)
            out[o++] = (char)lower(s[j++]);
        if (j == h || j >= n)
            return 0;
    }
    if (s[j] == '.') {
        size_t c = ++j;
        while (j < n && (is_alpha(s[j]) || s[j] == '-') && j - c < 8)
            j++;
        if (j - c < 2 || j >= n)
            return 0;
    }
    if (s[j] != '/')
        return 0;
    out[o++] = '/';
    size_t d = ++j;
    while (j < n && is_digit(s[j]) && j - d < 8)
        out[o++] = (char)s[j++];
    if (j - d != 7)
        return 0;
    if (j + 1 < n && s[j] == 'v' && is_digit(s[j + 1]))
        for (j++; j < n && is_digit(s[j]);)
            j++;
    *out_len = o;
    return j - i;
}

/* Does the word that ends with a digit just before e go on at e (scan_atom's and scan_words'
 * rules: a word character, '.' and a digit, a dropped joiner and a word character, a hyphen and
 * the next word of a compound)? */
static int word_goes_on(const struct tokenizer *t, size_t e)
{
    size_t k, k2;
    int next = word_start(t, e, &k);
    if (next == K_LETTER || next == K_DIGIT || next == K_MARK)
        return 1;
    if (e + 1 < t->n && t->s[e] == '.' && is_digit(t->s[e + 1]))
        return 1;
    if (next == K_NONE && k && t->s[e] >= 0x80) {
        int32_t cp;
        decode(t->s + e, t->n - e, &cp);
        next = word_start(t, e + k, &k2);
        if (classify(cp) == K_IGNORE && (next == K_LETTER || next == K_DIGIT || next == K_MARK))
            return 1;
    }
    size_t h = hyphen_at(t, e);
    next = h ? word_start(t, e + h, &k2) : K_NONE;
    return next == K_LETTER || next == K_DIGIT;
}

/* An arXiv id at i, with or without "arXiv:" before it: emitted as one token. Returns the byte
 * after it, or 0 if there is none. */
static size_t scan_id(struct tokenizer *t, size_t i)
{
    const unsigned char *s = t->s;
    size_t j = i, k, len;
    char *out = t->buf;
    if (t->n - i > 6 && lower(s[i]) == 'a' && lower(s[i + 1]) == 'r' && lower(s[i + 2]) == 'x' &&
        lower(s[i + 3]) == 'i' && lower(s[i + 4]) == 'v' && s[i + 5] == ':')
        j = i + 6;
    if (j < t->n && is_digit(s[j]))
        k = match_new_id(s, t->n, j, out, &len);
    else
        k = match_old_id(s, t->n, j, out, &len);
    if (!k)
        return 0;
    /* The id must end where its word does: 2503.11731.5, 2503.11731é and 2503.11731-based are
     * words (and a compound) of their own, as they are when they follow a hyphen. */
    if (word_goes_on(t, j + k))
        return 0;
    out[len] = 0;
    emit(t, out, len, t->pos++, (uint32_t)i, (uint32_t)(j + k), 0);
    return j + k;
}

/* --- compounds and O(...) --- */

static void scan_range(struct tokenizer *t, size_t i, int allow_bigo);

/* After the word "o" (or theta, omega): O(n log n) -> the compound o(nlogn) at the position of
 * "o", then "o" and the words inside. Returns the byte after ')' or 0 if this is not one. */
static size_t scan_bigo(struct tokenizer *t, const struct atom *a, size_t i)
{
    const unsigned char *s = t->s;
    const size_t n = t->n;
    while (i < n && s[i] == '}') /* \mathcal{O}(n) */
        i++;
    if (i + 6 <= n && !memcmp(s + i, "\\left(", 6))
        i += 5;
    if (i >= n || s[i] != '(')
        return 0;
    size_t lp = i, depth = 0, len = 0, n_alnum = 0;
    char *out = t->buf;
    for (size_t c = 0; c < a->len && len < TOKEN_MAX; c++)
        out[len++] = a->term[c];
    for (i = lp; i < n && i - lp <= BIGO_MAX; i++) {
        unsigned c = s[i];
        if (c == '\\') {
            size_t j = i + 1;
            while (j < n && is_alpha(s[j]))
                j++;
            if (j == i + 1) {
                if (j < n && s[j] && strchr(",;:! ", s[j])) {
                    i = j;
                    continue;
                }
                return 0;
            }
            if (!is_dropped_cmd(s + i + 1, j - i - 1)) {
                n_alnum++;
                for (size_t k = i + 1; k < j && len < TOKEN_MAX; k++)
                    out[len++] = (char)lower(s[k]);
            }
            i = j - 1;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '{' || c == '}')
            continue;
        if (c == '(' && ++depth > BIGO_DEPTH)
            return 0;
        if (is_alnum(c))
            n_alnum++;
        else if (!c || !strchr("()^*+-/.,|!_", (int)c))
            return 0;
        if (len < TOKEN_MAX)
            out[len++] = (char)lower(c);
        if (c == ')' && --depth == 0)
            break;
    }
    if (i >= n || s[i] != ')' || depth || !n_alnum)
        return 0;
    size_t rp = i;
    out[len] = 0;
    emit(t, out, len, t->pos, a->start, (uint32_t)(rp + 1), TOKEN_COMPOUND);
    emit_word(t, a);
    size_t saved = t->n;
    t->n = rp;
    scan_range(t, lp + 1, 0);
    t->n = saved;
    return rp + 1;
}

/* Emits the words scanned into t->atoms, which end at byte i: one word as it is, two or more
 * (GPT-4, state-of-the-art) as a compound of their folded, unstemmed terms joined by '-' and
 * then each word. Returns the byte where scanning goes on. */
static size_t finish_words(struct tokenizer *t, size_t i, int allow_bigo)
{
    if (t->n_atoms == 0)
        return i;
    struct atom *a = t->atoms;
    if (t->n_atoms == 1) {
        if (allow_bigo &&
            ((a->len == 1 && a->term[0] == 'o') ||
             (a->len == 5 && (!memcmp(a->term, "theta", 5) || !memcmp(a->term, "omega", 5))))) {
            size_t k = scan_bigo(t, a, i);
            if (k)
                return k;
        }
        emit_word(t, a);
        return i;
    }
    char *out = t->buf;
    size_t len = 0;
    for (size_t w = 0; w < t->n_atoms && len < TOKEN_MAX; w++) {
        if (w)
            out[len++] = '-';
        size_t k = utf8_cut(a[w].term, a[w].len, TOKEN_MAX - len);
        memcpy(out + len, a[w].term, k);
        len += k;
    }
    while (len > 0 && out[len - 1] == '-')
        len--;
    out[len] = 0;
    emit(t, out, len, t->pos, a[0].start, a[t->n_atoms - 1].end, TOKEN_COMPOUND);
    for (size_t w = 0; w < t->n_atoms; w++)
        emit_word(t, &t->atoms[w]);
    return i;
}

/* The words starting at i, joined by hyphens in prose. */
static size_t scan_words(struct tokenizer *t, size_t i, int allow_bigo)
{
    if (t->mode == TOKEN_TEXT && is_alnum(t->s[i])) {
        size_t k = scan_id(t, i);
        if (k)
            return k;
    }
    t->n_atoms = 0;
    for (;;) {
        struct atom *a = atom_push(t);
        size_t start = i;
        i = scan_atom(t, i, a);
        if (!a->len)
            t->n_atoms--;
        if (t->mode != TOKEN_TEXT || i == start)
            break;
        size_t h = hyphen_at(t, i), k;
        int next = h ? word_start(t, i + h, &k) : K_NONE;
        if (next == K_NONE || next == K_IDEO || next == K_MARK)
            break;
        i += h;
    }
    return finish_words(t, i, allow_bigo);
}

/* A LaTeX command at i: a letter (\"o, \ss) starts a word; a formatting command is dropped;
 * any other command is the word of its name (\beta -> beta); \ before anything else is a
 * separator. */
static size_t scan_command(struct tokenizer *t, size_t i, int allow_bigo)
{
    const unsigned char *s = t->s;
    char tmp[4];
    size_t tl, j = i + 1;
    if (latex_letter(s + i, t->n - i, tmp, &tl))
        return scan_words(t, i, allow_bigo);
    while (j < t->n && is_alpha(s[j]))
        j++;
    if (j == i + 1)
        return i + 1;
    if (is_dropped_cmd(s + i + 1, j - i - 1))
        return j;
    t->n_atoms = 0;
    struct atom *a = atom_push(t);
    size_t len = j - i - 1 < TOKEN_MAX ? j - i - 1 : TOKEN_MAX;
    for (size_t k = 0; k < len; k++)
        a->term[k] = (char)lower(s[i + 1 + k]);
    a->term[len] = 0;
    a->len = (uint8_t)len;
    a->no_stem = 0;
    a->hash = hash(a->term, a->len);
    a->start = (uint32_t)i;
    a->end = (uint32_t)j;
    return finish_words(t, j, allow_bigo);
}

/* Prose and names: everything from i to t->n. */
static void scan_range(struct tokenizer *t, size_t i, int allow_bigo)
{
    const unsigned char *s = t->s;
    while (i < t->n && !t->is_stopped) {
        unsigned c = s[i];
        size_t next = i + 1, k;
        if (c < 0x80) {
            if (is_alnum(c))
                next = scan_words(t, i, allow_bigo);
            else if (c == '\\')
                next = scan_command(t, i, allow_bigo);
            else if (c == '{' && word_start(t, i, &k) == K_LETTER)
                next = scan_words(t, i, allow_bigo);
        } else if (word_start(t, i, &k) != K_NONE) {
            next = scan_words(t, i, allow_bigo);
        } else if (k) {
            next = i + k;
        }
        i = next > i ? next : i + 1;
    }
}

/* Categories and ids: ASCII lower-casing, split on white space (and control characters and
 * invalid UTF-8). */
static void scan_codes(struct tokenizer *t)
{
    const unsigned char *s = t->s;
    size_t i = 0;
    while (i < t->n && !t->is_stopped) {
        size_t start = i, len = 0, k = 0;
        while (i < t->n && s[i] > 0x20 && s[i] != 0x7F) {
            k = text_utf8_seq(s + i, t->n - i);
            if (!k)
                break;
            /* copy while everything so far fitted: the term is a prefix of the word */
            if (len + k <= TOKEN_MAX && len == i - start) {
                for (size_t j = 0; j < k; j++)
                    t->buf[len + j] = (char)lower(s[i + j]);
                len += k;
            }
            i += k;
        }
        if (len) {
            t->buf[len] = 0;
            emit(t, t->buf, len, t->pos++, (uint32_t)start, (uint32_t)i, 0);
        }
        if (i == start)
            i++;
    }
}

uint32_t tokenizer_run(struct tokenizer *t, enum token_mode mode, const char *text, size_t len,
                       uint32_t pos0, token_fn fn, void *ctx)
{
    t->s = (const unsigned char *)text;
    t->n = len < UINT32_MAX ? len : UINT32_MAX; /* offsets are 32-bit; fields are far smaller */
    t->mode = mode;
    t->pos = pos0;
    t->pos_after = pos0;
    t->fn = fn;
    t->ctx = ctx;
    t->is_stopped = 0;
    if (mode == TOKEN_CODES)
        scan_codes(t);
    else
        scan_range(t, 0, mode == TOKEN_TEXT);
    /* Every position is taken by a token, so the two differ only when the callback stopped. */
    return t->is_stopped ? t->pos_after : t->pos;
}
