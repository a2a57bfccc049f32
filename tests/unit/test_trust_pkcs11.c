/*
 * Unit tests of the PKCS#11 key backend against SoftHSM2 (its own token
 * in a temporary SOFTHSM2_CONF): keys made through tl_key_generate stay in
 * the token (sensitive, never extractable, CKA_VALUE refused), sign, and
 * verify.  Skipped when SoftHSM2 is not installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trustline/trust.h"

/* SoftHSM2 2.6.1 leaks 37 bytes in each CKM_EDDSA C_SignInit, inside the
 * module (tests/data/trust/lsan-softhsm.supp); read by LeakSanitizer only. */
__attribute__((visibility("default"))) const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:p11_sign\n";
}

/* The slow unwinder reaches p11_sign through the module's frames. */
__attribute__((visibility("default"))) const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

static char dir[256];
static const char *module;

static int setup(void **state)
{
	static const char *const mods[] = { "/usr/lib/softhsm/libsofthsm2.so",
	                                    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so" };
	char path[512], cmd[1024];
	FILE *f;

	(void)state;
	for (size_t i = 0; i < 2 && !module; i++)
		if (access(mods[i], R_OK) == 0)
			module = mods[i];
	snprintf(dir, sizeof(dir), "/tmp/tl-test-p11-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	if (!module || system("command -v softhsm2-util >/dev/null") != 0)
		return 0; /* the tests skip */
	snprintf(path, sizeof(path), "%s/tokens", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/softhsm2.conf", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n", dir);
	fclose(f);
	setenv("SOFTHSM2_CONF", path, 1);
	snprintf(cmd, sizeof(cmd), "softhsm2-util --init-token --free --label unit --pin 1234 "
	         "--so-pin 5678 >/dev/null");
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The private key labelled label is sensitive, never extractable, and the
 * token refuses to return its secret attribute. */
static void check_private_stays_in_token(const char *label, CK_ATTRIBUTE_TYPE secret)
{
	CK_FUNCTION_LIST *m = p11_kit_module_load(module, 0);
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8, found = 0;
	CK_SESSION_HANDLE s;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[2] = { { CKA_CLASS, &cls, sizeof(cls) },
	                         { CKA_LABEL, (void *)label, strlen(label) } };
	CK_OBJECT_HANDLE o;
	CK_BBOOL sensitive = CK_FALSE, extractable = CK_TRUE, never = CK_FALSE, always = CK_FALSE;
	CK_ATTRIBUTE a[4] = { { CKA_SENSITIVE, &sensitive, sizeof(CK_BBOOL) },
	                      { CKA_EXTRACTABLE, &extractable, sizeof(CK_BBOOL) },
	                      { CKA_NEVER_EXTRACTABLE, &never, sizeof(CK_BBOOL) },
	                      { CKA_ALWAYS_SENSITIVE, &always, sizeof(CK_BBOOL) } };
	uint8_t value[1024];
	CK_ATTRIBUTE v = { secret, value, sizeof(value) };
	CK_ULONG i;
	CK_RV rv;

	assert_non_null(m);
	assert_int_equal(p11_kit_module_initialize(m), CKR_OK);
	assert_int_equal(m->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	for (i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		assert_int_equal(m->C_GetTokenInfo(slots[i], &ti), CKR_OK);
		if (!memcmp(ti.label, "unit ", 5))
			break;
	}
	assert_true(i < n);
	assert_int_equal(m->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	/* Already logged in when the backend's module instance still is. */
	rv = m->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4);
	assert_true(rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN);
	assert_int_equal(m->C_FindObjectsInit(s, tmpl, 2), CKR_OK);
	assert_int_equal(m->C_FindObjects(s, &o, 1, &found), CKR_OK);
	m->C_FindObjectsFinal(s);
	assert_int_equal(found, 1);
	assert_int_equal(m->C_GetAttributeValue(s, o, a, 4), CKR_OK);
	assert_true(sensitive);
	assert_false(extractable);
	assert_true(never);
	assert_true(always);
	/* The token refuses to hand out the private value. */
	assert_int_equal(m->C_GetAttributeValue(s, o, &v, 1), CKR_ATTRIBUTE_SENSITIVE);
	m->C_CloseSession(s);
	p11_kit_module_finalize(m);
	p11_kit_module_release(m);
}

static void roundtrip(tl_key_type type)
{
	char uri[1024], label[64];
	tl_key *k = NULL, *again = NULL;
	tl_buf sig = TL_BUF_INIT, pem = TL_BUF_INIT;
	tl_key *pub = NULL;
	char id1[TL_KEY_ID_HEX_LEN + 1], id2[TL_KEY_ID_HEX_LEN + 1];

	if (!module)
		skip();
	snprintf(label, sizeof(label), "unit-%s", tl_key_type_name(type));
	snprintf(uri, sizeof(uri), "pkcs11:token=unit;object=%s?pin-value=1234&module-path=%s",
	         label, module);
	assert_int_equal(tl_key_generate(&k, uri, type), TL_OK);
	assert_int_equal(tl_key_get_type(k), type);
	assert_true(tl_key_can_sign(k));
	assert_int_equal(tl_key_generate(&again, uri, type), TL_EINVAL);
	assert_null(again);
	check_private_stays_in_token(label, type == TL_KEY_RSA3072 ? CKA_PRIVATE_EXPONENT : CKA_VALUE);

	assert_int_equal(tl_key_open(&again, uri), TL_OK);
	assert_int_equal(tl_key_id(id1, k), TL_OK);
	assert_int_equal(tl_key_id(id2, again), TL_OK);
	assert_string_equal(id1, id2);
	assert_int_equal(tl_key_sign(&sig, again, "payload", 7), TL_OK);
	assert_int_equal(tl_key_public_pem(&pem, k), TL_OK);
	assert_int_equal(tl_key_from_public(&pub, pem.ptr, pem.len, "pub"), TL_OK);
	assert_int_equal(tl_key_verify(pub, "payload", 7, sig.ptr, sig.len, TL_SIG_DER), TL_OK);
	assert_int_equal(tl_key_verify(pub, "paylaod", 7, sig.ptr, sig.len, TL_SIG_DER), TL_ECHECK);
	tl_buf_dispose(&sig);
	tl_buf_dispose(&pem);
	tl_key_free(k);
	tl_key_free(again);
	tl_key_free(pub);
}

static void test_trust_pkcs11__ed25519_in_token(void **state)
{
	(void)state;
	roundtrip(TL_KEY_ED25519);
}

static void test_trust_pkcs11__p256_in_token(void **state)
{
	(void)state;
	roundtrip(TL_KEY_P256);
}

static void test_trust_pkcs11__rsa3072_in_token(void **state)
{
	(void)state;
	roundtrip(TL_KEY_RSA3072);
}

static void test_trust_pkcs11__errors(void **state)
{
	tl_key *k = NULL;
	char uri[1024];

	(void)state;
	if (!module)
		skip();
	snprintf(uri, sizeof(uri), "pkcs11:token=unit;object=unit-p256?pin-value=0000&module-path=%s",
	         module);
	assert_int_not_equal(tl_key_open(&k, uri), TL_OK);
	assert_non_null(strstr(tl_error_last(), "C_Login"));
	snprintf(uri, sizeof(uri), "pkcs11:token=other;object=x?pin-value=1234&module-path=%s", module);
	assert_int_equal(tl_key_open(&k, uri), TL_ENOTFOUND);
	assert_int_equal(tl_key_open(&k, "pkcs11:object=%zz"), TL_EINVAL);
	snprintf(uri, sizeof(uri), "pkcs11:token=unit?pin-value=1234&module-path=%s", module);
	assert_int_equal(tl_key_generate(&k, uri, TL_KEY_P256), TL_EINVAL);
	assert_null(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trust_pkcs11__ed25519_in_token),
		cmocka_unit_test(test_trust_pkcs11__p256_in_token),
		cmocka_unit_test(test_trust_pkcs11__rsa3072_in_token),
		cmocka_unit_test(test_trust_pkcs11__errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
