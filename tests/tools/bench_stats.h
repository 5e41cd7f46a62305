/*  bench_stats: the latency samples of the benchmark tools (microseconds
    as uint32_t): sorting them and their nearest-rank percentiles, so that
    every tool reports p50 and p99 the same way. */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stdint.h>
#include <stdlib.h>

static int
bench_cmp_u32 (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y ? -1 : x > y;
}

static inline void
bench_sort (uint32_t *samples, size_t n)
{
    qsort (samples, n, sizeof (samples [0]), bench_cmp_u32);
}

//  The p-th percentile (0-100) of n >= 1 sorted samples, by nearest rank.
static inline uint32_t
bench_percentile (const uint32_t *sorted, size_t n, double p)
{
    size_t rank = (size_t) (p / 100.0 * (double) n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted [rank - 1];
}

//  A duration in microseconds as a sample (saturated).
static inline uint32_t
bench_sample (int64_t us)
{
    return us < 0 ? 0 : us > UINT32_MAX ? UINT32_MAX : (uint32_t) us;
}

#endif
