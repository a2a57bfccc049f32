/*
 * Internal interface of the trust module: key backends behind one vtable.
 *
 * A key URI names its backend by scheme ("file:", "pkcs11:", ...); a
 * string without a scheme is a file path.  Each backend fills in the
 * public key (always held in software: verification never needs the
 * backend) and signs through its own route, so private keys in an HSM or
 * TPM never leave it.
 */
#ifndef TL_TRUST_INT_H
#define TL_TRUST_INT_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/core_int.h"
#include "trustline/trust.h"

typedef struct tl__key_backend tl__key_backend;

/* OpenSSL contexts set up once per key and reused, as `openssl speed`
 * does: the per-call set-up cost about 10 % of a P-256 verification. */
typedef struct {
	EVP_MD_CTX *md;   /* Ed25519: one-shot DigestSign/DigestVerify context */
	EVP_PKEY_CTX *pk; /* ECDSA, RSA-PSS: sign/verify over a SHA-256 digest */
} tl__evp_ops;

/* A tl_key is not for concurrent use from several threads (the cached
 * contexts change on every operation). */
struct tl_key {
	const tl__key_backend *be; /* NULL: a public key only */
	tl_key_type type;
	EVP_PKEY *pub;             /* owned; always set */
	void *state;               /* owned by the backend, freed by its close */
	tl__evp_ops vops, sops;    /* verify, sign (software keys) */
	EVP_MD *sha256;            /* fetched once */
};

struct tl__key_backend {
	const char *scheme; /* without the ':' */
	/* Opens the key named by uri (the whole URI, borrowed): sets k->type,
	 * k->pub and k->state. */
	tl_err (*open)(tl_key *k, const char *uri);
	/* Creates a new key of type at uri, then as open. */
	tl_err (*generate)(tl_key *k, const char *uri, tl_key_type type);
	/* Appends the signature of msg to sig (encodings as tl_key_sign). */
	tl_err (*sign)(tl_key *k, const uint8_t *msg, size_t len, tl_buf *sig);
	/* Releases k->state. */
	void (*close)(tl_key *k);
};

extern const tl__key_backend tl__key_backend_file;
extern const tl__key_backend tl__key_backend_pkcs11;
extern const tl__key_backend tl__key_backend_tpm2;

/* Type of an EVP key, TL_KEY_NONE if not one we support (and a message). */
tl_key_type tl__key_type_of(EVP_PKEY *pkey, const char *name);

/* Signs with an EVP private key in software (file backend), through k's
 * cached signing contexts. */
tl_err tl__evp_sign(tl_key *k, EVP_PKEY *priv, const uint8_t *msg, size_t len, tl_buf *sig);

/* SHA-256 of msg into out (32 bytes) with k's fetched digest. */
tl_err tl__key_sha256(tl_key *k, const uint8_t *msg, size_t len, uint8_t out[32]);

/* Outcome of a signature check, finer than tl_err, for DSSE's reasons. */
typedef enum {
	TL__SIG_BAD = 0,   /* a well-shaped signature that does not verify */
	TL__SIG_SHAPE = 1, /* size/shape cannot belong to this key type */
	TL__SIG_OK = 2,
} tl__sig_result;

/* Verifies; on TL__SIG_BAD or TL__SIG_SHAPE the message says why. Returns
 * an error only for internal failures (out of memory). */
tl_err tl__key_verify(tl__sig_result *res, const tl_key *k, const uint8_t *msg, size_t len,
                      const uint8_t *sig, size_t sig_len, tl_sig_encoding enc);

/*
 * Splits a key URI: *scheme_len is the length of the scheme before ':'
 * (0 for a plain path).  Schemes are [a-z][a-z0-9+.-]* and must come
 * before any '/'.
 */
size_t tl__uri_scheme_len(const char *uri);

/*
 * Path of a file key URI (a plain path, or "file:" + path, "file://" +
 * ["localhost"] + absolute path, with %XX decoded).  *out is new.
 */
tl_err tl__file_uri_path(char **out, const char *uri);

/* Writes data to path, mode 0600, whole or not at all (a temporary file
 * and link(2)), never replacing an existing file (TL_EINVAL). */
tl_err tl__write_new_file(const char *path, const void *data, size_t len);

/* Whole-file read that wipes the buffer (for secrets) on error. */
void tl__buf_wipe(tl_buf *b);

/* ---- X.509 readers (x509.c); name is for messages ---------------------- */

/* Certificates from PEM blocks or one DER certificate, at most max. */
tl_err tl__x509_parse_certs(STACK_OF(X509) **out, const void *data, size_t len,
                            const char *name, size_t max);
/* Exactly one certificate (PEM or DER). */
tl_err tl__x509_parse_cert(X509 **out, const void *data, size_t len, const char *name);
tl_err tl__x509_load_cert(X509 **out, const char *path);
tl_err tl__x509_load_certs(STACK_OF(X509) **out, const char *path, size_t max);
/* Appends the CRLs (PEM blocks or one DER CRL) to sk (borrowed), at most
 * TL_X509_MAX_CRLS in sk. */
tl_err tl__x509_parse_crls(STACK_OF(X509_CRL) *sk, const void *data, size_t len,
                           const char *name);
/* Exactly one PKCS#10 request (PEM or DER); its signature is not checked. */
tl_err tl__x509_parse_csr(X509_REQ **out, const void *data, size_t len, const char *name);
/* A distinguished name as RFC 2253 text, printable ASCII only, truncated to cap. */
void tl__x509_name(char *out, size_t cap, const X509_NAME *nm);

/* ---- signing X.509 objects with a tl_key (x509_sign.c) ----------------- */

/* Signs *x (taken) with k; on success *x is replaced by the signed object
 * (verified with k's public half).  On error *x is unchanged. */
tl_err tl__x509_sign(X509 **x, tl_key *k);
tl_err tl__x509_crl_sign(X509_CRL **c, tl_key *k);
tl_err tl__x509_req_sign(X509_REQ **r, tl_key *k);

#endif
