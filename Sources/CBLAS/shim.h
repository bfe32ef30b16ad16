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
/* The line side of the pair features' set intersections (`LineProbe`): every value of the line's sorted sets that
   the features intersect with a candidate work's (title grams and words, artist name grams, the record's words, …)
   is an entry (value, bit mask of the line sets holding it) of a hash table of 2^b buckets of 4 entries: 8 words a
   bucket, its 4 values then their 4 masks; a value lives in bucket (x · m) >> (32 − b) for the table's odd multiplier m
   (another is tried before the table grows when a bucket overflows: values crafted to crowd one multiplier's bucket
   do not crowd the next one's), an empty entry has
   mask 0 (so it matches nothing). A candidate work's set is then intersected by looking each of its values up, the
   4 entries compared at once without a branch, where a merge of two sorted hash sets mispredicts which side
   advances about half the time.
   `oeuvre_probe_mask`: the mask of x (0 when no line set holds it). */
static inline uint32_t oeuvre_probe_mask(const uint32_t *t, uint32_t mult, uint32_t shift, uint32_t x) {
    const uint32_t *b = t + (((x * mult) >> shift) << 3);
#if defined(__SSE2__)
    __m128i eq = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)b), _mm_set1_epi32((int)x));
    __m128i m = _mm_and_si128(eq, _mm_loadu_si128((const __m128i *)(b + 4)));
    m = _mm_or_si128(m, _mm_shuffle_epi32(m, 0x4E));
    m = _mm_or_si128(m, _mm_shuffle_epi32(m, 0xB1));
    return (uint32_t)_mm_cvtsi128_si32(m);
#else
    uint32_t m = 0;
    for (int j = 0; j < 4; j++) m |= b[4 + j] & (0u - (uint32_t)(b[j] == x));
    return m;
#endif
}
/* |v[0..<n] ∩ the line set of bit `bit`|. */
static inline long oeuvre_probe_count(const uint32_t *t, uint32_t mult, uint32_t shift, const uint32_t *v, long n,
                                      uint32_t bit) {
    long c = 0;
    for (long i = 0; i < n; i++) c += (oeuvre_probe_mask(t, mult, shift, v[i]) >> bit) & 1;
    return c;
}
/* The same for the sets of bits first ..< first + k (k ≤ 8) in one pass: counts[j] = |v ∩ set of bit first + j|.
   Each value's k bits are spread into the byte lanes of a 64-bit sum, flushed before a lane could pass 255. */
static inline void oeuvre_probe_counts(const uint32_t *t, uint32_t mult, uint32_t shift, const uint32_t *v, long n,
                                       uint32_t first, uint32_t k, int32_t *counts) {
    for (uint32_t j = 0; j < k; j++) counts[j] = 0;
    const uint64_t keep = (k >= 8) ? 0xFFu : ((1u << k) - 1);
    long i = 0;
    while (i < n) {
        long end = (n - i > 255) ? i + 255 : n;
        uint64_t lanes = 0;
        for (; i < end; i++) {
            uint64_t bits = (oeuvre_probe_mask(t, mult, shift, v[i]) >> first) & keep;
            uint64_t y = (bits * 0x0101010101010101ull) & 0x8040201008040201ull;
            lanes += ((y + 0x7F7F7F7F7F7F7F7Full) >> 7) & 0x0101010101010101ull;
        }
        for (uint32_t j = 0; j < k; j++) counts[j] += (int32_t)((lanes >> (8 * j)) & 0xFF);
    }
}
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
