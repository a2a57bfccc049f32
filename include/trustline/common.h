/*
 * trustline: common definitions shared by every public header.
 */
#ifndef TRUSTLINE_COMMON_H
#define TRUSTLINE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define TL_EXTERN __attribute__((visibility("default")))
#define TL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TL_EXTERN
#define TL_PRINTF(f, a)
#endif

#define TL_VERSION "0.1.0"

/*
 * Every function that can fail returns a tl_err: 0 on success, a negative
 * code otherwise.  Codes are never renumbered.  Details go to one
 * thread-local message, read with tl_error_last().
 */
typedef int tl_err;

enum {
	TL_OK = 0,
	TL_ENOMEM = -1,       /* out of memory */
	TL_EINVAL = -2,       /* bad argument or usage */
	TL_EIO = -3,          /* I/O error (open, read, write) */
	TL_EPARSE = -4,       /* malformed input */
	TL_ELIMIT = -5,       /* input exceeds a documented limit */
	TL_EUNSUPPORTED = -6, /* well-formed but not supported */
	TL_ENOTFOUND = -7,    /* a named thing does not exist */
	TL_ECHECK = -8,       /* a check ran and failed (schema, profile) */
};

/* The message of the last error set on this thread ("" if none). */
TL_EXTERN const char *tl_error_last(void);

/* Clears the last error message. */
TL_EXTERN void tl_error_clear(void);

/* Short name of an error code ("parse", "io", ...). */
TL_EXTERN const char *tl_err_name(tl_err err);

/*
 * Exit code for the command line: 0 ok, 1 a check failed, 2 anything else.
 */
TL_EXTERN int tl_err_exit_code(tl_err err);

#endif
