/*
 * The PKCS#11 key backend: keys in an HSM or token, named by RFC 7512
 * URIs, used through direct PKCS#11 calls with modules loaded by p11-kit.
 * Private keys never leave the token: we generate them CKA_SENSITIVE and
 * not CKA_EXTRACTABLE, never read CKA_VALUE, and sign with C_Sign.
 *
 *   URI        pkcs11:token=T;object=LABEL[;id=%01%02][;type=private]
 *              [?pin-value=PIN | ?pin-source=file:/path][&module-path=/x.so]
 *   module     module-path when given, else every module p11-kit has
 *              registered (p11-kit's *.module files); the first token that
 *              matches the URI's token attributes is used
 *   PIN        pin-value, else pin-source (a file: URI or path; its first
 *              line), else $TRUSTLINE_PKCS11_PIN; none: no login
 *   key        exactly one private key object matching the URI's object
 *              attributes; its public half from the public key object with
 *              the same CKA_ID (or label)
 *   mechanisms ed25519 CKM_EDDSA over the message
 *              p256    CKM_ECDSA over SHA-256(message), r||s re-encoded DER
 *              rsa3072 CKM_SHA256_RSA_PKCS_PSS, MGF1-SHA-256, salt 32
 * Values read from the token are bounded: EC points 256 bytes, RSA
 * moduli 1024 bytes, params 64 bytes.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>
#include <stdlib.h>
#include <string.h>

#include "trust_int.h"

typedef struct {
	CK_FUNCTION_LIST **mods;   /* registered modules (load_and_initialize) */
	CK_FUNCTION_LIST *single;  /* or the module-path module */
	CK_FUNCTION_LIST *fl;      /* the module in use, borrowed */
	CK_SESSION_HANDLE sess;
	bool have_sess;
	CK_OBJECT_HANDLE priv;
} p11_state;

/* DER OBJECT IDENTIFIERs as CKA_EC_PARAMS. */
static const uint8_t oid_p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t oid_ed25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
/* SubjectPublicKeyInfo prefixes, followed by the raw public key. */
static const uint8_t spki_p256[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
};
static const uint8_t spki_ed25519[] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
};

static tl_err ckr(CK_RV rv, const char *what)
{
	return tl__error(rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LEN_RANGE ? TL_EINVAL : TL_EIO,
	                 "pkcs11: %s failed: %s (CKR 0x%lx)", what, p11_kit_strerror(rv),
	                 (unsigned long)rv);
}

static void p11_close(tl_key *k)
{
	p11_state *s = k->state;

	if (!s)
		return;
	if (s->have_sess)
		s->fl->C_CloseSession(s->sess);
	if (s->mods)
		p11_kit_modules_finalize_and_release(s->mods);
	if (s->single) {
		p11_kit_module_finalize(s->single);
		p11_kit_module_release(s->single);
	}
	free(s);
	k->state = NULL;
}

/* The PIN from the URI or the environment into pin (cleansed by caller). */
static tl_err get_pin(tl_buf *pin, P11KitUri *u)
{
	const char *v = p11_kit_uri_get_pin_value(u), *src = p11_kit_uri_get_pin_source(u);
	tl_buf file = TL_BUF_INIT;
	tl_err err = TL_OK;

	if (v)
		return tl_buf_puts(pin, v);
	if (src) {
		size_t n;
		if (!strncmp(src, "file:", 5)) {
			char *path = NULL;
			if ((err = tl__file_uri_path(&path, src)) != TL_OK)
				return err;
			err = tl_file_read(&file, path, 4096);
			free(path);
		} else {
			err = tl_file_read(&file, src, 4096);
		}
		if (err != TL_OK)
			goto done;
		for (n = 0; n < file.len && file.ptr[n] != '\n' && file.ptr[n] != '\r'; n++)
			;
		err = tl_buf_put(pin, file.ptr, n);
		goto done;
	}
	if ((v = getenv("TRUSTLINE_PKCS11_PIN")))
		err = tl_buf_puts(pin, v);
done:
	tl__buf_wipe(&file);
	return err;
}

/* Loads modules and opens a logged-in session on the first matching token. */
static tl_err open_token(p11_state *s, P11KitUri *u, const char *uri)
{
	CK_FUNCTION_LIST *one[2] = { NULL, NULL };
	CK_FUNCTION_LIST **list;
	const char *mpath = p11_kit_uri_get_module_path(u);
	tl_buf pin = TL_BUF_INIT;
	CK_SLOT_ID slots[64];
	CK_RV rv;
	tl_err err;

	if (mpath) {
		if (!(s->single = p11_kit_module_load(mpath, 0))) {
			err = tl__error(TL_EIO, "pkcs11: cannot load module %s: %s", mpath, p11_kit_message());
			goto done;
		}
		if ((rv = p11_kit_module_initialize(s->single)) != CKR_OK) {
			p11_kit_module_release(s->single);
			s->single = NULL;
			err = ckr(rv, "module initialisation");
			goto done;
		}
		one[0] = s->single;
		list = one;
	} else {
		if (!(s->mods = p11_kit_modules_load_and_initialize(0))) {
			err = tl__error(TL_EIO, "pkcs11: cannot load the registered modules: %s",
			                p11_kit_message());
			goto done;
		}
		list = s->mods;
	}
	for (size_t m = 0; list[m] && !s->fl; m++) {
		CK_INFO info;
		CK_ULONG n = sizeof(slots) / sizeof(slots[0]);
		if (list[m]->C_GetInfo(&info) != CKR_OK || !p11_kit_uri_match_module_info(u, &info))
			continue;
		if (list[m]->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
			continue;
		for (CK_ULONG i = 0; i < n; i++) {
			CK_TOKEN_INFO ti;
			if (list[m]->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
			    !p11_kit_uri_match_token_info(u, &ti))
				continue;
			if ((rv = list[m]->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL,
			                                 NULL, &s->sess)) != CKR_OK) {
				err = ckr(rv, "C_OpenSession");
				goto done;
			}
			s->fl = list[m];
			s->have_sess = true;
			break;
		}
	}
	if (!s->fl) {
		err = tl__error(TL_ENOTFOUND, "%s: no PKCS#11 token matches this URI", uri);
		goto done;
	}
	if ((err = get_pin(&pin, u)) != TL_OK)
		goto done;
	if (pin.len) {
		rv = s->fl->C_Login(s->sess, CKU_USER, (CK_UTF8CHAR_PTR)pin.ptr, pin.len);
		if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
			err = ckr(rv, "C_Login");
			goto done;
		}
	}
	err = TL_OK;
done:
	tl__buf_wipe(&pin);
	return err;
}

/* Finds objects of class matching the URI's attributes (and id if given). */
static tl_err find(p11_state *s, P11KitUri *u, CK_OBJECT_CLASS cls, const CK_ATTRIBUTE *id,
                   CK_OBJECT_HANDLE *out, CK_ULONG *count)
{
	CK_ATTRIBUTE tmpl[8];
	CK_ULONG n = 0, na = 0;
	CK_ATTRIBUTE_PTR attrs = p11_kit_uri_get_attributes(u, &na);
	CK_OBJECT_HANDLE h[2];
	CK_RV rv;

	tmpl[n].type = CKA_CLASS;
	tmpl[n].pValue = &cls;
	tmpl[n++].ulValueLen = sizeof(cls);
	for (CK_ULONG i = 0; i < na && n < 6; i++)
		if (attrs[i].type == CKA_LABEL || (attrs[i].type == CKA_ID && !id))
			tmpl[n++] = attrs[i];
	if (id)
		tmpl[n++] = *id;
	*count = 0;
	if ((rv = s->fl->C_FindObjectsInit(s->sess, tmpl, n)) != CKR_OK)
		return ckr(rv, "C_FindObjectsInit");
	rv = s->fl->C_FindObjects(s->sess, h, 2, count);
	s->fl->C_FindObjectsFinal(s->sess);
	if (rv != CKR_OK)
		return ckr(rv, "C_FindObjects");
	if (*count)
		*out = h[0];
	return TL_OK;
}

/* Reads one attribute of at most max bytes into buf. */
static tl_err get_attr(p11_state *s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, uint8_t *buf,
                       size_t max, size_t *len)
{
	CK_ATTRIBUTE a = { t, NULL, 0 };
	CK_RV rv;

	if ((rv = s->fl->C_GetAttributeValue(s->sess, o, &a, 1)) != CKR_OK)
		return ckr(rv, "C_GetAttributeValue");
	if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > max)
		return tl__error(TL_EPARSE, "pkcs11: attribute 0x%lx: unavailable or over %zu bytes",
		                 (unsigned long)t, max);
	a.pValue = buf;
	if ((rv = s->fl->C_GetAttributeValue(s->sess, o, &a, 1)) != CKR_OK)
		return ckr(rv, "C_GetAttributeValue");
	*len = a.ulValueLen;
	return TL_OK;
}

/* CKA_EC_POINT is a DER OCTET STRING (some modules give it raw). */
static tl_err ec_point(const uint8_t *p, size_t n, size_t want, const uint8_t **out)
{
	if (n == want) {
		*out = p;
		return TL_OK;
	}
	if (n == want + 2 && p[0] == 0x04 && p[1] == want) {
		*out = p + 2;
		return TL_OK;
	}
	return tl__error(TL_EPARSE, "pkcs11: CKA_EC_POINT: expected %zu bytes of point", want);
}

static tl_err spki_key(EVP_PKEY **out, const uint8_t *prefix, size_t plen, const uint8_t *pt,
                       size_t n)
{
	uint8_t der[128];
	const unsigned char *q = der;

	memcpy(der, prefix, plen);
	memcpy(der + plen, pt, n);
	if (!(*out = d2i_PUBKEY(NULL, &q, (long)(plen + n))))
		return tl__error(TL_EPARSE, "pkcs11: the token's public key is not valid");
	return TL_OK;
}

static tl_err rsa_key(EVP_PKEY **out, const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *bn = NULL, *be = NULL;
	tl_err err = TL_OK;

	*out = NULL;
	if (!(bn = BN_bin2bn(n, (int)nlen, NULL)) || !(be = BN_bin2bn(e, (int)elen, NULL)) ||
	    !(bld = OSSL_PARAM_BLD_new()) ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) != 1 ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1)
		err = tl__error(TL_EPARSE, "pkcs11: the token's RSA public key is not valid");
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return err;
}

/* Finds the private key and builds k->pub from the public key object. */
static tl_err load_key(tl_key *k, P11KitUri *u, const char *uri)
{
	p11_state *s = k->state;
	CK_OBJECT_HANDLE pub = 0;
	CK_ULONG count;
	CK_KEY_TYPE kt;
	uint8_t id[256], params[64], point[256], mod[1024], exp[16];
	size_t idlen = 0, plen = 0, ptlen = 0, mlen = 0, elen = 0, ktlen = 0;
	CK_ATTRIBUTE ida;
	const uint8_t *pt = NULL;
	EVP_PKEY *pk = NULL;
	tl_err err;

	if ((err = find(s, u, CKO_PRIVATE_KEY, NULL, &s->priv, &count)) != TL_OK)
		return err;
	if (count == 0)
		return tl__error(TL_ENOTFOUND, "%s: no private key object matches (is the PIN given? "
		                 "pin-value=, pin-source= or $TRUSTLINE_PKCS11_PIN)", uri);
	if (count > 1)
		return tl__error(TL_EINVAL, "%s: several private keys match; add object= or id=", uri);
	if ((err = get_attr(s, s->priv, CKA_KEY_TYPE, (uint8_t *)&kt, sizeof(kt), &ktlen)) != TL_OK)
		return err;
	/* The public object: same CKA_ID when the key has one, else the URI's label. */
	if (get_attr(s, s->priv, CKA_ID, id, sizeof(id), &idlen) == TL_OK && idlen) {
		ida.type = CKA_ID;
		ida.pValue = id;
		ida.ulValueLen = idlen;
		err = find(s, u, CKO_PUBLIC_KEY, &ida, &pub, &count);
	} else {
		err = find(s, u, CKO_PUBLIC_KEY, NULL, &pub, &count);
	}
	if (err != TL_OK)
		return err;
	if (count != 1)
		return tl__error(TL_ENOTFOUND, "%s: no single public key object for this private key", uri);

	if (kt == CKK_RSA) {
		if ((err = get_attr(s, pub, CKA_MODULUS, mod, sizeof(mod), &mlen)) != TL_OK ||
		    (err = get_attr(s, pub, CKA_PUBLIC_EXPONENT, exp, sizeof(exp), &elen)) != TL_OK ||
		    (err = rsa_key(&pk, mod, mlen, exp, elen)) != TL_OK)
			goto done;
	} else if (kt == CKK_EC || kt == CKK_EC_EDWARDS) {
		if ((err = get_attr(s, pub, CKA_EC_PARAMS, params, sizeof(params), &plen)) != TL_OK ||
		    (err = get_attr(s, pub, CKA_EC_POINT, point, sizeof(point), &ptlen)) != TL_OK)
			goto done;
		if (kt == CKK_EC && plen == sizeof(oid_p256) && !memcmp(params, oid_p256, plen)) {
			if ((err = ec_point(point, ptlen, 65, &pt)) != TL_OK ||
			    (err = spki_key(&pk, spki_p256, sizeof(spki_p256), pt, 65)) != TL_OK)
				goto done;
		} else if (kt == CKK_EC_EDWARDS) {
			if ((err = ec_point(point, ptlen, 32, &pt)) != TL_OK ||
			    (err = spki_key(&pk, spki_ed25519, sizeof(spki_ed25519), pt, 32)) != TL_OK)
				goto done;
		} else {
			err = tl__error(TL_EUNSUPPORTED, "%s: wrong key type: an EC key not on P-256", uri);
			goto done;
		}
	} else {
		err = tl__error(TL_EUNSUPPORTED, "%s: wrong key type: PKCS#11 key type 0x%lx", uri,
		                (unsigned long)kt);
		goto done;
	}
	if ((k->type = tl__key_type_of(pk, uri)) == TL_KEY_NONE) {
		err = TL_EUNSUPPORTED;
		goto done;
	}
	k->pub = pk;
	pk = NULL;
done:
	EVP_PKEY_free(pk);
	return err;
}

static tl_err parse_uri(P11KitUri **out, const char *uri)
{
	int rc;

	if (!(*out = p11_kit_uri_new()))
		return tl__nomem();
	if ((rc = p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, *out)) != P11_KIT_URI_OK) {
		p11_kit_uri_free(*out);
		*out = NULL;
		return tl__error(TL_EINVAL, "%s: not a PKCS#11 URI (RFC 7512): %s", uri,
		                 p11_kit_uri_message(rc));
	}
	return TL_OK;
}

static tl_err p11_open(tl_key *k, const char *uri)
{
	P11KitUri *u = NULL;
	tl_err err;

	if ((err = parse_uri(&u, uri)) != TL_OK)
		goto done;
	if (!(k->state = calloc(1, sizeof(p11_state)))) {
		err = tl__nomem();
		goto done;
	}
	if ((err = open_token(k->state, u, uri)) != TL_OK || (err = load_key(k, u, uri)) != TL_OK)
		goto done;
done:
	p11_kit_uri_free(u);
	if (err)
		p11_close(k);
	return err;
}

static tl_err p11_generate(tl_key *k, const char *uri, tl_key_type type)
{
	static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	P11KitUri *u = NULL;
	p11_state *s;
	CK_ATTRIBUTE *label, *idp;
	CK_OBJECT_HANDLE h, hpub, hpriv;
	CK_ULONG count, bits = 3072;
	uint8_t id[16], e65537[] = { 0x01, 0x00, 0x01 };
	CK_MECHANISM mech = { 0, NULL, 0 };
	CK_ATTRIBUTE pub[8], priv[8];
	CK_ULONG npub = 0, npriv = 0;
	CK_RV rv;
	tl_err err;

#define ATTR(arr, n, t, p, l) do { arr[n].type = (t); arr[n].pValue = (void *)(p); \
	arr[n].ulValueLen = (l); n++; } while (0)
	if ((err = parse_uri(&u, uri)) != TL_OK)
		goto done;
	label = p11_kit_uri_get_attribute(u, CKA_LABEL);
	idp = p11_kit_uri_get_attribute(u, CKA_ID);
	if (!label || !label->ulValueLen) {
		err = tl__error(TL_EINVAL, "%s: give the new key a label (object=...)", uri);
		goto done;
	}
	if (!(k->state = s = calloc(1, sizeof(p11_state)))) {
		err = tl__nomem();
		goto done;
	}
	if ((err = open_token(s, u, uri)) != TL_OK)
		goto done;
	/* Never replace: any key with this label already there is an error. */
	if ((err = find(s, u, CKO_PRIVATE_KEY, NULL, &h, &count)) != TL_OK)
		goto done;
	if (count == 0 && (err = find(s, u, CKO_PUBLIC_KEY, NULL, &h, &count)) != TL_OK)
		goto done;
	if (count) {
		err = tl__error(TL_EINVAL, "%s: a key with this label already exists; not "
		                "overwriting a key", uri);
		goto done;
	}
	if (!idp) {
		if (RAND_bytes(id, sizeof(id)) != 1) {
			err = tl__error(TL_EIO, "cannot draw a random key id");
			goto done;
		}
	}
	ATTR(pub, npub, CKA_TOKEN, &yes, sizeof(yes));
	ATTR(pub, npub, CKA_VERIFY, &yes, sizeof(yes));
	ATTR(pub, npub, CKA_LABEL, label->pValue, label->ulValueLen);
	ATTR(pub, npub, CKA_ID, idp ? idp->pValue : id, idp ? idp->ulValueLen : sizeof(id));
	ATTR(priv, npriv, CKA_TOKEN, &yes, sizeof(yes));
	ATTR(priv, npriv, CKA_PRIVATE, &yes, sizeof(yes));
	ATTR(priv, npriv, CKA_SENSITIVE, &yes, sizeof(yes));
	ATTR(priv, npriv, CKA_EXTRACTABLE, &no, sizeof(no));
	ATTR(priv, npriv, CKA_SIGN, &yes, sizeof(yes));
	ATTR(priv, npriv, CKA_LABEL, label->pValue, label->ulValueLen);
	ATTR(priv, npriv, CKA_ID, idp ? idp->pValue : id, idp ? idp->ulValueLen : sizeof(id));
	switch (type) {
	case TL_KEY_ED25519:
		mech.mechanism = CKM_EC_EDWARDS_KEY_PAIR_GEN;
		ATTR(pub, npub, CKA_EC_PARAMS, oid_ed25519, sizeof(oid_ed25519));
		break;
	case TL_KEY_P256:
		mech.mechanism = CKM_EC_KEY_PAIR_GEN;
		ATTR(pub, npub, CKA_EC_PARAMS, oid_p256, sizeof(oid_p256));
		break;
	case TL_KEY_RSA3072:
		mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
		ATTR(pub, npub, CKA_MODULUS_BITS, &bits, sizeof(bits));
		ATTR(pub, npub, CKA_PUBLIC_EXPONENT, e65537, sizeof(e65537));
		break;
	default:
		err = tl__error(TL_EINVAL, "unknown key type");
		goto done;
	}
#undef ATTR
	if ((rv = s->fl->C_GenerateKeyPair(s->sess, &mech, pub, npub, priv, npriv, &hpub,
	                                   &hpriv)) != CKR_OK) {
		err = ckr(rv, "C_GenerateKeyPair");
		goto done;
	}
	err = load_key(k, u, uri);
done:
	p11_kit_uri_free(u);
	if (err)
		p11_close(k);
	return err;
}

static tl_err p11_sign(tl_key *k, const uint8_t *msg, size_t len, tl_buf *sig)
{
	p11_state *s = k->state;
	CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
	CK_MECHANISM mech = { 0, NULL, 0 };
	uint8_t md[TL_HASH_MAX_LEN], out[512];
	CK_ULONG outlen = sizeof(out);
	const uint8_t *in = msg;
	size_t inlen = len;
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *sv = NULL;
	unsigned char *der = NULL;
	int derlen;
	CK_RV rv;
	tl_err err;

	switch (k->type) {
	case TL_KEY_ED25519:
		mech.mechanism = CKM_EDDSA;
		break;
	case TL_KEY_P256:
		mech.mechanism = CKM_ECDSA;
		if ((err = tl__key_sha256(k, msg, len, md)) != TL_OK)
			return err;
		in = md;
		inlen = 32;
		break;
	case TL_KEY_RSA3072:
		mech.mechanism = CKM_SHA256_RSA_PKCS_PSS;
		mech.pParameter = &pss;
		mech.ulParameterLen = sizeof(pss);
		break;
	default:
		return tl__error(TL_EINVAL, "pkcs11: wrong key type");
	}
	if ((rv = s->fl->C_SignInit(s->sess, &mech, s->priv)) != CKR_OK)
		return ckr(rv, "C_SignInit");
	if ((rv = s->fl->C_Sign(s->sess, (CK_BYTE_PTR)in, inlen, out, &outlen)) != CKR_OK)
		return ckr(rv, "C_Sign");
	if (k->type != TL_KEY_P256)
		return tl_buf_put(sig, out, outlen);
	/* r || s from the token to the DER we write for ECDSA. */
	if (outlen != 64)
		return tl__error(TL_EIO, "pkcs11: ECDSA signature of %lu bytes, expected 64",
		                 (unsigned long)outlen);
	err = TL_OK;
	if (!(es = ECDSA_SIG_new()) || !(r = BN_bin2bn(out, 32, NULL)) ||
	    !(sv = BN_bin2bn(out + 32, 32, NULL)) || ECDSA_SIG_set0(es, r, sv) != 1) {
		BN_free(r);
		BN_free(sv);
		err = tl__nomem();
		goto done;
	}
	if ((derlen = i2d_ECDSA_SIG(es, &der)) <= 0) {
		err = tl__nomem();
		goto done;
	}
	err = tl_buf_put(sig, der, (size_t)derlen);
done:
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	return err;
}

const tl__key_backend tl__key_backend_pkcs11 = {
	"pkcs11", p11_open, p11_generate, p11_sign, p11_close,
};
