/* Passwords and tokens on libsodium (auth.h). */
#include "auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int auth_init(void)
{
    return sodium_init() < 0 ? PB_EIO : 0;
}

int auth_password_hash(const char *password, char out[AUTH_HASH_LEN])
{
    size_t n = strlen(password);
    if (n < AUTH_PASSWORD_MIN || n > AUTH_PASSWORD_MAX)
        return PB_EINVAL;
    _Static_assert(crypto_pwhash_STRBYTES <= AUTH_HASH_LEN, "hash buffer too small");
    /* INTERACTIVE limits (2 passes, 64 MiB): libsodium's choice for online logins. */
    if (crypto_pwhash_str(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return PB_EIO; /* out of memory */
    return 0;
}

int auth_password_check(const char *hash, const char *password)
{
    size_t n = strlen(password);
    if (n > AUTH_PASSWORD_MAX || !hash[0])
        return PB_EINVAL;
    return crypto_pwhash_str_verify(hash, password, n) == 0 ? 0 : PB_EINVAL;
}

void auth_token_new(char out[AUTH_TOKEN_LEN])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, AUTH_TOKEN_LEN, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void auth_token_hash(const char *token, char out[AUTH_HEX_LEN])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, AUTH_HEX_LEN, h, sizeof h);
}

void auth_key_new(char out[AUTH_HEX_LEN])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, AUTH_HEX_LEN, raw, sizeof raw);
}

static void mac(const char *key_hex, const char *domain, size_t domain_len, const char *msg,
                char out[AUTH_HEX_LEN])
{
    unsigned char key[32] = {0}, h[32];
    size_t key_len = 0;
    if (sodium_hex2bin(key, sizeof key, key_hex, strlen(key_hex), NULL, &key_len, NULL) != 0)
        key_len = 0;
    crypto_generichash_state st;
    crypto_generichash_init(&st, key_len ? key : NULL, key_len ? key_len : 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)domain, domain_len);
    crypto_generichash_update(&st, (const unsigned char *)msg, strlen(msg));
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, AUTH_HEX_LEN, h, sizeof h);
}

void auth_mac(const char *key_hex, const char *scope, const char *msg, char out[AUTH_HEX_LEN])
{
    /* "paperboy mail SCOPE\n": never equal to the CSRF domain, and a scope cannot contain the
     * newline that ends it, so two scopes never share a prefix. */
    char domain[96];
    int n = snprintf(domain, sizeof domain, "paperboy mail %s\n", scope);
    mac(key_hex, domain, n > 0 && (size_t)n < sizeof domain ? (size_t)n : 0, msg, out);
}

void auth_csrf(const char *key_hex, const char *client_secret, char out[AUTH_HEX_LEN])
{
    static const char domain[] = "paperboy csrf\n";
    mac(key_hex, domain, sizeof domain - 1, client_secret, out);
}

int auth_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b))
        return 0;
    return sodium_memcmp(a, b, n) == 0;
}
