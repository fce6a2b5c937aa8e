// glibc's malloc tuning (mallopt): the allocator is part of libc, so nothing to link.
#include <malloc.h>
