#ifndef UPLIFT_ALLOCATION_COUNTER_H
#define UPLIFT_ALLOCATION_COUNTER_H

/// Counts heap allocations made while counting is on, for `uplift bench`. The executable
/// defines malloc and friends, forwarding to glibc's own entry points, so counting costs one
/// relaxed atomic load per allocation when off.
void uplift_allocation_counting(int on);
unsigned long uplift_allocation_count(void);

#endif
