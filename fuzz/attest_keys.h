/*
 * Public keys of two keys in swtpm (made by tpm2_create at persistent
 * handles, read with `trustline key public`): the seed corpora of the
 * attestation fuzz targets hold real quotes and evidence by these keys,
 * so the targets reach the checks after the signatures.
 */
#ifndef FUZZ_ATTEST_KEYS_H
#define FUZZ_ATTEST_KEYS_H

static const char fuzz_ec_pub[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEa5lvIbFa8R0DzhTxMKg7Rbcvcj4a\n"
	"IPCH/cIWFvr+/upIr36AinQVlrhYnjq675lT/BdsGfs14AKwJDN/awJXXw==\n"
	"-----END PUBLIC KEY-----\n";

static const char fuzz_rsa_pub[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIIBojANBgkqhkiG9w0BAQEFAAOCAY8AMIIBigKCAYEArMY6RBHcj6Q0QrwFU/iI\n"
	"CjxF4YxzbhfG3nUjGFbiC+nPFit+Ijn9VHwIEDTc1IC0X3BjKuBMfSwB2UwwF/BN\n"
	"TmvZfl2DZSkWLWsbFmZMNEMS1gmmWcaIApeb9UqjnVpeHA+rti9QIMlLC3L+DliB\n"
	"PFu8QhFHxavauLExUGJ+OXnyEMPITp1Xi/BNds1Hjc2RmMcLwCUIo9OWdrQS+x3y\n"
	"/z1MphwRRgU7pyTKD/xNchWbsOJwpUbN916eUudU9LOXk8aW3uVzDXPlaBvIuvqc\n"
	"hKd8BEzbPTLGuz7WXmKK3DOrTpyLomorfx/ahhHtYjzA0pm2JCWst0BY5H6lCVdw\n"
	"5eUduAiwl0vc9My3Z6ZlYYzCOiPiNyoSNKcc+q8N36iO6sCuLue8J5ANP0H5PzJ6\n"
	"vTecUxbb/WRyZ6slrZTfnq1h2NnH52iMPg2G0Es8B6rz2IACrC7Oq7i10oOEtgYL\n"
	"vQsj4dztH9webOgqnTz6bc2cqSu0EQjymGG9+HCpAxLnAgMBAAE=\n"
	"-----END PUBLIC KEY-----\n";

/* The nonce the seed evidence answers. */
#define FUZZ_NONCE "fuzz-nonce-0001"

#endif
