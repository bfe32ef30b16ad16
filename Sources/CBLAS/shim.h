#ifndef OEUVRE_CBLAS_SHIM_H
#define OEUVRE_CBLAS_SHIM_H
#include <cblas.h>
/* Declared by OpenBLAS but not in every cblas.h version. */
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
#endif
