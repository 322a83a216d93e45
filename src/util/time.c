// SPDX-License-Identifier: MIT
/*
 * libodoo - clocks, sleeping and the one exponential back-off with jitter
 * (the Odoo client's retries and the AWS requests' alike).
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

long long odoo__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long odoo__unix_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec;
}

void odoo__sleep_ms(long ms)
{
    struct timespec ts, rem;
    if (ms <= 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
        ts = rem;
}

unsigned int odoo__rng_seed(const void *salt)
{
    struct timespec ts;
    unsigned int s;
    clock_gettime(CLOCK_REALTIME, &ts);
    s = (unsigned int)ts.tv_nsec ^ (unsigned int)ts.tv_sec ^ ((unsigned int)getpid() << 16)
        ^ (unsigned int)(uintptr_t)salt;
    return s ? s : 0x9e3779b9u;
}

unsigned int odoo__rng_next(unsigned int *state)
{
    unsigned int x = *state ? *state : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

long odoo__backoff_ms(unsigned int *rng, int attempt, long base_ms, long cap_ms, int jitter)
{
    long ceiling = base_ms > 0 ? base_ms : 1;
    int i;
    for (i = 0; i < attempt && ceiling < cap_ms; i++)
        ceiling *= 2;
    if (cap_ms > 0 && ceiling > cap_ms)
        ceiling = cap_ms;
    if (jitter == ODOO__JITTER_EQUAL)
        return ceiling / 2 + (long)(odoo__rng_next(rng) % (unsigned long)(ceiling / 2 + 1));
    return (long)(odoo__rng_next(rng) % (unsigned long)(ceiling + 1));
}
