/*
 * DSSE v1 envelopes (secure-systems-lab/dsse, protocol.md and envelope.md).
 *
 * Envelope (JSON object; no other members accepted):
 *   $.payloadType          string, 1..TL_DSSE_MAX_TYPE_LEN bytes
 *   $.payload              string, base64 (standard or URL-safe) of the payload
 *   $.signatures           array, 1..TL_DSSE_MAX_SIGNATURES objects:
 *   $.signatures[i].keyid  string, optional, <= TL_DSSE_MAX_KEYID_LEN bytes
 *                          (an unauthenticated hint)
 *   $.signatures[i].sig    string, base64, 1..TL_DSSE_MAX_SIG_LEN bytes decoded
 *
 * What is signed (pre-authentication encoding):
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 *   LEN(s) = ASCII decimal byte length of s, no leading zeros; SP = 0x20
 *
 * Limits: the whole envelope through tl_json_parse (size and depth caps of
 * the caller's tl_json_limits).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust_int.h"

tl_err tl_dsse_pae(tl_buf *out, const char *type, size_t type_len, const void *body,
                   size_t body_len)
{
	tl_err err;

	if ((err = tl_buf_printf(out, "DSSEv1 %zu ", type_len)) != TL_OK ||
	    (err = tl_buf_put(out, type, type_len)) != TL_OK ||
	    (err = tl_buf_printf(out, " %zu ", body_len)) != TL_OK ||
	    (err = tl_buf_put(out, body, body_len)) != TL_OK)
		return err;
	return TL_OK;
}

void tl_dsse_envelope_free(tl_dsse_envelope *env)
{
	if (!env)
		return;
	for (size_t i = 0; i < env->nsigs; i++) {
		free(env->sigs[i].keyid);
		free(env->sigs[i].sig);
	}
	free(env->sigs);
	free(env->payload_type);
	free(env->payload);
	free(env);
}

/* Decodes the base64 string member v into *out (new) and *len. */
static tl_err b64_member(uint8_t **out, size_t *len, const json_t *v, const char *name,
                         const char *path, size_t max)
{
	tl_buf b = TL_BUF_INIT;
	tl_err err;

	*out = NULL;
	*len = 0;
	if (!json_is_string(v))
		return tl__error(TL_EPARSE, "%s: %s: expected a base64 string", name, path);
	if (json_string_length(v) / 4 * 3 > max + 3)
		return tl__error(TL_ELIMIT, "%s: %s: longer than %zu bytes", name, path, max);
	if ((err = tl_base64_decode(&b, json_string_value(v), json_string_length(v))) != TL_OK) {
		if (err == TL_EPARSE) {
			char why[256]; /* the message buffer cannot be its own argument */
			snprintf(why, sizeof(why), "%s", tl_error_last());
			err = tl__error(TL_EPARSE, "%s: %s: %s", name, path, why);
		}
		goto done;
	}
	if (b.len > max) {
		err = tl__error(TL_ELIMIT, "%s: %s: longer than %zu bytes", name, path, max);
		goto done;
	}
	if ((err = tl_buf_cstr(&b)) != TL_OK)
		goto done;
	*len = b.len;
	*out = (uint8_t *)tl_buf_detach(&b);
	if (!*out)
		err = tl__nomem();
done:
	tl_buf_dispose(&b);
	return err;
}

/* Rejects members of obj not in the NULL-terminated list. */
static tl_err only_members(const json_t *obj, const char *const *allowed, const char *name,
                           const char *path)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		size_t i;
		for (i = 0; allowed[i]; i++)
			if (!strcmp(key, allowed[i]))
				break;
		if (!allowed[i])
			return tl__error(TL_EPARSE, "%s: %s.%s: unknown member (expected %s%s%s%s%s)",
			                 name, path, key, allowed[0], allowed[1] ? ", " : "",
			                 allowed[1] ? allowed[1] : "", allowed[1] && allowed[2] ? ", " : "",
			                 allowed[1] && allowed[2] ? allowed[2] : "");
	}
	return TL_OK;
}

static tl_err parse_sig(tl_dsse_signature *s, const json_t *o, const char *name, size_t i)
{
	static const char *const allowed[] = { "keyid", "sig", NULL };
	char path[64];
	const json_t *v;
	tl_err err;

	snprintf(path, sizeof(path), "$.signatures[%zu]", i);
	if (!json_is_object(o))
		return tl__error(TL_EPARSE, "%s: %s: expected an object", name, path);
	if ((err = only_members(o, allowed, name, path)) != TL_OK)
		return err;
	if ((v = json_object_get(o, "keyid"))) {
		if (!json_is_string(v))
			return tl__error(TL_EPARSE, "%s: %s.keyid: expected a string", name, path);
		if (json_string_length(v) > TL_DSSE_MAX_KEYID_LEN)
			return tl__error(TL_ELIMIT, "%s: %s.keyid: longer than %d bytes", name, path,
			                 TL_DSSE_MAX_KEYID_LEN);
		if (!(s->keyid = tl_strdup(json_string_value(v))))
			return tl__nomem();
	}
	if (!(v = json_object_get(o, "sig")))
		return tl__error(TL_EPARSE, "%s: %s.sig: missing (expected a base64 string)", name, path);
	snprintf(path, sizeof(path), "$.signatures[%zu].sig", i);
	if ((err = b64_member(&s->sig, &s->sig_len, v, name, path, TL_DSSE_MAX_SIG_LEN)) != TL_OK)
		return err;
	if (s->sig_len == 0)
		return tl__error(TL_EPARSE, "%s: %s: empty signature", name, path);
	return TL_OK;
}

tl_err tl_dsse_parse(tl_dsse_envelope **out, const char *data, size_t len, const char *name,
                     const tl_json_limits *lim)
{
	static const char *const allowed[] = { "payload", "payloadType", "signatures", NULL };
	tl_dsse_envelope *env = NULL;
	json_t *root = NULL;
	const json_t *v, *sigs;
	size_t max_payload = lim && lim->max_bytes ? lim->max_bytes : TL_FILE_DEFAULT_MAX;
	tl_err err;

	*out = NULL;
	if (!name)
		name = "envelope";
	if ((err = tl_json_parse(&root, data, len, name, lim)) != TL_OK)
		goto done;
	if (!json_is_object(root)) {
		err = tl__error(TL_EPARSE, "%s: $: expected a DSSE envelope object", name);
		goto done;
	}
	if ((err = only_members(root, allowed, name, "$")) != TL_OK)
		goto done;
	if (!(env = calloc(1, sizeof(*env)))) {
		err = tl__nomem();
		goto done;
	}
	v = json_object_get(root, "payloadType");
	if (!json_is_string(v)) {
		err = tl__error(TL_EPARSE, "%s: $.payloadType: %s", name,
		                v ? "expected a string" : "missing (expected a string)");
		goto done;
	}
	if (json_string_length(v) == 0 || json_string_length(v) > TL_DSSE_MAX_TYPE_LEN) {
		err = tl__error(TL_EPARSE, "%s: $.payloadType: expected 1 to %d bytes", name,
		                TL_DSSE_MAX_TYPE_LEN);
		goto done;
	}
	if (!(env->payload_type = tl_strdup(json_string_value(v)))) {
		err = tl__nomem();
		goto done;
	}
	if (!(v = json_object_get(root, "payload"))) {
		err = tl__error(TL_EPARSE, "%s: $.payload: missing (expected a base64 string)", name);
		goto done;
	}
	if ((err = b64_member(&env->payload, &env->payload_len, v, name, "$.payload",
	                      max_payload)) != TL_OK)
		goto done;
	sigs = json_object_get(root, "signatures");
	if (!json_is_array(sigs)) {
		err = tl__error(TL_EPARSE, "%s: $.signatures: %s", name,
		                sigs ? "expected an array" : "missing (expected an array)");
		goto done;
	}
	if (json_array_size(sigs) == 0) {
		err = tl__error(TL_EPARSE, "%s: $.signatures: empty (expected at least one signature)",
		                name);
		goto done;
	}
	if (json_array_size(sigs) > TL_DSSE_MAX_SIGNATURES) {
		err = tl__error(TL_ELIMIT, "%s: $.signatures: %zu signatures, more than the limit of %d",
		                name, json_array_size(sigs), TL_DSSE_MAX_SIGNATURES);
		goto done;
	}
	if (!(env->sigs = calloc(json_array_size(sigs), sizeof(*env->sigs)))) {
		err = tl__nomem();
		goto done;
	}
	for (size_t i = 0; i < json_array_size(sigs); i++) {
		env->nsigs = i + 1;
		if ((err = parse_sig(&env->sigs[i], json_array_get(sigs, i), name, i)) != TL_OK)
			goto done;
	}
	*out = env;
	env = NULL;
done:
	tl_dsse_envelope_free(env);
	json_decref(root);
	return err;
}

tl_err tl_dsse_sign(tl_buf *out, tl_key *key, const char *payload_type, const void *payload,
                    size_t len)
{
	tl_buf pae = TL_BUF_INIT, sig = TL_BUF_INIT, b64 = TL_BUF_INIT, sigb64 = TL_BUF_INIT;
	char keyid[TL_KEY_ID_HEX_LEN + 1];
	json_t *root = NULL, *s = NULL;
	size_t tlen = strlen(payload_type);
	tl_err err;

	if (tlen == 0 || tlen > TL_DSSE_MAX_TYPE_LEN) {
		err = tl__error(TL_EINVAL, "payload type: expected 1 to %d bytes", TL_DSSE_MAX_TYPE_LEN);
		goto done;
	}
	if ((err = tl_dsse_pae(&pae, payload_type, tlen, payload, len)) != TL_OK ||
	    (err = tl_key_sign(&sig, key, pae.ptr, pae.len)) != TL_OK ||
	    (err = tl_key_id(keyid, key)) != TL_OK ||
	    (err = tl_base64_encode(&b64, payload, len)) != TL_OK ||
	    (err = tl_base64_encode(&sigb64, sig.ptr, sig.len)) != TL_OK ||
	    (err = tl_buf_cstr(&b64)) != TL_OK)
		goto done;
	if (!(s = json_pack("{s:s, s:s}", "keyid", keyid, "sig", sigb64.ptr)) ||
	    !(root = json_pack("{s:s, s:s, s:[O]}", "payload", b64.ptr, "payloadType", payload_type,
	                       "signatures", s))) {
		err = tl__error(TL_EINVAL, "payload type: expected UTF-8 text");
		goto done;
	}
	err = tl_json_dump(out, root);
done:
	json_decref(s);
	json_decref(root);
	tl_buf_dispose(&pae);
	tl_buf_dispose(&sig);
	tl_buf_dispose(&b64);
	tl_buf_dispose(&sigb64);
	return err;
}

tl_err tl_dsse_verify(const tl_dsse_envelope *env, const tl_key *pub, size_t *which)
{
	tl_buf pae = TL_BUF_INIT;
	char keyid[TL_KEY_ID_HEX_LEN + 1];
	tl__sig_result res;
	bool named = false, shape = false, hinted = false;
	char reason[512] = "";
	tl_err err = TL_ECHECK; /* fails closed: only a verified signature clears it */
	tl_err e;

	if ((e = tl_key_id(keyid, pub)) != TL_OK ||
	    (e = tl_dsse_pae(&pae, env->payload_type, strlen(env->payload_type), env->payload,
	                     env->payload_len)) != TL_OK || (e = tl_buf_cstr(&pae)) != TL_OK) {
		err = e;
		goto done;
	}
	/* keyid is only a hint: every signature is tried, the hint picks the
	 * reason reported when none verifies. */
	for (size_t i = 0; i < env->nsigs; i++) {
		const tl_dsse_signature *s = &env->sigs[i];
		bool names_us = s->keyid && !strcmp(s->keyid, keyid);
		if ((e = tl__key_verify(&res, pub, (const uint8_t *)pae.ptr, pae.len, s->sig,
		                        s->sig_len, TL_SIG_AUTO)) != TL_OK) {
			err = e;
			goto done;
		}
		if (res == TL__SIG_OK) {
			if (which)
				*which = i;
			err = TL_OK;
			goto done;
		}
		if (s->keyid && *s->keyid)
			hinted = true;
		if (names_us && !named) {
			named = true;
			snprintf(reason, sizeof(reason), "%s", tl_error_last());
		}
		if (res == TL__SIG_SHAPE && !shape && !named) {
			shape = true;
			snprintf(reason, sizeof(reason), "%s", tl_error_last());
		}
	}
	if (named)
		tl__error(TL_ECHECK, "bad signature by key %s: the signature naming this key does "
		          "not verify (%s)", keyid, reason);
	else if (shape)
		tl__error(TL_ECHECK, "%s (key %s is %s)", reason, keyid, tl_key_type_name(pub->type));
	else if (hinted)
		tl__error(TL_ECHECK, "no signature by key %s: the envelope's %zu signature%s name%s "
		          "other keys and none verifies with this one", keyid, env->nsigs,
		          env->nsigs == 1 ? "" : "s", env->nsigs == 1 ? "s" : "");
	else
		tl__error(TL_ECHECK, "bad signature: none of the envelope's %zu signature%s verifies "
		          "with key %s (%s)", env->nsigs,
		          env->nsigs == 1 ? "" : "s", keyid, tl_key_type_name(pub->type));
done:
	tl_buf_dispose(&pae);
	return err;
}
