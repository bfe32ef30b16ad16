#include "CICUShim.h"

#include <stdio.h>
#include <unicode/uclean.h>
#include <unicode/unorm2.h>
#include <unicode/utrans.h>
#include <unicode/uversion.h>

void *cicushim_translit_open(const uint16_t *id, int32_t idLength, int32_t *status) {
    UErrorCode err = U_ZERO_ERROR;
    UParseError parseError;
    UTransliterator *t = utrans_openU((const UChar *)id, idLength, UTRANS_FORWARD, NULL, 0, &parseError, &err);
    *status = (int32_t)err;
    if (U_FAILURE(err)) {
        return NULL;
    }
    return (void *)t;
}

void cicushim_translit_close(void *translit) {
    if (translit != NULL) {
        utrans_close((UTransliterator *)translit);
    }
}

int32_t cicushim_translit_apply(void *translit, uint16_t *text, int32_t length, int32_t capacity,
                                int32_t *status) {
    UErrorCode err = U_ZERO_ERROR;
    int32_t textLength = length;
    int32_t limit = length;
    utrans_transUChars((const UTransliterator *)translit, (UChar *)text, &textLength, capacity, 0, &limit, &err);
    *status = (int32_t)err;
    return textLength;
}

int32_t cicushim_nfkc_casefold(const uint16_t *src, int32_t length, uint16_t *dst, int32_t capacity,
                               int32_t *status) {
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *n = unorm2_getNFKCCasefoldInstance(&err);
    if (U_FAILURE(err)) {
        *status = (int32_t)err;
        return 0;
    }
    int32_t out = unorm2_normalize(n, (const UChar *)src, length, (UChar *)dst, capacity, &err);
    *status = (int32_t)err;
    return out;
}

const char *cicushim_error_name(int32_t status) {
    return u_errorName((UErrorCode)status);
}

void cicushim_version(char *buffer, int32_t capacity) {
    UVersionInfo info;
    u_getVersion(info);
    char tmp[U_MAX_VERSION_STRING_LENGTH];
    u_versionToString(info, tmp);
    snprintf(buffer, (size_t)capacity, "%s", tmp);
}
