/* The build of _ckernel.c for x86-64-v3 (AVX2, FMA: setup.py adds
 * -march=x86-64-v3): a source of its own, so that the builds compile side by
 * side into objects of their own. */
#define MODULE _ckernel_v3
#define VEC_BYTES 32
#include "_ckernel.c"
