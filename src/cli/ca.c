/*
 * trustline ca init | ca issue | ca revoke | ca crl, and trustline device
 * csr: the manufacturer CA (root and issuing CA, device certificates in
 * the IEEE 802.1AR IDevID style, revocation, CRLs) and the device side of
 * enrolment.  docs/pki.md.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "trustline/trust.h"

typedef struct {
	const char *name;  /* "--dir" */
	const char *alias; /* "-o" or NULL */
	const char **val;
} opt;

/*
 * Reads "--name V" options of opts into their slots; anything else is a
 * usage error.  Returns -1 when all went well, else the exit code (0 for
 * --help, after usage was printed).
 */
static int parse_opts(int argc, char **argv, const opt *opts, const char *cmd,
                      void (*usage)(FILE *))
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		bool missing = false;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		for (const opt *o = opts; o->name && !v && !missing; o++) {
			if ((v = cli_opt_value(argc, argv, &i, o->name, &missing)) ||
			    (!missing && o->alias && (v = cli_opt_value(argc, argv, &i, o->alias, &missing))))
				*o->val = v;
		}
		if (missing)
			return cli_usage_error("%s: %s needs a value", cmd, a);
		if (!v)
			return cli_usage_error("%s: unexpected argument '%s' (see --help)", cmd, a);
	}
	return -1;
}

static int parse_days(unsigned *out, const char *s, const char *cmd, uint64_t max)
{
	uint64_t v;

	*out = 0;
	if (!s)
		return -1;
	if (!tl_parse_u64(s, &v) || v == 0 || v > max)
		return cli_usage_error("%s: --days: expected a number from 1 to %llu", cmd,
		                       (unsigned long long)max);
	*out = (unsigned)v;
	return -1;
}

/* ---- ca init ------------------------------------------------------------ */

static void init_usage(FILE *f)
{
	fputs("usage: trustline ca init --dir CADIR --root-key URI --issuing-key URI\n"
	      "                         [--subject /O=.../CN=...] [--issuing-subject ...]\n"
	      "                         [--days N] [--crl-url URL]\n"
	      "\n"
	      "Creates a manufacturer CA in CADIR: a self-signed root CA certificate for the\n"
	      "root key and an issuing CA certificate (path length 0) signed by the root.\n"
	      "Keys are named by URI (a file, pkcs11:..., tpm2:...) and must exist (trustline\n"
	      "key generate); they sign inside their token or TPM.\n"
	      "\n"
	      "Options:\n"
	      "      --dir CADIR             the CA directory (created; must not hold a CA)\n"
	      "      --root-key URI          the root CA key (required)\n"
	      "      --issuing-key URI       the issuing CA key (required)\n"
	      "      --subject NAME          root CA subject (default /CN=trustline root CA)\n"
	      "      --issuing-subject NAME  issuing CA subject (default /CN=trustline issuing CA);\n"
	      "                              its O is copied into device certificates\n"
	      "      --days N                validity of both CA certificates (default 7300)\n"
	      "      --crl-url URL           CRL distribution point for device certificates\n"
	      "  -h, --help                  this help\n",
	      f);
}

int cmd_ca_init(int argc, char **argv)
{
	const char *dir = NULL, *rk = NULL, *ik = NULL, *days = NULL;
	tl_ca_init_opts o = { 0 };
	const opt opts[] = {
		{ "--dir", NULL, &dir }, { "--root-key", NULL, &rk }, { "--issuing-key", NULL, &ik },
		{ "--subject", NULL, &o.root_subject }, { "--issuing-subject", NULL, &o.issuing_subject },
		{ "--days", NULL, &days }, { "--crl-url", NULL, &o.crl_url }, { NULL, NULL, NULL },
	};
	tl_err err;
	int rc;

	if ((rc = parse_opts(argc, argv, opts, "ca init", init_usage)) >= 0)
		return rc;
	if (!dir || !rk || !ik)
		return cli_usage_error("ca init: --dir, --root-key and --issuing-key are required");
	if ((rc = parse_days(&o.days, days, "ca init", 36500)) >= 0)
		return rc;
	if ((err = tl_ca_init(dir, rk, ik, &o)) != TL_OK)
		return cli_fail(err);
	if (!cli_g.quiet)
		printf("CA created in %s: root.pem, issuing.pem, chain.pem\n", dir);
	return fflush(stdout) == 0 ? 0 : 2;
}

/* ---- ca issue ----------------------------------------------------------- */

static void issue_usage(FILE *f)
{
	fputs("usage: trustline ca issue --dir CADIR --csr FILE [--serial-number S]\n"
	      "                          [--product P] [-o CERT]\n"
	      "\n"
	      "Issues a device certificate in the IEEE 802.1AR IDevID style from a PKCS#10\n"
	      "request (trustline device csr): subject serialNumber and product, keyUsage\n"
	      "digitalSignature, not a CA, no expiry (notAfter 99991231235959Z).  The\n"
	      "request's signature must verify and its key be ed25519, P-256 or RSA-3072.\n"
	      "With -o, prints the certificate's serial number (hex) on standard output.\n"
	      "\n"
	      "Options:\n"
	      "      --dir CADIR          the CA directory (required)\n"
	      "      --csr FILE           the request, PEM or DER (required)\n"
	      "      --serial-number S    device serial (default: the request's serialNumber;\n"
	      "                           if both are given they must be equal)\n"
	      "      --product P          product/model, subject OU (default: the request's OU)\n"
	      "      --not-before TIME    start of validity, RFC 3339 (default: now)\n"
	      "      --not-after TIME     end of validity, RFC 3339 (default: no expiry)\n"
	      "  -o, --output CERT        write the certificate PEM to CERT (default stdout)\n"
	      "  -h, --help               this help\n"
	      "\n"
	      "Exit status: 0 issued; 1 the request was refused (bad signature, wrong key\n"
	      "type, serial mismatch); 2 usage, input or I/O error.\n",
	      f);
}

int cmd_ca_issue(int argc, char **argv)
{
	const char *dir = NULL, *csr = NULL, *out = NULL, *nb = NULL, *na = NULL;
	tl_ca_issue_opts o = { 0 };
	const opt opts[] = {
		{ "--dir", NULL, &dir }, { "--csr", NULL, &csr },
		{ "--serial-number", NULL, &o.serial_number }, { "--product", NULL, &o.product },
		{ "--not-before", NULL, &nb }, { "--not-after", NULL, &na },
		{ "--output", "-o", &out }, { NULL, NULL, NULL },
	};
	char serial[TL_CA_SERIAL_HEX_LEN + 1];
	tl_buf data = TL_BUF_INIT, pem = TL_BUF_INIT;
	tl_err err;
	int rc;

	if ((rc = parse_opts(argc, argv, opts, "ca issue", issue_usage)) >= 0)
		return rc;
	if (!dir || !csr)
		return cli_usage_error("ca issue: --dir and --csr are required");
	if (nb && tl_time_parse(&o.not_before, nb) != TL_OK)
		return cli_usage_error("ca issue: --not-before: expected an RFC 3339 date-time");
	if (na && tl_time_parse(&o.not_after, na) != TL_OK)
		return cli_usage_error("ca issue: --not-after: expected an RFC 3339 date-time");
	if ((err = tl_file_read(&data, csr, TL_X509_MAX_FILE)) != TL_OK ||
	    (err = tl_ca_issue(&pem, serial, dir, data.ptr, data.len, csr, &o)) != TL_OK) {
		rc = cli_fail(err);
		goto done;
	}
	if ((rc = cli_write_output(out, &pem)) != 0)
		goto done;
	if (out && strcmp(out, "-") != 0 && !cli_g.quiet)
		printf("serial: %s\n", serial);
	rc = fflush(stdout) == 0 ? 0 : 2;
done:
	tl_buf_dispose(&data);
	tl_buf_dispose(&pem);
	return rc;
}

/* ---- ca revoke ---------------------------------------------------------- */

static void revoke_usage(FILE *f)
{
	fputs("usage: trustline ca revoke --dir CADIR --serial HEX [--reason R]\n"
	      "\n"
	      "Marks a certificate this CA issued (a device certificate, or the issuing CA\n"
	      "certificate) as revoked; the next 'trustline ca crl' lists it.\n"
	      "\n"
	      "Options:\n"
	      "      --dir CADIR    the CA directory (required)\n"
	      "      --serial HEX   the certificate's serial number in hex (required)\n"
	      "      --reason R     RFC 5280 CRLReason: unspecified (default), keyCompromise,\n"
	      "                     cACompromise, affiliationChanged, superseded,\n"
	      "                     cessationOfOperation, certificateHold, privilegeWithdrawn,\n"
	      "                     aACompromise\n"
	      "  -h, --help         this help\n",
	      f);
}

int cmd_ca_revoke(int argc, char **argv)
{
	const char *dir = NULL, *serial = NULL, *reason = NULL;
	const opt opts[] = {
		{ "--dir", NULL, &dir }, { "--serial", NULL, &serial }, { "--reason", NULL, &reason },
		{ NULL, NULL, NULL },
	};
	tl_err err;
	int rc;

	if ((rc = parse_opts(argc, argv, opts, "ca revoke", revoke_usage)) >= 0)
		return rc;
	if (!dir || !serial)
		return cli_usage_error("ca revoke: --dir and --serial are required");
	if ((err = tl_ca_revoke(dir, serial, reason)) != TL_OK)
		return cli_fail(err);
	if (!cli_g.quiet)
		printf("revoked: %s (%s)\n", serial, reason ? reason : "unspecified");
	return fflush(stdout) == 0 ? 0 : 2;
}

/* ---- ca crl ------------------------------------------------------------- */

static void crl_usage(FILE *f)
{
	fputs("usage: trustline ca crl --dir CADIR [-o CRL.pem] [--days N]\n"
	      "\n"
	      "Writes two v2 CRLs (PEM): the issuing CA's, listing revoked device\n"
	      "certificates, then the root's, listing the issuing CA if revoked; each with\n"
	      "the next CRL number and reason codes.  Signing needs both CA keys.\n"
	      "\n"
	      "Options:\n"
	      "      --dir CADIR      the CA directory (required)\n"
	      "      --days N         nextUpdate N days from now (default 30)\n"
	      "  -o, --output FILE    write the CRLs to FILE (default standard output)\n"
	      "  -h, --help           this help\n",
	      f);
}

int cmd_ca_crl(int argc, char **argv)
{
	const char *dir = NULL, *out = NULL, *days = NULL;
	const opt opts[] = {
		{ "--dir", NULL, &dir }, { "--days", NULL, &days }, { "--output", "-o", &out },
		{ NULL, NULL, NULL },
	};
	tl_buf pem = TL_BUF_INIT;
	unsigned d;
	tl_err err;
	int rc;

	if ((rc = parse_opts(argc, argv, opts, "ca crl", crl_usage)) >= 0)
		return rc;
	if (!dir)
		return cli_usage_error("ca crl: --dir is required");
	if ((rc = parse_days(&d, days, "ca crl", 3650)) >= 0)
		return rc;
	if ((err = tl_ca_crl(&pem, dir, d)) != TL_OK)
		rc = cli_fail(err);
	else
		rc = cli_write_output(out, &pem);
	tl_buf_dispose(&pem);
	return rc;
}

/* ---- device csr --------------------------------------------------------- */

static void csr_usage(FILE *f)
{
	fputs("usage: trustline device csr --key URI --serial S [--product P] [-o CSR.pem]\n"
	      "\n"
	      "Builds a PKCS#10 certificate request on the device: subject serialNumber=S\n"
	      "(and OU=P), the public key of URI, signed by that key (in a TPM or token it\n"
	      "signs inside).  Give it to 'trustline ca issue --csr'.\n"
	      "\n"
	      "Options:\n"
	      "      --key URI        the device key: a file, pkcs11:..., tpm2:... (required)\n"
	      "      --serial S       the device serial number, PrintableString (required)\n"
	      "      --product P      product/model identifier\n"
	      "  -o, --output FILE    write the request to FILE (default standard output)\n"
	      "  -h, --help           this help\n",
	      f);
}

int cmd_device_csr(int argc, char **argv)
{
	const char *key = NULL, *serial = NULL, *product = NULL, *out = NULL;
	const opt opts[] = {
		{ "--key", NULL, &key }, { "--serial", NULL, &serial }, { "--product", NULL, &product },
		{ "--output", "-o", &out }, { NULL, NULL, NULL },
	};
	tl_buf pem = TL_BUF_INIT;
	tl_err err;
	int rc;

	if ((rc = parse_opts(argc, argv, opts, "device csr", csr_usage)) >= 0)
		return rc;
	if (!key || !serial)
		return cli_usage_error("device csr: --key and --serial are required");
	if ((err = tl_device_csr(&pem, key, serial, product)) != TL_OK)
		rc = cli_fail(err);
	else
		rc = cli_write_output(out, &pem);
	tl_buf_dispose(&pem);
	return rc;
}
