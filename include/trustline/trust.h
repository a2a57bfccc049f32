/*
 * trustline trust: keys named by URI (files, PKCS#11 tokens and TPM 2.0
 * behind one interface; docs/signing.md), DSSE v1 envelopes, in-toto
 * Statement v1.
 *
 * Ownership: a tl_key is opaque and freed by tl_key_free().  Structs
 * returned by the parsers own every pointer they hold and are freed by
 * their _free function.  Verification functions return TL_OK only when
 * every check passed; a failed check is TL_ECHECK with the reason in
 * tl_error_last(); malformed input is TL_EPARSE/TL_ELIMIT.
 */
#ifndef TRUSTLINE_TRUST_H
#define TRUSTLINE_TRUST_H

#include <stdbool.h>

#include "common.h"
#include "core.h"

/* ---- keys --------------------------------------------------------------- */

typedef enum {
	TL_KEY_NONE = 0,
	TL_KEY_ED25519 = 1, /* pure Ed25519 (RFC 8032) */
	TL_KEY_P256 = 2,    /* ECDSA over NIST P-256 with SHA-256 */
	TL_KEY_RSA3072 = 3, /* RSA-3072, RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32 */
} tl_key_type;

typedef struct tl_key tl_key;

/* Length of a key id in hex, without the NUL. */
#define TL_KEY_ID_HEX_LEN 64

/* Name of a key type ("ed25519", "p256", "rsa3072"); "none" for others. */
TL_EXTERN const char *tl_key_type_name(tl_key_type t);
/* Parses a key type name; TL_EINVAL for an unknown name. */
TL_EXTERN tl_err tl_key_type_parse(tl_key_type *out, const char *name);

/*
 * Creates a new private key of the given type at uri (borrowed) and
 * returns it in *out (caller frees).  uri is a path or "file:" URI (PKCS#8
 * PEM, mode 0600, written atomically), a "pkcs11:" URI (RFC 7512; a key
 * pair in the token, sensitive and not extractable) or "tpm2:file=PATH"
 * (the TPM-wrapped blob).  An existing key is never overwritten
 * (TL_EINVAL).  Unknown schemes and types a backend cannot make give
 * TL_EUNSUPPORTED.
 */
TL_EXTERN tl_err tl_key_generate(tl_key **out, const char *uri, tl_key_type type);

/*
 * Opens the private key named by uri (borrowed) for signing; *out is new
 * (caller frees).  Errors: TL_EIO (cannot read), TL_EPARSE (not a key),
 * TL_EUNSUPPORTED (key type or URI scheme not supported).
 */
TL_EXTERN tl_err tl_key_open(tl_key **out, const char *uri);

/*
 * Reads a public key for verification from bytes (borrowed): a PEM or DER
 * SubjectPublicKeyInfo, a PEM or DER X.509 certificate (its key is used),
 * or a PEM private key (its public half).  name is for messages.
 * TL_EPARSE if nothing usable; TL_EUNSUPPORTED for a key of another type.
 */
TL_EXTERN tl_err tl_key_from_public(tl_key **out, const void *data, size_t len, const char *name);
/* Same, read from a file path or "file:" URI. */
TL_EXTERN tl_err tl_key_load_public(tl_key **out, const char *uri);

TL_EXTERN void tl_key_free(tl_key *k);

TL_EXTERN tl_key_type tl_key_get_type(const tl_key *k);
/* True when the key can sign (a private key is available to its backend). */
TL_EXTERN bool tl_key_can_sign(const tl_key *k);

/* Appends the public key as PEM (SubjectPublicKeyInfo) to out. */
TL_EXTERN tl_err tl_key_public_pem(tl_buf *out, const tl_key *k);
/* Key id: lower-case hex SHA-256 of the DER SubjectPublicKeyInfo. */
TL_EXTERN tl_err tl_key_id(char out[TL_KEY_ID_HEX_LEN + 1], const tl_key *k);

/*
 * Signs msg with k and appends the signature to sig: Ed25519 64 bytes,
 * ECDSA DER (SEQUENCE of r, s) over SHA-256, RSA-PSS over SHA-256.
 */
TL_EXTERN tl_err tl_key_sign(tl_buf *sig, tl_key *k, const void *msg, size_t len);

/* How an ECDSA signature is encoded (other key types ignore this). */
typedef enum {
	TL_SIG_DER = 0,   /* ASN.1 DER SEQUENCE { r, s } */
	TL_SIG_P1363 = 1, /* r || s, 32 bytes each */
	TL_SIG_AUTO = 2,  /* DER; a 64-byte value that is not DER is r || s */
} tl_sig_encoding;

/*
 * Verifies sig over msg with the public half of k.  TL_OK only when the
 * signature is valid; TL_ECHECK (with the reason) otherwise, including a
 * signature of the wrong size or shape for the key type.
 */
TL_EXTERN tl_err tl_key_verify(const tl_key *k, const void *msg, size_t len,
                               const void *sig, size_t sig_len, tl_sig_encoding enc);

/* ---- base64 ------------------------------------------------------------- */

/* Appends the standard base64 (with padding) of data to out. */
TL_EXTERN tl_err tl_base64_encode(tl_buf *out, const void *data, size_t len);
/*
 * Decodes standard or URL-safe base64 (padding optional, no whitespace,
 * unused bits zero) from s (len bytes) and appends to out.  TL_EPARSE on
 * anything else; the message names what (the caller prefixes the path).
 */
TL_EXTERN tl_err tl_base64_decode(tl_buf *out, const char *s, size_t len);

/* ---- DSSE v1 ------------------------------------------------------------ */

#define TL_DSSE_MAX_SIGNATURES 16
#define TL_DSSE_MAX_TYPE_LEN 1024
#define TL_DSSE_MAX_KEYID_LEN 1024
#define TL_DSSE_MAX_SIG_LEN 4096
#define TL_INTOTO_PAYLOAD_TYPE "application/vnd.in-toto+json"

typedef struct {
	char *keyid;    /* NULL when absent */
	uint8_t *sig;
	size_t sig_len;
} tl_dsse_signature;

typedef struct {
	char *payload_type;
	uint8_t *payload;
	size_t payload_len;
	tl_dsse_signature *sigs;
	size_t nsigs;
} tl_dsse_envelope;

/*
 * Appends PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP
 * body, LEN in ASCII decimal, to out.
 */
TL_EXTERN tl_err tl_dsse_pae(tl_buf *out, const char *type, size_t type_len,
                             const void *body, size_t body_len);

/*
 * Parses an envelope (JSON, borrowed bytes) strictly: payloadType a
 * string, payload base64, signatures a non-empty array of {keyid?, sig}
 * objects (at most TL_DSSE_MAX_SIGNATURES), no other members.  *out is
 * new (caller frees).  TL_EPARSE/TL_ELIMIT with "<name>: $.path: ...".
 */
TL_EXTERN tl_err tl_dsse_parse(tl_dsse_envelope **out, const char *data, size_t len,
                               const char *name, const tl_json_limits *lim);
TL_EXTERN void tl_dsse_envelope_free(tl_dsse_envelope *env);

/*
 * Signs payload with key (borrowed) and appends the envelope JSON (keys
 * sorted, one signature, keyid = tl_key_id) to out.
 */
TL_EXTERN tl_err tl_dsse_sign(tl_buf *out, tl_key *key, const char *payload_type,
                              const void *payload, size_t len);

/*
 * Verifies env with pub: TL_OK when some signature verifies over the PAE.
 * Fails closed with TL_ECHECK and one of the reasons: "bad signature by
 * key <id>" (a signature naming this key does not verify), "wrong key
 * type" (a signature has the wrong size/shape for the key), "no signature
 * by key <id>" (otherwise).  If which is not NULL it receives the index
 * of the signature that verified.
 */
TL_EXTERN tl_err tl_dsse_verify(const tl_dsse_envelope *env, const tl_key *pub, size_t *which);

/* ---- in-toto Statement v1 ----------------------------------------------- */

#define TL_INTOTO_STATEMENT_V1 "https://in-toto.io/Statement/v1"
#define TL_INTOTO_STATEMENT_V01 "https://in-toto.io/Statement/v0.1"
#define TL_PREDICATE_CYCLONEDX "https://cyclonedx.org/bom"
#define TL_PREDICATE_SPDX "https://spdx.dev/Document"
#define TL_PREDICATE_SLSA_PROVENANCE "https://slsa.dev/provenance/v1"
/* Ours: "the signer vouches for these subjects"; predicate {} (docs/signing.md). */
#define TL_PREDICATE_ARTIFACT "https://trustline.dev/attestation/artifact/v1"
#define TL_STATEMENT_MAX_SUBJECTS 10000

typedef struct {
	char *name;                /* may be NULL (the field is optional) */
	char sha256[64 + 1];       /* lower-case hex, "" when absent */
	char sha512[128 + 1];      /* lower-case hex, "" when absent */
} tl_statement_subject;

typedef struct {
	char *type;                /* _type */
	tl_statement_subject *subjects;
	size_t nsubjects;
	char *predicate_type;
	json_t *predicate;         /* owned reference; NULL when absent */
} tl_statement;

/*
 * Parses a Statement (borrowed JSON bytes): _type v1 (v0.1 accepted),
 * subject a non-empty array of {name?, digest{alg: hex}} (sha256/sha512
 * must be hex of the right length; other algorithms are ignored but must
 * be strings), predicateType a non-empty string, predicate an object if
 * present.  Errors name the JSON path.
 */
TL_EXTERN tl_err tl_statement_parse(tl_statement **out, const char *data, size_t len,
                                    const char *name, const tl_json_limits *lim);
TL_EXTERN void tl_statement_free(tl_statement *st);

/*
 * Appends a Statement v1 JSON to out whose subject is artifact_path
 * (its base name, SHA-256 and SHA-512), with predicate_type and
 * predicate (borrowed; NULL: an empty object).
 */
TL_EXTERN tl_err tl_statement_build(tl_buf *out, const char *artifact_path,
                                    const char *predicate_type, const json_t *predicate);

/*
 * Maps a short predicate name (cyclonedx, spdx, slsa-provenance) to its
 * URI; a string containing ':' is returned as is.  NULL if unknown.
 */
TL_EXTERN const char *tl_predicate_type_uri(const char *name);

/*
 * Checks that some subject of st matches the file at path: every
 * sha256/sha512 digest the subject carries must equal the file's and it
 * must carry at least one.  TL_ECHECK "digest mismatch" otherwise.
 */
TL_EXTERN tl_err tl_statement_match_artifact(const tl_statement *st, const char *path);

/* ---- X.509 certificates (RFC 5280) -------------------------------------- */

/* Largest certificate, bundle, CRL or CSR file the X.509 readers accept. */
#define TL_X509_MAX_FILE ((size_t)16 << 20)
/* Most certificates in a roots or untrusted bundle. */
#define TL_X509_MAX_CERTS 1000
/* Most CRLs in one verification (over all CRL files). */
#define TL_X509_MAX_CRLS 1000

/*
 * Validates the certificate path of the certificate at cert_path (PEM or
 * DER, exactly one) with OpenSSL's X509_verify_cert: roots_path is a PEM
 * bundle of trust anchors (the only anchors: a chain must end at one of
 * them); untrusted_path (NULL: none) a PEM bundle of intermediate CAs
 * that may be used to build the chain but are not trusted; crl_path
 * (NULL: no revocation check) a PEM or DER file of CRLs: then every
 * certificate in the chain below the anchor is checked against a CRL from
 * its issuer, and a missing CRL fails (fail closed).  Validity is checked
 * at time at (seconds since the epoch; 0: now).  The leaf must not be a
 * CA and, if it has a keyUsage extension, allow digitalSignature.  All
 * paths are borrowed.
 *
 * On success *leaf_key is a new verify-only key of the leaf's public key
 * (caller frees with tl_key_free).  Errors: TL_ECHECK when the path does
 * not validate, with "<cert>: <reason>: <detail>" where reason is one of
 * expired, not yet valid, revoked, unknown issuer, bad signature, bad CRL
 * signature, no CRL, CRL out of date, key usage, wrong key type, invalid;
 * TL_EIO (unreadable file), TL_EPARSE (not a certificate/CRL), TL_ELIMIT.
 */
TL_EXTERN tl_err tl_x509_verify_cert(tl_key **leaf_key, const char *cert_path,
                                     const char *roots_path, const char *untrusted_path,
                                     const char *crl_path, int64_t at);

/*
 * As tl_x509_verify_cert with any number of CRL files: crl_paths holds
 * ncrls borrowed paths (0: no revocation check).
 */
TL_EXTERN tl_err tl_x509_verify_chain(tl_key **leaf_key, const char *cert_path,
                                      const char *roots_path, const char *untrusted_path,
                                      const char *const *crl_paths, size_t ncrls, int64_t at);

/* ---- device attestation (docs/attestation.md) --------------------------- */

/* Ours: the evidence of a device's software state, nonce-bound. */
#define TL_PREDICATE_DEVICE "https://trustline.dev/attestation/device/v1"
#define TL_ATTEST_MAX_NONCE 1024   /* bytes of printable ASCII */
#define TL_ATTEST_NUM_PCRS 24      /* PCRs 0..23 of the sha256 bank */
#define TL_ATTEST_DEFAULT_PCRS 0xffu /* PCRs 0-7: firmware and boot loader */

typedef struct {
	const char *nonce;    /* the verifier's challenge (required) */
	const char *firmware; /* path of the running firmware image, or NULL */
	const char *sbom;     /* path of its SBOM, or NULL (one of the two required) */
	uint32_t pcrs;        /* PCR selection, bit i = PCR i (0: default PCRs 0-7) */
	const char *tcti;     /* tpm2-tss TCTI for the quote; NULL: $TPM2OPENSSL_TCTI,
	                         else the system TPM */
} tl_attest_params;

/*
 * Builds the evidence and appends it to out: a DSSE envelope of an in-toto
 * Statement v1 (subjects: the firmware and SBOM files; predicate type
 * TL_PREDICATE_DEVICE) signed by the key at key_uri (borrowed).  With a
 * "tpm2:handle=" key the predicate carries a TPM2_Quote by that key over
 * the chosen sha256 PCRs with qualifyingData = SHA-256(nonce); other keys
 * give "quote": null.  The quote is taken before the key is opened for
 * signing, through a TPM connection of its own: the TPM simulator serves
 * one connection at a time, so no other TPM key may be open in this
 * process.  Errors: TL_EINVAL (nonce, no file), TL_EIO (files, TPM),
 * TL_EUNSUPPORTED (a TPM key blob: a quote needs a persistent handle).
 */
TL_EXTERN tl_err tl_attest_evidence(tl_buf *out, const char *key_uri, const tl_attest_params *p);

typedef struct {
	unsigned index;   /* 0..23 */
	uint8_t value[32]; /* sha256 bank */
} tl_attest_pcr;

typedef struct {
	const char *nonce;           /* required: must equal the evidence's */
	const char *expect_firmware; /* NULL or hex SHA-256 (64) / SHA-512 (128), any case */
	const char *expect_sbom;     /* same, for the SBOM */
	const tl_attest_pcr *expect_pcrs; /* each must be quoted with this value */
	size_t nexpect_pcrs;
	bool require_quote;          /* evidence without a quote fails */
} tl_attest_expect;

/* What a verified evidence says (caller-owned, nothing to free). */
typedef struct {
	char key_backend[16];             /* "file", "pkcs11", "tpm2" */
	bool has_firmware, has_sbom, has_quote;
	char firmware_sha256[64 + 1], sbom_sha256[64 + 1];
	tl_attest_pcr pcrs[TL_ATTEST_NUM_PCRS];
	size_t npcrs;
	uint64_t clock, firmware_version; /* from the quote's TPMS_ATTEST */
	uint32_t reset_count, restart_count;
	char quote_sig[32];               /* e.g. "ecdsa-sha256" */
} tl_attest_report;

/*
 * Verifies evidence env with the device key pub (borrowed; the caller has
 * validated its certificate): the envelope's signature, the predicate
 * type, the nonce, the subjects against the predicate, and the quote: a
 * TPMS_ATTEST of type quote with the TPM_GENERATED_VALUE magic, extraData
 * = SHA-256(nonce), a pcrDigest equal to the digest of the reported sha256
 * PCR values, signed by pub; then exp's expected digests and PCR values.
 * TL_OK only when every check passed; TL_ECHECK with the reason otherwise
 * (a malformed predicate or quote inside a signed envelope included).
 * rep (may be NULL) is filled as far as the checks got.
 */
TL_EXTERN tl_err tl_attest_verify(tl_attest_report *rep, const tl_dsse_envelope *env,
                                  const tl_key *pub, const tl_attest_expect *exp,
                                  const char *name, const tl_json_limits *lim);
/* ---- manufacturer CA (docs/pki.md) -------------------------------------- */

/* Length of a certificate serial in hex (128 bits), without the NUL. */
#define TL_CA_SERIAL_HEX_LEN 32

typedef struct {
	const char *root_subject;    /* "/O=Acme/CN=Acme Root CA"; NULL: "/CN=trustline root CA" */
	const char *issuing_subject; /* NULL: "/CN=trustline issuing CA" */
	unsigned days;               /* validity of both CA certificates; 0: 7300 */
	const char *crl_url;         /* CRL distribution point put in device certificates; NULL: none */
} tl_ca_init_opts;

/*
 * Creates a CA in dir (created if missing, mode 0700; refused if it already
 * holds ca.json): a self-signed root CA certificate for the key at
 * root_key_uri and an issuing CA certificate (pathlen 0) for the key at
 * issuing_key_uri signed by the root, both signed through the key
 * interface (any backend).  Strings are borrowed; o may be NULL.  Errors:
 * TL_EINVAL (bad subject, existing CA), TL_EIO, and tl_key_open's.
 */
TL_EXTERN tl_err tl_ca_init(const char *dir, const char *root_key_uri,
                            const char *issuing_key_uri, const tl_ca_init_opts *o);

typedef struct {
	const char *serial_number; /* device serial; NULL: the request's serialNumber */
	const char *product;       /* product/model (subject OU); NULL: the request's OU, if any */
	int64_t not_before;        /* 0: now */
	int64_t not_after;         /* 0: 99991231235959Z (802.1AR: no expiry) */
} tl_ca_issue_opts;

/*
 * Issues a device certificate (802.1AR IDevID profile, docs/pki.md) from
 * the PKCS#10 request in csr (PEM or DER, len bytes, borrowed; csr_name
 * for messages) with the issuing CA of dir, records it in the index and
 * certs/, and appends the certificate PEM to pem.  serial_out (may be
 * NULL) receives the certificate's serial in lower-case hex.  The
 * request's signature must verify and its key be ed25519, P-256 or
 * RSA-3072: TL_ECHECK "bad signature" / "wrong key type" otherwise, or
 * "serial mismatch" when o->serial_number differs from the request's.
 */
TL_EXTERN tl_err tl_ca_issue(tl_buf *pem, char serial_out[TL_CA_SERIAL_HEX_LEN + 1],
                             const char *dir, const void *csr, size_t len,
                             const char *csr_name, const tl_ca_issue_opts *o);

/* Parses an RFC 5280 CRLReason name ("keyCompromise", ...); TL_EINVAL if unknown. */
TL_EXTERN tl_err tl_ca_reason_parse(int *out, const char *name);

/*
 * Marks the certificate with serial (hex, case and leading zeros
 * ignored) issued by dir's root or issuing CA as revoked now, with the
 * CRLReason name reason (NULL: unspecified).  TL_ENOTFOUND if dir never
 * issued it; TL_EINVAL if already revoked.
 */
TL_EXTERN tl_err tl_ca_revoke(const char *dir, const char *serial, const char *reason);

/*
 * Appends two v2 CRLs (PEM) to pem: the issuing CA's (device
 * certificates) then the root's (the issuing CA), both with the next CRL
 * number, an authorityKeyIdentifier, each revoked entry's reason code,
 * and nextUpdate days from now (0: 30).  The CRL number is recorded
 * before returning, so no number is used twice.
 */
TL_EXTERN tl_err tl_ca_crl(tl_buf *pem, const char *dir, unsigned days);

/*
 * Builds a PKCS#10 request (PEM, appended to pem) on the device: subject
 * serialNumber=serial (PrintableString, at most 64) and OU=product (may
 * be NULL), public key and signature of the key at key_uri (any backend;
 * a TPM or token key signs inside it).
 */
TL_EXTERN tl_err tl_device_csr(tl_buf *pem, const char *key_uri, const char *serial,
                               const char *product);

#endif
