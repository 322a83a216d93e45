// SPDX-License-Identifier: MIT
/*
 * An LD_PRELOAD shim for the test servers that cannot be told where to
 * listen (Amazon DynamoDB Local binds every interface): a bind() to the
 * wildcard address (0.0.0.0 or ::) becomes a bind() to the loopback address
 * (127.0.0.1, or ::ffff:127.0.0.1 on a dual-stack socket), so the tests
 * never open a port outside the machine. Built without sanitizers: it is
 * loaded into java.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    bind_fn real;
    void *sym = dlsym(RTLD_NEXT, "bind");
    memcpy(&real, &sym, sizeof(real));
    if (!real)
        return -1;
    if (addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        struct sockaddr_in a;
        memcpy(&a, addr, sizeof(a));
        if (a.sin_addr.s_addr == htonl(INADDR_ANY)) {
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            return real(fd, (const struct sockaddr *)&a, (socklen_t)sizeof(a));
        }
    } else if (addr && addr->sa_family == AF_INET6
               && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        static const unsigned char mapped_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                                          0, 0, 0xff, 0xff, 127, 0, 0, 1};
        struct sockaddr_in6 a;
        memcpy(&a, addr, sizeof(a));
        if (memcmp(&a.sin6_addr, &in6addr_any, sizeof(a.sin6_addr)) == 0) {
            memcpy(&a.sin6_addr, mapped_loopback, sizeof(mapped_loopback));
            return real(fd, (const struct sockaddr *)&a, (socklen_t)sizeof(a));
        }
    }
    return real(fd, addr, len);
}
