/* The build of _ckernel.c for x86-64-v4 (AVX-512: setup.py adds
 * -march=x86-64-v4): a source of its own, so that the builds compile side by
 * side into objects of their own. */
#define MODULE _ckernel_v4
#define VEC_BYTES 64
#include "_ckernel.c"
