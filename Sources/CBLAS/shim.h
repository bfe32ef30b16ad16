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
#endif
