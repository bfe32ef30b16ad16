#ifndef OEUVRE_CBLAS_SHIM_H
#define OEUVRE_CBLAS_SHIM_H
#include <cblas.h>
/* Declared by OpenBLAS but not in every cblas.h version. */
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
/* A software prefetch (read, keep in all cache levels): Swift has no prefetch intrinsic. Used by the
   dense re-rank to fetch the title vectors of the next pooled works while scoring the current one. */
static inline void oeuvre_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#include <stdint.h>
/* Whether the sorted p[0..<n] holds x, by branch-free halving: the pair features look the words of titles up in
   short sorted hash lists (`FieldEvidence.contains`), where which half holds x is a coin toss that a branch would
   mispredict half the time. `__builtin_unpredictable` keeps the compiler from turning the choice back into a branch
   (it does so for the same code written in Swift). */
static inline int oeuvre_sorted_u32_contains(const uint32_t *p, long n, uint32_t x) {
    if (n <= 0) return 0;
    long base = 0;
    while (n > 1) {
        long half = n >> 1;
        base = __builtin_unpredictable(p[base + half] <= x) ? base + half : base;
        n -= half;
    }
    return p[base] == x;
}
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* Σ v[i]·q[i] over n dimensions (a multiple of 16) of an int8 title vector and an int16 query: the dense
   re-rank's kernel (`HashedVector.quantize`). Exact integer arithmetic (|sum| ≤ n · 127 · 32767 < 2³¹ for
   n ≤ 512), so the result does not depend on summation order. SSE2 (every x86-64): each 16 bytes are
   sign-extended to two 8-lane int16 vectors and multiplied-and-added pairwise into int32 lanes (pmaddwd);
   Swift's generic SIMD integer conversions compile to calls, hence C. */
static inline int32_t oeuvre_dot_i8_i16(const int8_t *v, const int16_t *q, long n) {
#if defined(__SSE2__)
    __m128i a0 = _mm_setzero_si128(), a1 = _mm_setzero_si128();
    for (long j = 0; j + 16 <= n; j += 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(v + j));
        __m128i lo = _mm_srai_epi16(_mm_unpacklo_epi8(b, b), 8);
        __m128i hi = _mm_srai_epi16(_mm_unpackhi_epi8(b, b), 8);
        a0 = _mm_add_epi32(a0, _mm_madd_epi16(lo, _mm_loadu_si128((const __m128i *)(q + j))));
        a1 = _mm_add_epi32(a1, _mm_madd_epi16(hi, _mm_loadu_si128((const __m128i *)(q + j + 8))));
    }
    __m128i s = _mm_add_epi32(a0, a1);
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
#else
    int32_t s = 0;
    for (long j = 0; j < n; j++) s += (int32_t)v[j] * (int32_t)q[j];
    return s;
#endif
}
#endif
