/*
 * The manufacturer CA: a root CA, an issuing CA under it, device
 * certificates in the IEEE 802.1AR IDevID style, revocation and v2 CRLs
 * (RFC 5280).  Keys are tl_keys (file, PKCS#11, TPM 2.0); every
 * certificate and CRL is signed through the key interface.
 *
 * CA directory (docs/pki.md):
 *
 *   ca.json          configuration: key URIs, CRL URL (written once)
 *   root.pem         root CA certificate (self-signed)
 *   issuing.pem      issuing CA certificate (signed by the root)
 *   chain.pem        issuing.pem then root.pem
 *   index.json       every certificate issued (serial, issuer, subject,
 *                    validity, status, revocation time and reason) and
 *                    the last CRL number
 *   certs/SERIAL.pem each certificate issued, by lower-case hex serial
 *   lock             flock(2) held while a command changes the CA
 *
 * Every file is written whole (temporary file, fsync, rename), the index
 * last but before the result leaves the library, so a crash never leaves
 * an issued certificate the index does not know.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trust_int.h"

#define DEFAULT_DAYS 7300u
#define DEFAULT_CRL_DAYS 30u
#define MAX_INDEX ((size_t)256 << 20)
/* RFC 5280 upper bounds: serialNumber 64, organizationalUnitName 64. */
#define MAX_ATTR 64

static const char *const reasons[] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
	"cessationOfOperation", "certificateHold", NULL /* 7 unused */, "removeFromCRL",
	"privilegeWithdrawn", "aACompromise",
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

tl_err tl_ca_reason_parse(int *out, const char *name)
{
	for (size_t i = 0; i < NREASONS; i++) {
		if (reasons[i] && !strcmp(reasons[i], name) && i != 8 /* delta CRLs only */) {
			*out = (int)i;
			return TL_OK;
		}
	}
	return tl__error(TL_EINVAL, "unknown revocation reason '%s' (expected unspecified, "
	                 "keyCompromise, cACompromise, affiliationChanged, superseded, "
	                 "cessationOfOperation, certificateHold, privilegeWithdrawn, aACompromise)",
	                 name);
}

/* ---- paths, files, lock ------------------------------------------------- */

static tl_err path_of(tl_buf *out, const char *dir, const char *name)
{
	tl_buf_clear(out);
	if (tl_buf_printf(out, "%s/%s", dir, name) != TL_OK)
		return tl__nomem();
	return TL_OK;
}

static tl_err write_file(const char *dir, const char *name, const tl_buf *data)
{
	tl_buf p = TL_BUF_INIT;
	tl_err err;

	if ((err = path_of(&p, dir, name)) == TL_OK)
		err = tl_file_write_atomic(p.ptr, data->ptr, data->len);
	tl_buf_dispose(&p);
	return err;
}

static tl_err lock_dir(int *fd, const char *dir)
{
	tl_buf p = TL_BUF_INIT;
	tl_err err;

	*fd = -1;
	if ((err = path_of(&p, dir, "lock")) != TL_OK)
		return err;
	if ((*fd = open(p.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 || flock(*fd, LOCK_EX) != 0) {
		err = tl__error(TL_EIO, "%s: cannot lock: %s", p.ptr, strerror(errno));
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	tl_buf_dispose(&p);
	return err;
}

static void unlock_dir(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

static tl_err pem_cert(tl_buf *out, X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;
	tl_err err = TL_OK;

	if (!bio || PEM_write_bio_X509(bio, x) != 1 || (n = BIO_get_mem_data(bio, &p)) <= 0)
		err = tl__nomem();
	else
		err = tl_buf_put(out, p, (size_t)n);
	BIO_free(bio);
	return err;
}

static tl_err pem_crl(tl_buf *out, X509_CRL *c)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;
	tl_err err = TL_OK;

	if (!bio || PEM_write_bio_X509_CRL(bio, c) != 1 || (n = BIO_get_mem_data(bio, &p)) <= 0)
		err = tl__nomem();
	else
		err = tl_buf_put(out, p, (size_t)n);
	BIO_free(bio);
	return err;
}

/* ---- configuration and index -------------------------------------------- */

typedef struct {
	json_t *config; /* ca.json */
	json_t *index;  /* index.json */
	X509 *root, *issuing;
} ca_state;

static void ca_dispose(ca_state *s)
{
	json_decref(s->config);
	json_decref(s->index);
	X509_free(s->root);
	X509_free(s->issuing);
}

static tl_err load_json(json_t **out, const char *dir, const char *name)
{
	tl_json_limits lim = { 0 };
	tl_buf p = TL_BUF_INIT;
	tl_err err;

	lim.max_bytes = MAX_INDEX;
	lim.max_depth = 8;
	if ((err = path_of(&p, dir, name)) == TL_OK)
		err = tl_json_load_file(out, p.ptr, &lim);
	if (err == TL_OK && !json_is_object(*out)) {
		err = tl__error(TL_EPARSE, "%s: expected a JSON object", p.ptr);
		json_decref(*out);
		*out = NULL;
	}
	tl_buf_dispose(&p);
	return err;
}

static tl_err save_json(const char *dir, const char *name, const json_t *v)
{
	tl_buf b = TL_BUF_INIT;
	tl_err err;

	if ((err = tl_json_dump(&b, v)) == TL_OK && (err = tl_buf_putc(&b, '\n')) == TL_OK)
		err = write_file(dir, name, &b);
	tl_buf_dispose(&b);
	return err;
}

static const char *cfg_str(const ca_state *s, const char *key)
{
	return json_string_value(json_object_get(s->config, key));
}

/* Opens the CA key named in ca.json under key and checks that it is the
 * key of the CA certificate ca (a swapped URI would sign certificates no
 * one can verify). */
static tl_err open_ca_key(tl_key **out, const ca_state *s, const char *key, X509 *ca)
{
	tl_key *k = NULL;
	tl_err err;

	*out = NULL;
	if ((err = tl_key_open(&k, cfg_str(s, key))) != TL_OK)
		return err;
	if (EVP_PKEY_eq(X509_get0_pubkey(ca), k->pub) != 1) {
		ERR_clear_error();
		tl_key_free(k);
		return tl__error(TL_EINVAL, "ca.json: %s %s is not the key of the %s CA certificate",
		                 key, cfg_str(s, key), strcmp(key, "rootKey") ? "issuing" : "root");
	}
	*out = k;
	return TL_OK;
}

static tl_err ca_load(ca_state *s, const char *dir)
{
	tl_buf p = TL_BUF_INIT;
	tl_err err;

	memset(s, 0, sizeof(*s));
	if ((err = load_json(&s->config, dir, "ca.json")) != TL_OK ||
	    (err = load_json(&s->index, dir, "index.json")) != TL_OK)
		goto done;
	if (!cfg_str(s, "rootKey") || !cfg_str(s, "issuingKey") ||
	    !json_is_array(json_object_get(s->index, "certificates")) ||
	    !json_is_integer(json_object_get(s->index, "crlNumber"))) {
		err = tl__error(TL_EPARSE, "%s: not a trustline CA directory (ca.json needs rootKey "
		                "and issuingKey, index.json certificates and crlNumber)", dir);
		goto done;
	}
	if ((err = path_of(&p, dir, "root.pem")) != TL_OK ||
	    (err = tl__x509_load_cert(&s->root, p.ptr)) != TL_OK ||
	    (err = path_of(&p, dir, "issuing.pem")) != TL_OK ||
	    (err = tl__x509_load_cert(&s->issuing, p.ptr)) != TL_OK)
		goto done;
done:
	tl_buf_dispose(&p);
	return err;
}

/* ---- building certificates ---------------------------------------------- */

static tl_err add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if (!(ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value))) {
		ERR_clear_error();
		return tl__error(TL_EINVAL, "x509: cannot make the %s extension (%s)", OBJ_nid2sn(nid),
		                 value);
	}
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? TL_OK : tl__nomem();
}

/* A random positive 128-bit serial (RFC 5280 4.1.2.2: at most 20 octets). */
static tl_err random_serial(ASN1_INTEGER **out, char hex[33])
{
	uint8_t r[16];
	BIGNUM *bn = NULL;

	*out = NULL;
	do {
		if (RAND_bytes(r, sizeof(r)) != 1)
			return tl__error(TL_EINVAL, "x509: no random bytes for a serial number");
	} while (r[0] == 0); /* keep all serials 16 octets of magnitude */
	tl_hex(hex, r, sizeof(r));
	if (!(bn = BN_bin2bn(r, sizeof(r), NULL)) || !(*out = BN_to_ASN1_INTEGER(bn, NULL))) {
		BN_free(bn);
		return tl__nomem();
	}
	BN_free(bn);
	return TL_OK;
}

static tl_err set_time(X509 *x, int64_t from, int64_t until, bool forever)
{
	ASN1_TIME *a = NULL, *b = NULL;
	tl_err err = TL_OK;

	if (!(a = ASN1_TIME_adj(NULL, (time_t)from, 0, 0)))
		err = tl__nomem();
	else if (forever) {
		/* 802.1AR 8.5 and RFC 5280 4.1.2.5: "no well-defined expiration". */
		if (!(b = ASN1_GENERALIZEDTIME_new()) ||
		    ASN1_GENERALIZEDTIME_set_string(b, "99991231235959Z") != 1)
			err = tl__nomem();
	} else if (!(b = ASN1_TIME_adj(NULL, (time_t)until, 0, 0)))
		err = tl__nomem();
	if (err == TL_OK && (X509_set1_notBefore(x, a) != 1 || X509_set1_notAfter(x, b) != 1))
		err = tl__nomem();
	ASN1_TIME_free(a);
	ASN1_TIME_free(b);
	return err;
}

/* Parses "/type=value/type=value" (OpenSSL's -subj form) into a name. */
static tl_err parse_subject(X509_NAME **out, const char *s)
{
	X509_NAME *nm = NULL;
	char *copy = NULL, *p, *next;
	tl_err err = TL_OK;

	*out = NULL;
	if (!s || s[0] != '/' || !s[1])
		return tl__error(TL_EINVAL, "subject: expected /type=value/... (e.g. /O=Acme/CN=Acme "
		                 "Root CA), got '%s'", s ? s : "");
	if (!(copy = tl_strdup(s + 1)) || !(nm = X509_NAME_new())) {
		err = tl__nomem();
		goto done;
	}
	for (p = copy; p; p = next) {
		char *eq;
		if ((next = strchr(p, '/')))
			*next++ = '\0';
		if (!(eq = strchr(p, '=')) || eq == p || !eq[1]) {
			err = tl__error(TL_EINVAL, "subject: expected type=value, got '%s'", p);
			goto done;
		}
		*eq = '\0';
		if (X509_NAME_add_entry_by_txt(nm, p, MBSTRING_UTF8, (unsigned char *)eq + 1, -1,
		                               -1, 0) != 1) {
			ERR_clear_error();
			err = tl__error(TL_EINVAL, "subject: unknown attribute type '%s' or bad value", p);
			goto done;
		}
	}
	*out = nm;
	nm = NULL;
done:
	X509_NAME_free(nm);
	free(copy);
	return err;
}

/* Builds a CA certificate for subject/pub, issued by issuer (NULL: self). */
static tl_err make_ca_cert(X509 **out, X509_NAME *subject, tl_key *key, X509 *issuer,
                           tl_key *issuer_key, int64_t now, unsigned days, bool path0)
{
	X509 *x = NULL;
	ASN1_INTEGER *serial = NULL;
	char hex[33];
	tl_err err;

	*out = NULL;
	if (!(x = X509_new())) {
		err = tl__nomem();
		goto done;
	}
	if ((err = random_serial(&serial, hex)) != TL_OK)
		goto done;
	if (X509_set_version(x, X509_VERSION_3) != 1 || X509_set_serialNumber(x, serial) != 1 ||
	    X509_set_subject_name(x, subject) != 1 ||
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject) != 1 ||
	    X509_set_pubkey(x, key->pub) != 1) {
		err = tl__nomem();
		goto done;
	}
	if ((err = set_time(x, now, now + (int64_t)days * 86400, false)) != TL_OK ||
	    (err = add_ext(x, issuer ? issuer : x, NID_basic_constraints,
	                   path0 ? "critical,CA:TRUE,pathlen:0" : "critical,CA:TRUE")) != TL_OK ||
	    (err = add_ext(x, issuer ? issuer : x, NID_key_usage,
	                   "critical,keyCertSign,cRLSign")) != TL_OK ||
	    (err = add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash")) != TL_OK ||
	    (err = add_ext(x, issuer ? issuer : x, NID_authority_key_identifier,
	                   "keyid:always")) != TL_OK)
		goto done;
	if ((err = tl__x509_sign(&x, issuer_key)) != TL_OK)
		goto done;
	*out = x;
	x = NULL;
done:
	ASN1_INTEGER_free(serial);
	X509_free(x);
	return err;
}

/* Absolute form of a plain-path or file: key URI, so the CA works from
 * any directory; other schemes are kept as given. */
static tl_err key_uri_abs(char **out, const char *uri)
{
	size_t n = tl__uri_scheme_len(uri);
	char *path = NULL, *real = NULL;
	tl_err err;

	*out = NULL;
	if (n && !(n == 4 && !strncasecmp(uri, "file", 4)))
		return (*out = tl_strdup(uri)) ? TL_OK : tl__nomem();
	if ((err = tl__file_uri_path(&path, uri)) != TL_OK)
		return err;
	if (!(real = realpath(path, NULL)))
		err = tl__error(TL_EIO, "%s: %s", path, strerror(errno));
	free(path);
	*out = real;
	return err;
}

static json_t *cert_entry(X509 *x, const char *issuer, const char *hex)
{
	char subj[512], nb[32], na[32];
	const ASN1_TIME *t;
	struct tm tm;
	json_t *e;

	tl__x509_name(subj, sizeof(subj), X509_get_subject_name(x));
	t = X509_get0_notBefore(x);
	nb[0] = na[0] = '\0';
	if (ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(nb, sizeof(nb), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		strftime(na, sizeof(na), "%Y-%m-%dT%H:%M:%SZ", &tm);
	e = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "serial", hex, "issuer", issuer,
	              "subject", subj, "notBefore", nb, "notAfter", na, "status", "valid");
	return e;
}

static void serial_hex(char *out, size_t cap, const ASN1_INTEGER *a)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(a, NULL);
	char *h = bn ? BN_bn2hex(bn) : NULL;

	out[0] = '\0';
	if (h) {
		size_t i = 0;
		for (; h[i] && i + 1 < cap; i++)
			out[i] = (char)((h[i] >= 'A' && h[i] <= 'F') ? h[i] + 32 : h[i]);
		out[i] = '\0';
	}
	OPENSSL_free(h);
	BN_free(bn);
}

tl_err tl_ca_init(const char *dir, const char *root_key_uri, const char *issuing_key_uri,
                  const tl_ca_init_opts *o)
{
	tl_key *rk = NULL, *ik = NULL;
	X509_NAME *rname = NULL, *iname = NULL;
	X509 *root = NULL, *issuing = NULL;
	char *ruri = NULL, *iuri = NULL;
	json_t *config = NULL, *index = NULL;
	tl_buf b = TL_BUF_INIT, p = TL_BUF_INIT;
	unsigned days = o && o->days ? o->days : DEFAULT_DAYS;
	int64_t now;
	struct stat st;
	int lfd = -1;
	tl_err err;

	if (days > 36500)
		return tl__error(TL_EINVAL, "ca init: --days at most 36500");
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return tl__error(TL_EIO, "%s: cannot create: %s", dir, strerror(errno));
	if ((err = lock_dir(&lfd, dir)) != TL_OK)
		return err;
	if ((err = path_of(&p, dir, "ca.json")) != TL_OK)
		goto done;
	if (stat(p.ptr, &st) == 0) {
		err = tl__error(TL_EINVAL, "%s: already a CA directory (ca.json exists)", dir);
		goto done;
	}
	if ((err = path_of(&p, dir, "certs")) != TL_OK)
		goto done;
	if (mkdir(p.ptr, 0700) != 0 && errno != EEXIST) {
		err = tl__error(TL_EIO, "%s: cannot create: %s", p.ptr, strerror(errno));
		goto done;
	}
	if ((err = key_uri_abs(&ruri, root_key_uri)) != TL_OK ||
	    (err = key_uri_abs(&iuri, issuing_key_uri)) != TL_OK ||
	    (err = tl_key_open(&rk, ruri)) != TL_OK || (err = tl_key_open(&ik, iuri)) != TL_OK)
		goto done;
	if ((err = parse_subject(&rname, o && o->root_subject ? o->root_subject :
	                         "/CN=trustline root CA")) != TL_OK ||
	    (err = parse_subject(&iname, o && o->issuing_subject ? o->issuing_subject :
	                         "/CN=trustline issuing CA")) != TL_OK)
		goto done;
	if (X509_NAME_cmp(rname, iname) == 0) {
		err = tl__error(TL_EINVAL, "ca init: the root and issuing CA need different subjects");
		goto done;
	}
	if ((err = tl_now(&now)) != TL_OK ||
	    (err = make_ca_cert(&root, rname, rk, NULL, rk, now, days, false)) != TL_OK ||
	    (err = make_ca_cert(&issuing, iname, ik, root, rk, now, days, true)) != TL_OK)
		goto done;
	{
		char rhex[64], ihex[64];
		serial_hex(rhex, sizeof(rhex), X509_get0_serialNumber(root));
		serial_hex(ihex, sizeof(ihex), X509_get0_serialNumber(issuing));
		config = json_pack("{s:s, s:s, s:s}", "rootKey", ruri, "issuingKey", iuri,
		                   "profile", "trustline-ca-v1");
		index = json_pack("{s:i, s:[o, o]}", "crlNumber", 0, "certificates",
		                  cert_entry(root, "root", rhex), cert_entry(issuing, "root", ihex));
		if (!config || !index) {
			err = tl__nomem();
			goto done;
		}
		if (o && o->crl_url && json_object_set_new(config, "crlUrl", json_string(o->crl_url)))
			err = tl__nomem();
	}
	if (err != TL_OK)
		goto done;
	tl_buf_clear(&b);
	if ((err = pem_cert(&b, root)) != TL_OK || (err = write_file(dir, "root.pem", &b)) != TL_OK)
		goto done;
	tl_buf_clear(&b);
	if ((err = pem_cert(&b, issuing)) != TL_OK ||
	    (err = write_file(dir, "issuing.pem", &b)) != TL_OK || (err = pem_cert(&b, root)) != TL_OK ||
	    (err = write_file(dir, "chain.pem", &b)) != TL_OK)
		goto done;
	if ((err = save_json(dir, "index.json", index)) != TL_OK ||
	    (err = save_json(dir, "ca.json", config)) != TL_OK) /* last: marks the CA as made */
		goto done;
done:
	unlock_dir(lfd);
	json_decref(config);
	json_decref(index);
	X509_free(root);
	X509_free(issuing);
	X509_NAME_free(rname);
	X509_NAME_free(iname);
	tl_key_free(rk);
	tl_key_free(ik);
	free(ruri);
	free(iuri);
	tl_buf_dispose(&b);
	tl_buf_dispose(&p);
	return err;
}

/* ---- issuing ------------------------------------------------------------ */

/* PrintableString characters (X.680 41.4), the type of serialNumber. */
static bool printable(const char *s)
{
	for (; *s; s++) {
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      strchr(" '()+,-./:=?", *s)))
			return false;
	}
	return true;
}

/* The text of the first attribute nid in nm, NULL if none (new string). */
static char *name_attr(const X509_NAME *nm, int nid)
{
	int i = X509_NAME_get_index_by_NID(nm, nid, -1);
	unsigned char *u = NULL;
	char *s = NULL;
	int n;

	if (i < 0)
		return NULL;
	if ((n = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i)))) >= 0
	    && memchr(u, '\0', (size_t)n) == NULL)
		s = tl_strdup((char *)u);
	OPENSSL_free(u);
	return s;
}

tl_err tl_ca_issue(tl_buf *pem, char serial_out[TL_CA_SERIAL_HEX_LEN + 1], const char *dir,
                   const void *csr_data, size_t csr_len, const char *csr_name,
                   const tl_ca_issue_opts *o)
{
	ca_state s;
	X509_REQ *req = NULL;
	EVP_PKEY *rpub;
	X509 *x = NULL;
	X509_NAME *subj = NULL;
	ASN1_INTEGER *serial = NULL;
	tl_key *ik = NULL;
	char hex[33], *csr_serial = NULL, *csr_product = NULL, *org = NULL;
	const char *devserial, *product, *crl_url;
	tl_buf out = TL_BUF_INIT, p = TL_BUF_INIT;
	json_t *certs;
	int64_t now, from, until;
	int lfd = -1;
	tl_err err;

	memset(&s, 0, sizeof(s));
	if ((err = lock_dir(&lfd, dir)) != TL_OK)
		return err;
	if ((err = ca_load(&s, dir)) != TL_OK)
		goto done;
	/* The request: well-formed, signed by the key it carries, a key type
	 * we issue for. */
	if ((err = tl__x509_parse_csr(&req, csr_data, csr_len, csr_name)) != TL_OK)
		goto done;
	if (!(rpub = X509_REQ_get0_pubkey(req))) {
		ERR_clear_error();
		err = tl__error(TL_ECHECK, "%s: wrong key type: the request's public key cannot be "
		                "decoded", csr_name);
		goto done;
	}
	if (tl__key_type_of(rpub, csr_name) == TL_KEY_NONE) {
		err = TL_ECHECK; /* "wrong key type: ..." */
		goto done;
	}
	if (X509_REQ_verify(req, rpub) != 1) {
		ERR_clear_error();
		err = tl__error(TL_ECHECK, "%s: bad signature: the certificate request is not signed "
		                "by its own key", csr_name);
		goto done;
	}
	csr_serial = name_attr(X509_REQ_get_subject_name(req), NID_serialNumber);
	csr_product = name_attr(X509_REQ_get_subject_name(req), NID_organizationalUnitName);
	devserial = o && o->serial_number ? o->serial_number : csr_serial;
	product = o && o->product ? o->product : csr_product;
	if (!devserial || !devserial[0]) {
		err = tl__error(TL_EINVAL, "%s: no device serial number: give --serial-number or a "
		                "request with a serialNumber attribute", csr_name);
		goto done;
	}
	if (csr_serial && strcmp(csr_serial, devserial) != 0) {
		err = tl__error(TL_ECHECK, "%s: serial mismatch: the request says \"%.64s\", not "
		                "\"%.64s\"", csr_name, csr_serial, devserial);
		goto done;
	}
	if (strlen(devserial) > MAX_ATTR || !printable(devserial)) {
		err = tl__error(TL_EINVAL, "serial number: expected 1 to %d PrintableString characters "
		                "(A-Z a-z 0-9 space '()+,-./:=?)", MAX_ATTR);
		goto done;
	}
	if (product && (!product[0] || strlen(product) > MAX_ATTR)) {
		err = tl__error(TL_EINVAL, "product: expected 1 to %d characters", MAX_ATTR);
		goto done;
	}
	/* Subject: O of the issuing CA, OU product, serialNumber (802.1AR 8.7). */
	org = name_attr(X509_get_subject_name(s.issuing), NID_organizationName);
	if (!(subj = X509_NAME_new()) ||
	    (org && X509_NAME_add_entry_by_NID(subj, NID_organizationName, MBSTRING_UTF8,
	                                       (unsigned char *)org, -1, -1, 0) != 1) ||
	    (product && X509_NAME_add_entry_by_NID(subj, NID_organizationalUnitName, MBSTRING_UTF8,
	                                           (unsigned char *)product, -1, -1, 0) != 1) ||
	    X509_NAME_add_entry_by_NID(subj, NID_serialNumber, V_ASN1_PRINTABLESTRING,
	                               (unsigned char *)devserial, -1, -1, 0) != 1) {
		ERR_clear_error();
		err = tl__error(TL_EINVAL, "cannot build the subject name");
		goto done;
	}
	if ((err = tl_now(&now)) != TL_OK)
		goto done;
	from = o && o->not_before ? o->not_before : now;
	until = o && o->not_after ? o->not_after : 0;
	if (until && until <= from) {
		err = tl__error(TL_EINVAL, "ca issue: not-after must be later than not-before");
		goto done;
	}
	if ((err = open_ca_key(&ik, &s, "issuingKey", s.issuing)) != TL_OK)
		goto done;
	certs = json_object_get(s.index, "certificates");
	for (;;) {
		bool dup = false;
		size_t i;
		json_t *e;
		ASN1_INTEGER_free(serial);
		if ((err = random_serial(&serial, hex)) != TL_OK)
			goto done;
		json_array_foreach(certs, i, e)
			dup |= !strcmp(json_string_value(json_object_get(e, "serial")) ?
			               json_string_value(json_object_get(e, "serial")) : "", hex);
		if (!dup)
			break;
	}
	if (!(x = X509_new()) || X509_set_version(x, X509_VERSION_3) != 1 ||
	    X509_set_serialNumber(x, serial) != 1 || X509_set_subject_name(x, subj) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(s.issuing)) != 1 ||
	    X509_set_pubkey(x, rpub) != 1) {
		err = tl__nomem();
		goto done;
	}
	if ((err = set_time(x, from, until, until == 0)) != TL_OK ||
	    (err = add_ext(x, s.issuing, NID_basic_constraints, "critical,CA:FALSE")) != TL_OK ||
	    (err = add_ext(x, s.issuing, NID_key_usage, "critical,digitalSignature")) != TL_OK ||
	    (err = add_ext(x, s.issuing, NID_subject_key_identifier, "hash")) != TL_OK ||
	    (err = add_ext(x, s.issuing, NID_authority_key_identifier, "keyid:always")) != TL_OK)
		goto done;
	if ((crl_url = cfg_str(&s, "crlUrl"))) {
		tl_buf v = TL_BUF_INIT;
		if ((err = tl_buf_printf(&v, "URI:%s", crl_url)) == TL_OK)
			err = add_ext(x, s.issuing, NID_crl_distribution_points, v.ptr);
		tl_buf_dispose(&v);
		if (err != TL_OK)
			goto done;
	}
	if ((err = tl__x509_sign(&x, ik)) != TL_OK || (err = pem_cert(&out, x)) != TL_OK)
		goto done;
	/* The certificate file, then the index that records it. */
	if ((err = path_of(&p, "certs", hex)) != TL_OK || (err = tl_buf_puts(&p, ".pem")) != TL_OK ||
	    (err = write_file(dir, p.ptr, &out)) != TL_OK)
		goto done;
	if (json_array_append_new(certs, cert_entry(x, "issuing", hex)) != 0) {
		err = tl__nomem();
		goto done;
	}
	if ((err = save_json(dir, "index.json", s.index)) != TL_OK)
		goto done;
	if ((err = tl_buf_put(pem, out.ptr, out.len)) != TL_OK)
		goto done;
	if (serial_out)
		memcpy(serial_out, hex, sizeof(hex));
done:
	unlock_dir(lfd);
	ca_dispose(&s);
	X509_REQ_free(req);
	X509_free(x);
	X509_NAME_free(subj);
	ASN1_INTEGER_free(serial);
	tl_key_free(ik);
	free(csr_serial);
	free(csr_product);
	free(org);
	tl_buf_dispose(&out);
	tl_buf_dispose(&p);
	return err;
}

/* ---- revocation and CRLs ------------------------------------------------ */

tl_err tl_ca_revoke(const char *dir, const char *serial, const char *reason)
{
	ca_state s;
	json_t *e, *found = NULL;
	char want[TL_CA_SERIAL_HEX_LEN + 2], when[32];
	const char *p = serial;
	size_t i, n = 0;
	int64_t now;
	int code = 0, lfd = -1;
	tl_err err;

	memset(&s, 0, sizeof(s));
	if (reason && (err = tl_ca_reason_parse(&code, reason)) != TL_OK)
		return err;
	/* Hex, case and leading zeros (and a "0x" or ':' separators) ignored. */
	if (!strncmp(p, "0x", 2) || !strncmp(p, "0X", 2))
		p += 2;
	for (; *p == '0' || *p == ':'; p++)
		;
	for (; *p; p++) {
		char c = *p;
		if (c == ':')
			continue;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) ||
		    n == TL_CA_SERIAL_HEX_LEN)
			return tl__error(TL_EINVAL, "serial: expected a hexadecimal serial number of at "
			                 "most %d digits, got '%.80s'", TL_CA_SERIAL_HEX_LEN, serial);
		want[n++] = (char)((c >= 'A' && c <= 'F') ? c + 32 : c);
	}
	want[n] = '\0';
	if ((err = lock_dir(&lfd, dir)) != TL_OK)
		return err;
	if ((err = ca_load(&s, dir)) != TL_OK)
		goto done;
	json_array_foreach(json_object_get(s.index, "certificates"), i, e) {
		const char *h = json_string_value(json_object_get(e, "serial"));
		while (h && *h == '0')
			h++;
		if (h && !strcmp(h, want))
			found = e;
	}
	if (!found) {
		err = tl__error(TL_ENOTFOUND, "%s: no certificate with serial %s was issued here", dir,
		                want);
		goto done;
	}
	if (json_object_get(found, "revoked")) {
		err = tl__error(TL_EINVAL, "serial %s: already revoked", want);
		goto done;
	}
	if ((err = tl_now(&now)) != TL_OK)
		goto done;
	tl_time_iso8601(when, now);
	if (json_object_set_new(found, "status", json_string("revoked")) ||
	    json_object_set_new(found, "revoked", json_string(when)) ||
	    json_object_set_new(found, "reason", json_string(reasons[code]))) {
		err = tl__nomem();
		goto done;
	}
	err = save_json(dir, "index.json", s.index);
done:
	unlock_dir(lfd);
	ca_dispose(&s);
	return err;
}

static tl_err set_serial_hex(ASN1_INTEGER **out, const char *hex)
{
	BIGNUM *bn = NULL;

	*out = NULL;
	if (!hex || BN_hex2bn(&bn, hex) <= 0 || !(*out = BN_to_ASN1_INTEGER(bn, NULL))) {
		BN_free(bn);
		return tl__error(TL_EPARSE, "index.json: bad serial '%.80s'", hex ? hex : "");
	}
	BN_free(bn);
	return TL_OK;
}

/* One CRL by issuer ca (its name "root"/"issuing" in the index). */
static tl_err make_crl(X509_CRL **out, ca_state *s, X509 *ca, const char *which, tl_key *key,
                       int64_t now, unsigned days, long number)
{
	X509_CRL *crl = NULL;
	ASN1_TIME *t = NULL;
	ASN1_INTEGER *num = NULL;
	X509V3_CTX ctx;
	X509_EXTENSION *akid = NULL;
	json_t *e;
	size_t i;
	tl_err err = TL_OK;

	*out = NULL;
	if (!(crl = X509_CRL_new()) || X509_CRL_set_version(crl, 1) != 1 ||
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) != 1 ||
	    !(t = ASN1_TIME_adj(NULL, (time_t)now, 0, 0)) || X509_CRL_set1_lastUpdate(crl, t) != 1 ||
	    !ASN1_TIME_adj(t, (time_t)now, (int)days, 0) || X509_CRL_set1_nextUpdate(crl, t) != 1) {
		err = tl__nomem();
		goto done;
	}
	json_array_foreach(json_object_get(s->index, "certificates"), i, e) {
		const char *iss = json_string_value(json_object_get(e, "issuer"));
		const char *when = json_string_value(json_object_get(e, "revoked"));
		const char *why = json_string_value(json_object_get(e, "reason"));
		X509_REVOKED *r = NULL;
		ASN1_INTEGER *sn = NULL;
		ASN1_TIME *rt = NULL;
		ASN1_ENUMERATED *re = NULL;
		int code = 0;
		int64_t tr;
		if (!iss || strcmp(iss, which) != 0 || !when)
			continue;
		if ((err = tl_time_parse(&tr, when)) != TL_OK ||
		    (err = tl_ca_reason_parse(&code, why ? why : "unspecified")) != TL_OK ||
		    (err = set_serial_hex(&sn, json_string_value(json_object_get(e, "serial")))) != TL_OK)
			goto done;
		if (!(r = X509_REVOKED_new()) || X509_REVOKED_set_serialNumber(r, sn) != 1 ||
		    !(rt = ASN1_TIME_adj(NULL, (time_t)tr, 0, 0)) ||
		    X509_REVOKED_set_revocationDate(r, rt) != 1 || !(re = ASN1_ENUMERATED_new()) ||
		    ASN1_ENUMERATED_set(re, code) != 1 ||
		    X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, re, 0, 0) != 1 ||
		    X509_CRL_add0_revoked(crl, r) != 1) {
			X509_REVOKED_free(r);
			err = tl__nomem();
		}
		ASN1_INTEGER_free(sn);
		ASN1_TIME_free(rt);
		ASN1_ENUMERATED_free(re);
		if (err != TL_OK)
			goto done;
	}
	X509V3_set_ctx(&ctx, ca, NULL, NULL, crl, 0);
	if (!(num = ASN1_INTEGER_new()) || ASN1_INTEGER_set(num, number) != 1 ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1 ||
	    !(akid = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always")) ||
	    X509_CRL_add_ext(crl, akid, -1) != 1 || X509_CRL_sort(crl) != 1) {
		ERR_clear_error();
		err = tl__error(TL_EINVAL, "cannot build the CRL");
		goto done;
	}
	if ((err = tl__x509_crl_sign(&crl, key)) != TL_OK)
		goto done;
	*out = crl;
	crl = NULL;
done:
	X509_EXTENSION_free(akid);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return err;
}

tl_err tl_ca_crl(tl_buf *pem, const char *dir, unsigned days)
{
	ca_state s;
	X509_CRL *icrl = NULL, *rcrl = NULL;
	tl_key *ik = NULL, *rk = NULL;
	tl_buf out = TL_BUF_INIT;
	json_int_t number;
	int64_t now;
	int lfd = -1;
	tl_err err;

	memset(&s, 0, sizeof(s));
	if (!days)
		days = DEFAULT_CRL_DAYS;
	if (days > 3650)
		return tl__error(TL_EINVAL, "ca crl: --days at most 3650");
	if ((err = lock_dir(&lfd, dir)) != TL_OK)
		return err;
	if ((err = ca_load(&s, dir)) != TL_OK)
		goto done;
	number = json_integer_value(json_object_get(s.index, "crlNumber"));
	if (number < 0 || number >= LONG_MAX - 1) {
		err = tl__error(TL_EPARSE, "%s: index.json: crlNumber out of range", dir);
		goto done;
	}
	number++;
	if ((err = tl_now(&now)) != TL_OK ||
	    (err = open_ca_key(&ik, &s, "issuingKey", s.issuing)) != TL_OK ||
	    (err = open_ca_key(&rk, &s, "rootKey", s.root)) != TL_OK ||
	    (err = make_crl(&icrl, &s, s.issuing, "issuing", ik, now, days, (long)number)) != TL_OK ||
	    (err = make_crl(&rcrl, &s, s.root, "root", rk, now, days, (long)number)) != TL_OK ||
	    (err = pem_crl(&out, icrl)) != TL_OK || (err = pem_crl(&out, rcrl)) != TL_OK)
		goto done;
	/* The number is spent before the CRL leaves: never issued twice. */
	if (json_object_set_new(s.index, "crlNumber", json_integer(number))) {
		err = tl__nomem();
		goto done;
	}
	if ((err = save_json(dir, "index.json", s.index)) != TL_OK)
		goto done;
	err = tl_buf_put(pem, out.ptr, out.len);
done:
	unlock_dir(lfd);
	ca_dispose(&s);
	X509_CRL_free(icrl);
	X509_CRL_free(rcrl);
	tl_key_free(ik);
	tl_key_free(rk);
	tl_buf_dispose(&out);
	return err;
}

/* ---- the device side ---------------------------------------------------- */

tl_err tl_device_csr(tl_buf *pem, const char *key_uri, const char *serial, const char *product)
{
	tl_key *k = NULL;
	X509_REQ *req = NULL;
	X509_NAME *nm = NULL;
	BIO *bio = NULL;
	char *p;
	long n;
	tl_err err;

	if (!serial || !serial[0] || strlen(serial) > MAX_ATTR || !printable(serial))
		return tl__error(TL_EINVAL, "serial number: expected 1 to %d PrintableString "
		                 "characters (A-Z a-z 0-9 space '()+,-./:=?)", MAX_ATTR);
	if (product && (!product[0] || strlen(product) > MAX_ATTR))
		return tl__error(TL_EINVAL, "product: expected 1 to %d characters", MAX_ATTR);
	if ((err = tl_key_open(&k, key_uri)) != TL_OK)
		return err;
	if (!(req = X509_REQ_new()) || !(nm = X509_NAME_new()) ||
	    X509_REQ_set_version(req, 0) != 1 ||
	    (product && X509_NAME_add_entry_by_NID(nm, NID_organizationalUnitName, MBSTRING_UTF8,
	                                           (unsigned char *)product, -1, -1, 0) != 1) ||
	    X509_NAME_add_entry_by_NID(nm, NID_serialNumber, V_ASN1_PRINTABLESTRING,
	                               (unsigned char *)serial, -1, -1, 0) != 1 ||
	    X509_REQ_set_subject_name(req, nm) != 1 || X509_REQ_set_pubkey(req, k->pub) != 1) {
		ERR_clear_error();
		err = tl__error(TL_EINVAL, "cannot build the certificate request");
		goto done;
	}
	if ((err = tl__x509_req_sign(&req, k)) != TL_OK)
		goto done;
	if (!(bio = BIO_new(BIO_s_mem())) || PEM_write_bio_X509_REQ(bio, req) != 1 ||
	    (n = BIO_get_mem_data(bio, &p)) <= 0) {
		err = tl__nomem();
		goto done;
	}
	err = tl_buf_put(pem, p, (size_t)n);
done:
	ERR_clear_error();
	BIO_free(bio);
	X509_NAME_free(nm);
	X509_REQ_free(req);
	tl_key_free(k);
	return err;
}
