/* The build of _ckernel.c for the x86-64 baseline, and for any other machine: a
 * source of its own, so that the builds compile side by side into objects of
 * their own. */
#define MODULE _ckernel_base
#define VEC_BYTES 16
#include "_ckernel.c"
