#ifndef OEUVRE_CICUSHIM_H
#define OEUVRE_CICUSHIM_H

/*
 * Plain-integer wrapper over the ICU C API. This header must never include <unicode/...>:
 * Foundation on Linux carries its own ICU headers and a Swift module that sees both fails to
 * build. UTF-16 text travels as uint16_t buffers, lengths and ICU status codes as int32_t
 * (status > 0 is an error, as in ICU's UErrorCode).
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opens a transliterator by ICU id (e.g. "Any-Latin; Latin-ASCII"). Returns NULL on error. */
void *cicushim_translit_open(const uint16_t *id, int32_t idLength, int32_t *status);

/* Closes a transliterator returned by cicushim_translit_open. NULL is ignored. */
void cicushim_translit_close(void *translit);

/*
 * Transliterates text in place. text has room for capacity units and holds length units.
 * Returns the new length; when it exceeds capacity, status is U_BUFFER_OVERFLOW_ERROR (15) and
 * the caller retries with a larger buffer.
 */
int32_t cicushim_translit_apply(void *translit, uint16_t *text, int32_t length, int32_t capacity,
                                int32_t *status);

/* NFKC_Casefold of src into dst; returns the needed length (retry on overflow, status 15). */
int32_t cicushim_nfkc_casefold(const uint16_t *src, int32_t length, uint16_t *dst, int32_t capacity,
                               int32_t *status);

/* ICU's name for a status code ("U_ZERO_ERROR", ...). Static storage. */
const char *cicushim_error_name(int32_t status);

/* ICU version as "72.1" into buffer (at least 32 bytes). */
void cicushim_version(char *buffer, int32_t capacity);

#ifdef __cplusplus
}
#endif

#endif
