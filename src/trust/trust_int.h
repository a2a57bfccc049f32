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

/* SHA-256 and SHA-512 of a file in one pass, as lower-case hex. */
tl_err tl__hash_file2(const char *path, char h256[64 + 1], char h512[128 + 1]);

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

/* ---- TPM 2.0 attestation structures (tpm_attest.c, attest_tpm.c) ------- */

/* TPM 2.0 Part 2 constants we read or write. */
#define TL__TPM_GENERATED_VALUE 0xff544347u
#define TL__TPM_ST_ATTEST_QUOTE 0x8018u
#define TL__TPM_ALG_SHA1 0x0004u
#define TL__TPM_ALG_SHA256 0x000Bu
#define TL__TPM_ALG_SHA384 0x000Cu
#define TL__TPM_ALG_SHA512 0x000Du
#define TL__TPM_ALG_RSASSA 0x0014u
#define TL__TPM_ALG_RSAPSS 0x0016u
#define TL__TPM_ALG_ECDSA 0x0018u
/* Limits of the structures (TPM 2.0 Part 2; tpm2-tss's sizes). */
#define TL__TPM_MAX_NAME 68        /* TPMU_NAME: a TPMT_HA (2 + 64) or a handle */
#define TL__TPM_MAX_DIGEST 64      /* TPMU_HA */
#define TL__TPM_MAX_SELECTIONS 16  /* TPML_PCR_SELECTION: HASH_COUNT */
#define TL__TPM_PCR_SELECT_MAX 4   /* octets of a pcrSelect bitmap */
#define TL__TPM_MAX_RSA_SIG 512    /* TPM2B_PUBLIC_KEY_RSA: 4096 bits */
#define TL__TPM_MAX_ECC_PARAM 128  /* TPM2B_ECC_PARAMETER */
#define TL__TPM_NUM_PCRS 24        /* PCRs we select: 0..23, one bank */

typedef struct {
	uint16_t hash;  /* TPMI_ALG_HASH of the bank */
	uint32_t mask;  /* bit i: PCR i selected (pcrSelect octets, little-endian bits) */
} tl__tpm_pcr_selection;

/* A TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE, decoded. */
typedef struct {
	uint32_t magic;
	uint16_t type;
	uint8_t signer[TL__TPM_MAX_NAME];    /* qualifiedSigner (TPM2B_NAME) */
	size_t signer_len;
	uint8_t extra[TL__TPM_MAX_DIGEST];   /* extraData (TPM2B_DATA) */
	size_t extra_len;
	uint64_t clock;                      /* TPMS_CLOCK_INFO */
	uint32_t reset_count, restart_count;
	uint8_t safe;
	uint64_t firmware_version;
	tl__tpm_pcr_selection sel[TL__TPM_MAX_SELECTIONS]; /* TPMS_QUOTE_INFO.pcrSelect */
	size_t nsel;
	uint8_t pcr_digest[TL__TPM_MAX_DIGEST]; /* TPMS_QUOTE_INFO.pcrDigest */
	size_t pcr_digest_len;
} tl__tpm_quote;

/* A TPMT_SIGNATURE of an RSA or ECDSA scheme, decoded. */
typedef struct {
	uint16_t sig_alg;  /* TL__TPM_ALG_RSASSA, _RSAPSS or _ECDSA */
	uint16_t hash;     /* the scheme's TPMI_ALG_HASH */
	uint8_t a[TL__TPM_MAX_RSA_SIG]; /* RSA: the signature; ECDSA: r */
	size_t a_len;
	uint8_t b[TL__TPM_MAX_ECC_PARAM]; /* ECDSA: s */
	size_t b_len;
} tl__tpm_signature;

/*
 * Decodes a marshalled TPMS_ATTEST (untrusted bytes; name for messages):
 * every size bounded by its TPM 2.0 limit, no trailing bytes.  Only the
 * quote type (TPM_ST_ATTEST_QUOTE) is decoded; the magic is read, not
 * judged (the caller says "not generated by a TPM").  TL_EPARSE
 * "<name>: offset N: ..." otherwise; *out is then unspecified.
 */
tl_err tl__tpm_quote_parse(tl__tpm_quote *out, const uint8_t *p, size_t len, const char *name);

/* Decodes a marshalled TPMT_SIGNATURE (RSASSA, RSAPSS, ECDSA; untrusted
 * bytes) exactly; other schemes are TL_EUNSUPPORTED, bad bytes TL_EPARSE. */
tl_err tl__tpm_signature_parse(tl__tpm_signature *out, const uint8_t *p, size_t len,
                               const char *name);

/* OpenSSL digest name of a TPM hash algorithm (SHA-256/384/512), NULL for others. */
const char *tl__tpm_hash_name(uint16_t alg);

/* Name of a TPM algorithm id for messages ("sha256", "ecdsa", "0x0005"). */
const char *tl__tpm_alg_name(uint16_t alg, char buf[8]);

/*
 * Verifies sig over the TPMS_ATTEST bytes with the public key k: the
 * scheme's hash of attest, then ECDSA, RSASSA-PKCS1-v1_5 or RSA-PSS (any
 * salt length).  TL_ECHECK with the reason when it does not verify or the
 * key does not fit the scheme ("wrong key type").
 */
tl_err tl__tpm_signature_verify(const tl__tpm_signature *sig, const tl_key *k,
                                const uint8_t *attest, size_t len);

/* The persistent handle of a "tpm2:handle=0x..." URI; TL_EUNSUPPORTED for
 * a key blob (a quote needs a handle), TL_EINVAL for anything else. */
tl_err tl__tpm2_uri_handle(const char *uri, uint32_t *handle);

/*
 * TPM2_Quote with the key at handle over the sha256-bank PCRs in mask,
 * qualifyingData = qual (qual_len <= 64), through tpm2-tss (tcti: a TCTI
 * configuration string, NULL for the default).  Appends the TPMS_ATTEST
 * and the marshalled TPMT_SIGNATURE, and the values of the selected PCRs
 * read after the quote (pcrs[i] for PCR i); their digest is checked
 * against the quote's pcrDigest (read again if a PCR changed meanwhile).
 * Opens and closes its own TPM connection.
 */
tl_err tl__tpm2_quote(tl_buf *attest, tl_buf *sig, uint8_t pcrs[TL__TPM_NUM_PCRS][32],
                      uint32_t handle, const char *tcti, uint32_t mask, const uint8_t *qual,
                      size_t qual_len);

/*
 * The checks of an attestation after the envelope's signature verified:
 * payload is the in-toto statement (untrusted bytes), pub the device key.
 * Fills rep; TL_ECHECK with the reason on any failed check.
 */
tl_err tl__attest_check_payload(tl_attest_report *rep, const uint8_t *payload, size_t len,
                                const tl_key *pub, const tl_attest_expect *exp,
                                const char *name, const tl_json_limits *lim);
/* ---- signing X.509 objects with a tl_key (x509_sign.c) ----------------- */

/* Signs *x (taken) with k; on success *x is replaced by the signed object
 * (verified with k's public half).  On error *x is unchanged. */
tl_err tl__x509_sign(X509 **x, tl_key *k);
tl_err tl__x509_crl_sign(X509_CRL **c, tl_key *k);
tl_err tl__x509_req_sign(X509_REQ **r, tl_key *k);

#endif
