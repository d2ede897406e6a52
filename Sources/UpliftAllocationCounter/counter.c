#include "UpliftAllocationCounter.h"

#include <stdlib.h> /* defines __GLIBC__ on glibc systems */

#if defined(__linux__) && defined(__GLIBC__)
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static _Atomic int counting = 0;
static _Atomic unsigned long allocations = 0;

static inline void note(void) {
    if (atomic_load_explicit(&counting, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    }
}

void *malloc(size_t n) { note(); return __libc_malloc(n); }
void free(void *p) { __libc_free(p); }
void *calloc(size_t a, size_t b) { note(); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { note(); return __libc_realloc(p, n); }
void *memalign(size_t align, size_t n) { note(); return __libc_memalign(align, n); }
void *aligned_alloc(size_t align, size_t n) { note(); return __libc_memalign(align, n); }
int posix_memalign(void **out, size_t align, size_t n) {
    note();
    void *p = __libc_memalign(align, n);
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}

void uplift_allocation_counting(int on) {
    if (on) atomic_store_explicit(&allocations, 0, memory_order_relaxed);
    atomic_store_explicit(&counting, on, memory_order_relaxed);
}
unsigned long uplift_allocation_count(void) { return atomic_load_explicit(&allocations, memory_order_relaxed); }

#else
void uplift_allocation_counting(int on) { (void)on; }
unsigned long uplift_allocation_count(void) { return 0; }
#endif
