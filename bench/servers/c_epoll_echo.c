/*
 * The reference limit: a plain C epoll echo server, what a kernel-bound echo costs with nothing
 * on top. Level-triggered epoll, one thread, TCP and UDP on 127.0.0.1.
 *   TCP: read into one 64 KiB buffer, write it straight back; only what the kernel did not take
 *        is kept (per connection) and reading pauses until it is written (EPOLLOUT).
 *   UDP: recvfrom / sendto, one datagram per call (the "C sendto/recvfrom" of the goal ratios).
 * Usage: c_epoll_echo --tcp-port P [--udp-port U]     prints "ready" once both are bound.
 * SIGTERM ends it. Build: gcc -O2 -o c_epoll_echo c_epoll_echo.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define MAX_READS_PER_EVENT 16
#define MAX_ACCEPTS_PER_EVENT 64
#define MAX_DATAGRAMS_PER_EVENT 64
#define BUF_SIZE (64 * 1024)

struct conn {
    int fd;
    char *pending;   /* bytes the kernel did not take yet */
    size_t pending_len, pending_off;
};

static int ep, lfd, ufd = -1;
static char buf[BUF_SIZE];
static volatile sig_atomic_t stop;
static struct conn listener_tag, udp_tag;

static void on_term(int sig) { (void)sig; stop = 1; }

static void close_conn(struct conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->pending);
    free(c);
}

static int bind_socket(int type, int port) {
    int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); exit(1); }
    return fd;
}

static void accept_some(void) {
    for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        c->fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
}

static void flush_pending(struct conn *c) {
    while (c->pending_off < c->pending_len) {
        ssize_t n = write(c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off);
        if (n < 0) {
            if (errno == EAGAIN) return;
            close_conn(c);
            return;
        }
        c->pending_off += n;
    }
    free(c->pending);
    c->pending = NULL;
    c->pending_len = c->pending_off = 0;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void serve(struct conn *c, uint32_t events) {
    if (c->pending) {
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) flush_pending(c);
        return;
    }
    for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
        ssize_t n = read(c->fd, buf, sizeof buf);
        if (n == 0 || (n < 0 && errno != EAGAIN)) { close_conn(c); return; }
        if (n < 0) return;
        ssize_t off = 0;
        while (off < n) {
            ssize_t w = write(c->fd, buf + off, n - off);
            if (w < 0) {
                if (errno != EAGAIN) { close_conn(c); return; }
                c->pending = malloc(n - off);
                memcpy(c->pending, buf + off, n - off);
                c->pending_len = n - off;
                struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                return;
            }
            off += w;
        }
        if (n < (ssize_t)sizeof buf) return;
    }
}

static void echo_datagrams(void) {
    for (int i = 0; i < MAX_DATAGRAMS_PER_EVENT; i++) {
        struct sockaddr_storage from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(ufd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (n < 0) return;
        sendto(ufd, buf, n, 0, (struct sockaddr *)&from, len);
    }
}

int main(int argc, char **argv) {
    int tcp_port = 0, udp_port = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--tcp-port")) tcp_port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--udp-port")) udp_port = atoi(argv[i + 1]);
    }
    struct sigaction sa = {.sa_handler = on_term};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    ep = epoll_create1(EPOLL_CLOEXEC);
    lfd = bind_socket(SOCK_STREAM, tcp_port);
    if (listen(lfd, 511) < 0) { perror("listen"); return 1; }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listener_tag};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    if (udp_port >= 0) {
        ufd = bind_socket(SOCK_DGRAM, udp_port);
        struct epoll_event uev = {.events = EPOLLIN, .data.ptr = &udp_tag};
        epoll_ctl(ep, EPOLL_CTL_ADD, ufd, &uev);
    }
    fprintf(stderr, "impl=c-epoll pid=%d tcp=%d udp=%d\n", getpid(), tcp_port, udp_port);
    printf("ready\n");
    fflush(stdout);
    struct epoll_event events[MAX_EVENTS];
    while (!stop) {
        int n = epoll_wait(ep, events, MAX_EVENTS, -1);
        for (int i = 0; i < n; i++) {
            void *p = events[i].data.ptr;
            if (p == &listener_tag) accept_some();
            else if (p == &udp_tag) echo_datagrams();
            else serve(p, events[i].events);
        }
    }
    fprintf(stderr, "echo server c-epoll closed\n");
    return 0;
}
