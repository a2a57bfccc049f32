/*
 * in-toto Statement v1 (in-toto/attestation spec/v1/statement.md).
 *
 *   $._type                    "https://in-toto.io/Statement/v1"
 *                              ("https://in-toto.io/Statement/v0.1" read too)
 *   $.subject                  array, 1..TL_STATEMENT_MAX_SUBJECTS objects
 *   $.subject[i].name          string, optional
 *   $.subject[i].digest        object, at least one member; each value a
 *                              string; "sha256" 64 and "sha512" 128 hex
 *                              digits (lower-case written; either case read)
 *   $.subject[i].uri, .annotations, .content, .downloadLocation, .mediaType
 *                              ResourceDescriptor fields, accepted, unused
 *   $.predicateType            string, non-empty
 *   $.predicate                object, optional
 * Other top-level members are refused.  Limits: tl_json_parse's.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trust_int.h"

void tl_statement_free(tl_statement *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nsubjects; i++)
		free(st->subjects[i].name);
	free(st->subjects);
	free(st->type);
	free(st->predicate_type);
	json_decref(st->predicate);
	free(st);
}

/* Copies hex digest v (want hex digits) into out, lower-cased. */
static tl_err hex_digest(char *out, const json_t *v, size_t want, const char *name,
                         size_t i, const char *alg)
{
	const char *s;

	if (!json_is_string(v))
		return tl__error(TL_EPARSE, "%s: $.subject[%zu].digest.%s: expected a hex string",
		                 name, i, alg);
	s = json_string_value(v);
	if (json_string_length(v) != want)
		return tl__error(TL_EPARSE, "%s: $.subject[%zu].digest.%s: expected %zu hex digits, "
		                 "got %zu characters", name, i, alg, want, json_string_length(v));
	for (size_t k = 0; k < want; k++) {
		char c = s[k];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return tl__error(TL_EPARSE, "%s: $.subject[%zu].digest.%s: character %zu is not "
			                 "a hex digit", name, i, alg, k);
		out[k] = c;
	}
	out[want] = '\0';
	return TL_OK;
}

static tl_err parse_subject(tl_statement_subject *sub, const json_t *o, const char *name,
                            size_t i)
{
	static const char *const allowed[] = { "name", "digest", "uri", "annotations", "content",
	                                       "downloadLocation", "mediaType", NULL };
	const char *key;
	const json_t *v, *d;
	tl_err err;

	if (!json_is_object(o))
		return tl__error(TL_EPARSE, "%s: $.subject[%zu]: expected an object", name, i);
	json_object_foreach((json_t *)o, key, v) {
		size_t k;
		for (k = 0; allowed[k]; k++)
			if (!strcmp(key, allowed[k]))
				break;
		if (!allowed[k])
			return tl__error(TL_EPARSE, "%s: $.subject[%zu].%s: unknown member", name, i, key);
	}
	if ((v = json_object_get(o, "name"))) {
		if (!json_is_string(v))
			return tl__error(TL_EPARSE, "%s: $.subject[%zu].name: expected a string", name, i);
		if (!(sub->name = tl_strdup(json_string_value(v))))
			return tl__nomem();
	}
	d = json_object_get(o, "digest");
	if (!json_is_object(d))
		return tl__error(TL_EPARSE, "%s: $.subject[%zu].digest: %s", name, i,
		                 d ? "expected an object" : "missing (expected an object)");
	if (json_object_size(d) == 0)
		return tl__error(TL_EPARSE, "%s: $.subject[%zu].digest: empty (expected at least one "
		                 "digest)", name, i);
	json_object_foreach((json_t *)d, key, v) {
		if (!strcmp(key, "sha256"))
			err = hex_digest(sub->sha256, v, 64, name, i, key);
		else if (!strcmp(key, "sha512"))
			err = hex_digest(sub->sha512, v, 128, name, i, key);
		else if (!json_is_string(v))
			err = tl__error(TL_EPARSE, "%s: $.subject[%zu].digest.%s: expected a string",
			                name, i, key);
		else
			err = TL_OK;
		if (err != TL_OK)
			return err;
	}
	return TL_OK;
}

tl_err tl_statement_parse(tl_statement **out, const char *data, size_t len, const char *name,
                          const tl_json_limits *lim)
{
	static const char *const allowed[] = { "_type", "subject", "predicateType", "predicate", NULL };
	tl_statement *st = NULL;
	json_t *root = NULL;
	const json_t *v, *subj;
	const char *key;
	json_t *jv;
	tl_err err;

	*out = NULL;
	if (!name)
		name = "statement";
	if ((err = tl_json_parse(&root, data, len, name, lim)) != TL_OK)
		goto done;
	if (!json_is_object(root)) {
		err = tl__error(TL_EPARSE, "%s: $: expected an in-toto Statement object", name);
		goto done;
	}
	json_object_foreach(root, key, jv) {
		size_t k;
		for (k = 0; allowed[k]; k++)
			if (!strcmp(key, allowed[k]))
				break;
		if (!allowed[k]) {
			err = tl__error(TL_EPARSE, "%s: $.%s: unknown member (expected _type, subject, "
			                "predicateType, predicate)", name, key);
			goto done;
		}
	}
	if (!(st = calloc(1, sizeof(*st)))) {
		err = tl__nomem();
		goto done;
	}
	v = json_object_get(root, "_type");
	if (!json_is_string(v) || (strcmp(json_string_value(v), TL_INTOTO_STATEMENT_V1) != 0 &&
	                           strcmp(json_string_value(v), TL_INTOTO_STATEMENT_V01) != 0)) {
		err = tl__error(TL_EPARSE, "%s: $._type: expected \"%s\"", name, TL_INTOTO_STATEMENT_V1);
		goto done;
	}
	if (!(st->type = tl_strdup(json_string_value(v)))) {
		err = tl__nomem();
		goto done;
	}
	subj = json_object_get(root, "subject");
	if (!json_is_array(subj) || json_array_size(subj) == 0) {
		err = tl__error(TL_EPARSE, "%s: $.subject: %s", name,
		                !subj ? "missing (expected an array)" : !json_is_array(subj) ?
		                "expected an array" : "empty (expected at least one subject)");
		goto done;
	}
	if (json_array_size(subj) > TL_STATEMENT_MAX_SUBJECTS) {
		err = tl__error(TL_ELIMIT, "%s: $.subject: %zu subjects, more than the limit of %d",
		                name, json_array_size(subj), TL_STATEMENT_MAX_SUBJECTS);
		goto done;
	}
	if (!(st->subjects = calloc(json_array_size(subj), sizeof(*st->subjects)))) {
		err = tl__nomem();
		goto done;
	}
	for (size_t i = 0; i < json_array_size(subj); i++) {
		st->nsubjects = i + 1;
		if ((err = parse_subject(&st->subjects[i], json_array_get(subj, i), name, i)) != TL_OK)
			goto done;
	}
	v = json_object_get(root, "predicateType");
	if (!json_is_string(v) || json_string_length(v) == 0) {
		err = tl__error(TL_EPARSE, "%s: $.predicateType: %s", name,
		                v ? "expected a non-empty string" : "missing (expected a URI string)");
		goto done;
	}
	if (!(st->predicate_type = tl_strdup(json_string_value(v)))) {
		err = tl__nomem();
		goto done;
	}
	if ((v = json_object_get(root, "predicate"))) {
		if (!json_is_object(v)) {
			err = tl__error(TL_EPARSE, "%s: $.predicate: expected an object", name);
			goto done;
		}
		st->predicate = json_incref((json_t *)v);
	}
	*out = st;
	st = NULL;
done:
	tl_statement_free(st);
	json_decref(root);
	return err;
}

/* SHA-256 and SHA-512 of a file in one pass (so both describe the same
 * bytes even if the file changes meanwhile), as lower-case hex. */
tl_err tl__hash_file2(const char *path, char h256[64 + 1], char h512[128 + 1])
{
	tl_hash_ctx *a = NULL, *b = NULL;
	uint8_t md[TL_HASH_MAX_LEN];
	size_t mdlen = 0;
	int fd;
	tl_err err;
	static _Thread_local uint8_t chunk[1 << 16];

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return tl__error(TL_EIO, "%s: cannot open: %s", path, strerror(errno));
	if ((err = tl_hash_new(&a, TL_HASH_SHA256)) != TL_OK ||
	    (err = tl_hash_new(&b, TL_HASH_SHA512)) != TL_OK)
		goto done;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = tl__error(TL_EIO, "%s: read failed: %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		if ((err = tl_hash_update(a, chunk, (size_t)n)) != TL_OK ||
		    (err = tl_hash_update(b, chunk, (size_t)n)) != TL_OK)
			goto done;
	}
	if ((err = tl_hash_final(a, md, &mdlen)) != TL_OK)
		goto done;
	tl_hex(h256, md, mdlen);
	if ((err = tl_hash_final(b, md, &mdlen)) != TL_OK)
		goto done;
	tl_hex(h512, md, mdlen);
done:
	tl_hash_free(a);
	tl_hash_free(b);
	close(fd);
	return err;
}

const char *tl_predicate_type_uri(const char *name)
{
	if (!strcmp(name, "cyclonedx"))
		return TL_PREDICATE_CYCLONEDX;
	if (!strcmp(name, "spdx"))
		return TL_PREDICATE_SPDX;
	if (!strcmp(name, "slsa-provenance"))
		return TL_PREDICATE_SLSA_PROVENANCE;
	if (strchr(name, ':'))
		return name;
	return NULL;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

tl_err tl_statement_build(tl_buf *out, const char *artifact_path, const char *predicate_type,
                          const json_t *predicate)
{
	char h256[64 + 1], h512[128 + 1];
	json_t *root = NULL, *pred = NULL;
	tl_err err;

	if ((err = tl__hash_file2(artifact_path, h256, h512)) != TL_OK)
		goto done;
	if (predicate && !json_is_object(predicate)) {
		err = tl__error(TL_EINVAL, "predicate: expected a JSON object");
		goto done;
	}
	if (!(pred = predicate ? json_incref((json_t *)predicate) : json_object())) {
		err = tl__nomem();
		goto done;
	}
	/* "o" takes the reference to pred, even when packing fails. */
	root = json_pack("{s:s, s:[{s:s, s:{s:s, s:s}}], s:s, s:o}",
	                 "_type", TL_INTOTO_STATEMENT_V1,
	                 "subject", "name", base_name(artifact_path), "digest", "sha256", h256,
	                 "sha512", h512,
	                 "predicateType", predicate_type,
	                 "predicate", pred);
	if (!root) {
		err = tl__error(TL_EINVAL, "%s: cannot build the statement (file name or predicate "
		                "type not UTF-8?)", artifact_path);
		goto done;
	}
	err = tl_json_dump(out, root);
done:
	json_decref(root);
	return err;
}

tl_err tl_statement_match_artifact(const tl_statement *st, const char *path)
{
	char h256[64 + 1], h512[128 + 1];
	bool any = false;
	tl_err err;

	if ((err = tl__hash_file2(path, h256, h512)) != TL_OK)
		return err;
	err = TL_ECHECK; /* fails closed */
	for (size_t i = 0; i < st->nsubjects; i++) {
		const tl_statement_subject *s = &st->subjects[i];
		if (!s->sha256[0] && !s->sha512[0])
			continue;
		any = true;
		if (s->sha256[0] && CRYPTO_memcmp(s->sha256, h256, 64) != 0)
			continue;
		if (s->sha512[0] && CRYPTO_memcmp(s->sha512, h512, 128) != 0)
			continue;
		return TL_OK;
	}
	if (!any)
		return tl__error(TL_ECHECK, "%s: digest mismatch: no subject of the statement carries "
		                 "a sha256 or sha512 digest to compare", path);
	return tl__error(TL_ECHECK, "%s: digest mismatch: sha256 %s matches no subject of the "
	                 "statement", path, h256);
}
