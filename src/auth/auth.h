/* Passwords, session and API tokens, CSRF tokens: the only code that includes <sodium.h>.
 * Passwords are stored as libsodium's Argon2id strings (salt and cost inside); session and API
 * tokens are 32 random bytes the client holds (base64url) and the store keeps only their
 * BLAKE2b hash; a CSRF token is a keyed BLAKE2b MAC of the client's session secret under the
 * server's secret key. All functions are thread-safe after auth_init. */
#ifndef PB_AUTH_AUTH_H
#define PB_AUTH_AUTH_H
#include <stddef.h>

#include "../util/err.h"

#define AUTH_HASH_LEN 128  /* room for an encoded password hash, NUL included */
#define AUTH_TOKEN_LEN 44  /* base64url of 32 bytes (43 chars) + NUL */
#define AUTH_HEX_LEN 65    /* 32 bytes as hex + NUL */
#define AUTH_PASSWORD_MIN 8
#define AUTH_PASSWORD_MAX 256

/* Initialise libsodium; 0 or PB_EIO. Call once before anything else. */
PB_MUST_CHECK int auth_init(void);
/* Argon2id hash of a password (AUTH_PASSWORD_MIN..MAX bytes, else PB_EINVAL) into out. */
PB_MUST_CHECK int auth_password_hash(const char *password, char out[AUTH_HASH_LEN]);
/* 0 if password matches the stored hash, PB_EINVAL otherwise. */
PB_MUST_CHECK int auth_password_check(const char *hash, const char *password);
/* A fresh random token (base64url, no padding). */
void auth_token_new(char out[AUTH_TOKEN_LEN]);
/* The hash of a token as the store keeps it (hex). */
void auth_token_hash(const char *token, char out[AUTH_HEX_LEN]);
/* A fresh random server key as hex (kept in the store's meta table). */
void auth_key_new(char out[AUTH_HEX_LEN]);
/* The CSRF token for a client secret (session token or anonymous cookie) under key_hex. */
void auth_csrf(const char *key_hex, const char *client_secret, char out[AUTH_HEX_LEN]);
/* A keyed MAC (BLAKE2b under key_hex) of msg in a named scope, as hex: the stateless tokens of
 * mail links (confirm, unsubscribe, manage). A token made for one scope is worthless in another;
 * changing the server key invalidates every token. */
void auth_mac(const char *key_hex, const char *scope, const char *msg, char out[AUTH_HEX_LEN]);
/* Constant-time comparison of two NUL-terminated strings: 1 if equal. */
int auth_equal(const char *a, const char *b);

#endif
