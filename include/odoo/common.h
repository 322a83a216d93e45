// SPDX-License-Identifier: MIT
/**
 * @file
 * libodoo - a C client library for Odoo.
 *
 * common.h: export macros, attributes and version information, the library's
 * global state, and odoo_free() for the memory it hands out.
 */
#ifndef ODOO_COMMON_H
#define ODOO_COMMON_H

#ifdef __cplusplus
extern "C" {
#endif

/** @name Version
 * The release version of the headers; compare with odoo_version() at run time.
 * The shared library's SONAME (libodoo.so.N) changes only on an ABI break and is
 * independent of this number.
 * @{ */
/** The major version: 0 while the API may still change between minor releases. */
#define ODOO_VERSION_MAJOR 0
/** The minor version: new features (and, while the major is 0, API changes). */
#define ODOO_VERSION_MINOR 4
/** The patch version: fixes only. */
#define ODOO_VERSION_PATCH 0
/** The release version as a string, "MAJOR.MINOR.PATCH". */
#define ODOO_VERSION "0.4.0"
/** 0xXXYYZZ: major, minor, patch, one byte each. */
#define ODOO_VERSION_NUM \
    ((ODOO_VERSION_MAJOR << 16) | (ODOO_VERSION_MINOR << 8) | ODOO_VERSION_PATCH)
/** True when the headers are at least version x.y.z. */
#define ODOO_AT_LEAST_VERSION(x, y, z) \
    (ODOO_VERSION_NUM >= (((x) << 16) | ((y) << 8) | (z)))
/** @} */

/**
 * @def ODOO_EXTERN(type)
 * Declares a public function returning @p type. The library is built with
 * -fvisibility=hidden; only functions declared with this macro are exported.
 * Consumers of the static library get ODOO_STATIC defined by pkg-config or
 * CMake (libodoo::odoo_static), which makes the macro a plain declaration.
 */
#if defined(ODOO_STATIC)
#  define ODOO_EXTERN(type) extern type
#elif defined(_WIN32)
#  if defined(ODOO_BUILDING_LIBRARY)
#    define ODOO_EXTERN(type) extern __declspec(dllexport) type
#  else
#    define ODOO_EXTERN(type) extern __declspec(dllimport) type
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define ODOO_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#  define ODOO_EXTERN(type) extern type
#endif

/**
 * @def ODOO_WARN_UNUSED_RESULT
 * Marks a function whose result must be checked (the constructors): GCC and
 * Clang warn when it is ignored. Empty with other compilers.
 */
/**
 * @def ODOO_DEPRECATED(since, msg)
 * Marks a declaration as deprecated since version @p since, with @p msg
 * saying what to use instead: GCC and Clang warn where it is used.
 */
#if defined(__GNUC__) || defined(__clang__)
#  define ODOO_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#  define ODOO_DEPRECATED(since, msg) __attribute__((deprecated("since " since ": " msg)))
#else
#  define ODOO_WARN_UNUSED_RESULT
#  define ODOO_DEPRECATED(since, msg)
#endif

/**
 * The version of the library that is running, e.g. "0.4.0" (compare with
 * ODOO_VERSION, the version of the headers the program was built with).
 * @return a static string (never free it).
 * @since 0.1.0
 */
ODOO_EXTERN(const char *) odoo_version(void);

/**
 * The running library's version as ODOO_VERSION_NUM (0xXXYYZZ).
 * @return major << 16 | minor << 8 | patch of the running library.
 * @since 0.1.0
 */
ODOO_EXTERN(unsigned int) odoo_version_num(void);

/**
 * Initialise the library's global state (libcurl's global init).
 *
 * Reference-counted and thread-safe: every call must be matched by one
 * odoo_global_cleanup(). odoo_client_new() takes a reference itself, so a
 * program that never calls this function works too; calling it once at
 * start-up avoids repeating libcurl's global init and cleanup per client.
 *
 * @return the number of outstanding initialisations (>= 1) on success, or a
 *         negative odoo_error_code (ODOO_ENOMEM, ODOO_ERROR) on failure.
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_global_init(void);

/**
 * Release one reference taken by odoo_global_init(). The last one releases
 * libcurl's global state. Thread-safe.
 * @return the number of initialisations still outstanding (0 when the state
 *         was released, also when there was nothing to release).
 * @since 0.1.0
 */
ODOO_EXTERN(int) odoo_global_cleanup(void);

/**
 * Free memory that libodoo allocated and handed to the caller (strings
 * returned by *_str functions). Accepts NULL. Never use free() for those:
 * the library and the program may use different allocators.
 * @param ptr memory the library handed out (owned by the caller until this
 *            call frees it), or NULL.
 * @since 0.1.0
 */
ODOO_EXTERN(void) odoo_free(void *ptr);

#ifdef __cplusplus
}
#endif
#endif /* ODOO_COMMON_H */
