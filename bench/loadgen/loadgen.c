/*
 * ffm-net bench load generator: one thread, level-triggered epoll, meant to be pinned to its own
 * CPU (taskset) while the server under test is pinned to the other. Compiled by run.sh with
 * gcc -O2 at run time.
 *
 *   loadgen MODE [--host 127.0.0.1] --port P [options]
 *
 * Modes (all print one line "RESULT key=value ..." on stdout at the end):
 *   tcp     closed loop: --conns N connections, --depth K messages of --size S bytes in flight on
 *           each; a message is complete when S bytes came back, and is replaced at once.
 *           Depth 1 is ping-pong; depth > 1 is pipelining. Latency of every message from the
 *           moment it was queued to the moment its last byte came back.
 *   rate    open loop at a fixed offered load: --rate R messages/s of --size S spread round robin
 *           over --conns N connections (paced to the microsecond clock, checked every wake-up).
 *           Used for server CPU time and system calls per message at the same load for everyone.
 *   stream  --conns N connections each writing --size S chunks (64 KiB) as fast as the server
 *           echoes them, at most --window W bytes unechoed per connection; MB/s echoed.
 *   udp     --conns N connected UDP sockets ("flows"), each keeping --depth K datagrams of
 *           --size S in flight (recvmmsg/sendmmsg on this side, so the generator is not the
 *           limit); a flow silent for 20 ms is assumed lost and re-primed (counted as resets).
 *           With --gso (no value) a flow sends the datagrams it owes as one sendmsg carrying
 *           UDP_SEGMENT (udp(7), Linux 4.18: the kernel cuts them apart; at most 64 datagrams
 *           and 65,507 bytes per call, so more take several calls), and its socket has UDP_GRO
 *           on (Linux 5.0), so replies sent with UDP_SEGMENT arrive as one buffer of several
 *           datagrams, counted from the UDP_GRO control message. A server that does not enable
 *           UDP_GRO still gets separate datagrams: on loopback the kernel segments for it.
 *   accept  --conns C concurrent attempts of: connect, write 1 byte, read it back, close.
 *           Connections/s.
 *   idle    opens --conns N connections (each echoes one --size S message first, so the server
 *           has really accepted and read it), then holds them: samples the server's VmRSS before
 *           and --settle-ms after, prints the RESULT, then closes everything.
 *
 * Common options:
 *   --warmup-ms W --duration-ms D   run W ms unmeasured, then D ms measured (not for idle).
 *   --src-ips K                     spread connections over source addresses 127.0.0.1..K
 *                                   (IP_BIND_ADDRESS_NO_PORT), for more than ~28k connections.
 *   --server-pid PID                sample the server's CPU time over the measured window:
 *                                   utime+stime from /proc/PID/stat, and on-CPU ns summed over
 *                                   /proc/PID/task/<tid>/schedstat (finer than clock ticks).
 *   --perf-out FILE                 with --server-pid: run `perf stat -x, -e <--perf-events>
 *                                   -p PID` over exactly the measured window, output to FILE.
 *   --perf-events LIST              default raw_syscalls:sys_enter.
 *
 * Every error (connect failure, reset, short read) is counted and printed, never hidden; a run
 * in which nothing completed exits with status 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

/* ---------- options ---------- */
static const char *mode;
static const char *host = "127.0.0.1";
static int port, conns = 1, depth = 1, size = 64, src_ips = 1;
static long window_bytes = 1 << 20, rate = 10000;
static long warmup_ms = 1000, duration_ms = 3000, settle_ms = 2000;
static int server_pid;
static int gso;   /* udp: send with UDP_SEGMENT, receive with UDP_GRO */
static const char *perf_out, *perf_events = "raw_syscalls:sys_enter";

/* ---------- clock and histogram ---------- */
static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* 100 ns buckets up to 100 ms; slower messages land in the last bucket. */
#define HIST_RES_NS 100
#define HIST_BUCKETS 1000000
static uint32_t *hist;
static uint64_t hist_count;
static int measuring;

static inline void record(uint64_t ns) {
    if (!measuring) return;
    uint64_t b = ns / HIST_RES_NS;
    if (b >= HIST_BUCKETS) b = HIST_BUCKETS - 1;
    hist[b]++;
    hist_count++;
}

static double percentile_us(double p) {
    if (hist_count == 0) return -1;
    uint64_t target = (uint64_t)(p * hist_count);
    if (target >= hist_count) target = hist_count - 1;
    uint64_t seen = 0;
    for (int i = 0; i < HIST_BUCKETS; i++) {
        seen += hist[i];
        if (seen > target) return (i + 0.5) * HIST_RES_NS / 1000.0;
    }
    return -1;
}

/* ---------- counters ---------- */
static uint64_t done_msgs, done_bytes, errors, resets, sent_msgs;
static const char *first_error = "";
static char first_error_buf[160];

static void note_error(const char *what, int err) {
    errors++;
    if (!first_error[0]) {
        snprintf(first_error_buf, sizeof first_error_buf, "%s:%s", what, strerror(err));
        first_error = first_error_buf;
    }
}

/* ---------- server CPU sampling ---------- */
struct cpu_sample { long long ticks; long long sched_ns; int threads; long long busy[2], total[2]; };

/* Busy and total jiffies of CPUs 0 and 1 from /proc/stat: how busy each CPU was with anything. */
static void sample_cpus(struct cpu_sample *s) {
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        int cpu;
        long long u, n, sy, id, io, irq, sirq, st;
        if (sscanf(line, "cpu%d %lld %lld %lld %lld %lld %lld %lld %lld", &cpu, &u, &n, &sy, &id, &io, &irq, &sirq, &st) == 9
            && cpu >= 0 && cpu < 2) {
            s->busy[cpu] = u + n + sy + irq + sirq + st;
            s->total[cpu] = s->busy[cpu] + id + io;
        }
    }
    fclose(f);
}

static struct cpu_sample sample_cpu(void) {
    struct cpu_sample s = {-1, -1, 0, {0, 0}, {0, 0}};
    sample_cpus(&s);
    if (!server_pid) return s;
    char path[64], line[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", server_pid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (fgets(line, sizeof line, f)) {
            char *p = strrchr(line, ')');
            long long ut = 0, st = 0;
            /* fields after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
            if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld", &ut, &st) == 2)
                s.ticks = ut + st;
        }
        fclose(f);
    }
    snprintf(path, sizeof path, "/proc/%d/task", server_pid);
    DIR *d = opendir(path);
    if (d) {
        long long total = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char tp[320];
            snprintf(tp, sizeof tp, "/proc/%d/task/%s/schedstat", server_pid, e->d_name);
            FILE *tf = fopen(tp, "r");
            if (!tf) continue;
            long long ns;
            if (fscanf(tf, "%lld", &ns) == 1) total += ns;
            fclose(tf);
            s.threads++;
        }
        closedir(d);
        s.sched_ns = total;
    }
    return s;
}

static long rss_kb(void) {
    if (!server_pid) return -1;
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", server_pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) { kb = atol(line + 6); break; }
    fclose(f);
    return kb;
}

static pid_t perf_pid;
static int perf_ctl = -1, perf_ack = -1;

/*
 * Starts perf attached to the server with its counters disabled (-D -1), driven through a
 * control pipe: "enable" when the measured window opens and "disable" when it closes, each
 * acknowledged, so the counts cover exactly the window and attaching costs the window nothing.
 */
static void perf_launch(void) {
    if (!perf_out || !server_pid) return;
    int ctl[2], ack[2];
    if (pipe(ctl) < 0 || pipe(ack) < 0) { note_error("pipe", errno); return; }
    perf_pid = fork();
    if (perf_pid == 0) {
        char pidbuf[16], control[64];
        snprintf(pidbuf, sizeof pidbuf, "%d", server_pid);
        snprintf(control, sizeof control, "fd:%d,%d", ctl[0], ack[1]);
        close(ctl[1]);
        close(ack[0]);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execlp("perf", "perf", "stat", "-x,", "-D", "-1", "--control", control, "-o", perf_out,
               "-e", perf_events, "-p", pidbuf, (char *)NULL);
        _exit(127);
    }
    close(ctl[0]);
    close(ack[1]);
    perf_ctl = ctl[1];
    perf_ack = ack[0];
}

static void perf_command(const char *cmd) {
    if (perf_ctl < 0) return;
    if (write(perf_ctl, cmd, strlen(cmd)) < 0) { note_error("perf-ctl", errno); return; }
    struct pollfd p = {.fd = perf_ack, .events = POLLIN};
    char b[16];
    if (poll(&p, 1, 2000) == 1) { if (read(perf_ack, b, sizeof b) < 0) note_error("perf-ack", errno); }
    else note_error("perf-ack-timeout", ETIMEDOUT);
}

static void perf_start(void) { perf_command("enable\n"); }

static void perf_stop(void) {
    if (perf_pid <= 0) return;
    perf_command("disable\n");
    kill(perf_pid, SIGINT);
    int st;
    waitpid(perf_pid, &st, 0);
}

/* ---------- sockets ---------- */
static struct sockaddr_in server_addr;
static int ep;

static int new_socket(int type, int nonblock) {
    int fd = socket(AF_INET, type | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0) return -1;
    static int next_src;
    if (src_ips > 1) {
        int one = 1;
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in src = {.sin_family = AF_INET};
        src.sin_addr.s_addr = htonl(0x7f000001 + (next_src++ % src_ips));
        if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) { note_error("bind", errno); close(fd); return -1; }
    }
    return fd;
}

static int connect_blocking(void) {
    int fd = new_socket(SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&server_addr, sizeof server_addr) < 0) {
        note_error("connect", errno);
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static char zeros[64 * 1024];
static char rbuf[256 * 1024];

/* ---------- tcp / rate / stream connections ---------- */
struct conn {
    int fd;
    int want_out;           /* EPOLLOUT armed */
    long outbox;            /* bytes queued to write (content is irrelevant: echo) */
    long partial;           /* bytes of the current incomplete message received */
    long sent, recvd;       /* stream mode: bytes */
    uint64_t *ring;         /* send times of messages in flight (FIFO) */
    int ring_cap, head, count;
};

static struct conn *cs;

static void arm(struct conn *c, int out) {
    if (c->want_out == out) return;
    c->want_out = out;
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static int flush_out(struct conn *c) {
    while (c->outbox > 0) {
        long n = c->outbox < (long)sizeof zeros ? c->outbox : (long)sizeof zeros;
        ssize_t w = write(c->fd, zeros, n);
        if (w < 0) {
            if (errno == EAGAIN) { arm(c, 1); return 0; }
            note_error("write", errno);
            return -1;
        }
        c->outbox -= w;
        c->sent += w;
    }
    arm(c, 0);
    return 0;
}

static void queue_msg(struct conn *c, uint64_t t) {
    if (c->count == c->ring_cap) {  /* rate mode only: grow the FIFO */
        int cap = c->ring_cap * 2;
        uint64_t *r = malloc(sizeof *r * cap);
        for (int i = 0; i < c->count; i++) r[i] = c->ring[(c->head + i) % c->ring_cap];
        free(c->ring);
        c->ring = r;
        c->ring_cap = cap;
        c->head = 0;
    }
    c->ring[(c->head + c->count) % c->ring_cap] = t;
    c->count++;
    c->outbox += size;
    if (measuring) sent_msgs++;
}

static void open_conns(int n, int ring_cap) {
    cs = calloc(n, sizeof *cs);
    for (int i = 0; i < n; i++) {
        int fd = connect_blocking();
        if (fd < 0) { fprintf(stderr, "loadgen: connect failed: %s\n", first_error); exit(2); }
        set_nonblock(fd);
        cs[i].fd = fd;
        cs[i].ring_cap = ring_cap;
        cs[i].ring = calloc(ring_cap, sizeof(uint64_t));
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
}

/* Reads what is there; completes messages; in closed-loop mode replaces each at once. */
static int on_tcp_readable(struct conn *c, int closed_loop) {
    for (;;) {
        ssize_t n = read(c->fd, rbuf, sizeof rbuf);
        if (n < 0) {
            if (errno == EAGAIN) break;
            note_error("read", errno);
            return -1;
        }
        if (n == 0) { note_error("read-eof", ECONNRESET); return -1; }
        if (measuring) done_bytes += n;
        long total = c->partial + n;
        long msgs = total / size;
        c->partial = total % size;
        if (msgs > 0) {
            uint64_t t = now_ns();
            for (long m = 0; m < msgs; m++) {
                if (c->count == 0) { note_error("unexpected-bytes", EPROTO); return -1; }
                record(t - c->ring[c->head]);
                c->head = (c->head + 1) % c->ring_cap;
                c->count--;
                if (measuring) done_msgs++;
                if (closed_loop) queue_msg(c, t);
            }
        }
        if (n < (ssize_t)sizeof rbuf) break;
    }
    return flush_out(c);
}

static uint64_t t_start, t_measure, t_end;
static struct cpu_sample cpu0, cpu1;

/* Moves through warm-up -> measured -> done; returns 1 when done. */
static int tick_phase(uint64_t t) {
    if (!measuring && t >= t_measure && t < t_end) {
        perf_start();
        cpu0 = sample_cpu();
        t_measure = now_ns();
        t_end = t_measure + duration_ms * 1000000ull;
        done_msgs = done_bytes = errors = resets = sent_msgs = 0;
        measuring = 1;
        return 0;
    }
    if (measuring && t >= t_end) {
        cpu1 = sample_cpu();
        t_end = now_ns();
        measuring = 0;
        perf_stop();
        return 1;
    }
    return 0;
}

static void start_clock(void) {
    perf_launch();
    t_start = now_ns();
    t_measure = t_start + warmup_ms * 1000000ull;
    t_end = t_measure + duration_ms * 1000000ull;
}

static void print_common(void) {
    double secs = (t_end - t_measure) / 1e9;
    printf(" secs=%.3f msgs=%llu msgs_per_s=%.0f mb_per_s=%.2f errors=%llu first_error=%s",
           secs, (unsigned long long)done_msgs, done_msgs / secs, done_bytes / secs / 1e6,
           (unsigned long long)errors, first_error[0] ? first_error : "-");
    if (hist_count)
        printf(" p50_us=%.1f p99_us=%.1f p999_us=%.1f", percentile_us(0.5), percentile_us(0.99), percentile_us(0.999));
    if (server_pid && cpu0.ticks >= 0 && cpu1.ticks >= 0) {
        long long dticks = cpu1.ticks - cpu0.ticks, dns = cpu1.sched_ns - cpu0.sched_ns;
        printf(" server_cpu_ticks=%lld server_cpu_ms=%.1f server_cpu_pct=%.1f server_threads=%d",
               dticks, dns / 1e6, 100.0 * dns / (t_end - t_measure), cpu1.threads);
        if (done_msgs) printf(" server_cpu_ns_per_msg=%.0f server_ticks_us_per_msg=%.2f",
                              (double)dns / done_msgs, dticks * (1e6 / sysconf(_SC_CLK_TCK)) / done_msgs);
    }
    for (int c = 0; c < 2; c++) {
        long long dt = cpu1.total[c] - cpu0.total[c];
        if (dt > 0) printf(" cpu%d_busy_pct=%.1f", c, 100.0 * (cpu1.busy[c] - cpu0.busy[c]) / dt);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf(" loadgen_cpu_s=%.2f", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
    printf("\n");
    fflush(stdout);
}

static void run_tcp(void) {
    open_conns(conns, depth);
    start_clock();
    uint64_t t = now_ns();
    for (int i = 0; i < conns; i++) {
        for (int k = 0; k < depth; k++) queue_msg(&cs[i], t);
        flush_out(&cs[i]);
    }
    struct epoll_event evs[512];
    for (;;) {
        int n = epoll_wait(ep, evs, 512, 10);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->fd < 0) continue;
            int r = 0;
            if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) r = on_tcp_readable(c, 1);
            else if (evs[i].events & EPOLLOUT) r = flush_out(c);
            if (r < 0) { epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd); c->fd = -1; }
        }
        if (tick_phase(now_ns())) break;
    }
    printf("RESULT mode=tcp conns=%d depth=%d size=%d", conns, depth, size);
    print_common();
}

static void run_rate(void) {
    open_conns(conns, 64);
    start_clock();
    uint64_t issued = 0, rr = 0;
    struct epoll_event evs[512];
    for (;;) {
        int n = epoll_wait(ep, evs, 512, 1);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->fd < 0) continue;
            int r = 0;
            if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) r = on_tcp_readable(c, 0);
            else if (evs[i].events & EPOLLOUT) r = flush_out(c);
            if (r < 0) { epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd); c->fd = -1; }
        }
        uint64_t t = now_ns();
        uint64_t due = (uint64_t)((t - t_start) / 1e9 * rate);
        while (issued < due) {
            struct conn *c = &cs[rr++ % conns];
            if (c->fd < 0) { issued++; continue; }
            queue_msg(c, t);
            flush_out(c);
            issued++;
        }
        if (tick_phase(t)) break;
    }
    printf("RESULT mode=rate conns=%d rate=%ld size=%d sent=%llu", conns, rate, size, (unsigned long long)sent_msgs);
    print_common();
}

static void run_stream(void) {
    open_conns(conns, 1);
    start_clock();
    for (int i = 0; i < conns; i++) {
        cs[i].outbox = size;
        flush_out(&cs[i]);
    }
    struct epoll_event evs[512];
    for (;;) {
        int n = epoll_wait(ep, evs, 512, 10);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->fd < 0) continue;
            if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                for (;;) {
                    ssize_t r = read(c->fd, rbuf, sizeof rbuf);
                    if (r < 0) { if (errno != EAGAIN) { note_error("read", errno); goto dead; } break; }
                    if (r == 0) { note_error("read-eof", ECONNRESET); goto dead; }
                    c->recvd += r;
                    if (measuring) done_bytes += r;
                    if (r < (ssize_t)sizeof rbuf) break;
                }
            }
            /* keep the window full: queue whole chunks while under it */
            while (c->outbox == 0 && c->sent - c->recvd + size <= window_bytes) {
                c->outbox = size;
                if (flush_out(c) < 0) goto dead;
                if (measuring && c->outbox == 0) done_msgs++;
            }
            if (c->outbox > 0 && flush_out(c) < 0) goto dead;
            continue;
        dead:
            epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            c->fd = -1;
        }
        if (tick_phase(now_ns())) break;
    }
    printf("RESULT mode=stream conns=%d size=%d window=%ld", conns, size, window_bytes);
    done_msgs = 0;  /* chunks written are not echo completions: report bytes only */
    print_common();
}

/* ---------- udp ---------- */
#define UDP_BATCH 64
/* What one UDP_SEGMENT send may carry: UDP_MAX_SEGMENTS was 64 until Linux 6.9, and the payload
 * must fit one IPv4 datagram (65,535 less the IP and UDP headers), else EINVAL / EMSGSIZE. */
#define GSO_MAX_SEGMENTS 64
#define GSO_MAX_BYTES 65507
/* A receive with UDP_GRO on may hold up to 64 KiB of coalesced datagrams. */
#define GRO_BUF_SIZE (64 * 1024)
struct flow { int fd; int inflight; uint64_t last_rx; };
static uint64_t gso_sends, gro_bufs, gro_datagrams;

/*
 * Sends n datagrams of --size bytes (their content does not matter: echo). Without --gso one
 * sendmmsg of n headers; with --gso sendmsg calls each carrying a UDP_SEGMENT control message
 * (cmsg_len must be CMSG_LEN(sizeof(uint16_t)), as in the kernel's udpgso_bench_tx.c).
 * Returns the datagrams the kernel took, or -1 with errno when it took none.
 */
static int udp_send(int fd, struct mmsghdr *smsgs, int n) {
    if (!gso) return sendmmsg(fd, smsgs, n, 0);
    int per_call = GSO_MAX_BYTES / size < GSO_MAX_SEGMENTS ? GSO_MAX_BYTES / size : GSO_MAX_SEGMENTS;
    if (per_call < 1) per_call = 1;
    int sent = 0;
    while (sent < n) {
        int k = n - sent < per_call ? n - sent : per_call;
        char control[CMSG_SPACE(sizeof(uint16_t))];
        memset(control, 0, sizeof control);
        struct iovec iov = {.iov_base = zeros, .iov_len = (size_t)k * size};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        *(uint16_t *)CMSG_DATA(c) = (uint16_t)size;
        ssize_t r = sendmsg(fd, &m, 0);
        if (r < 0) return sent > 0 ? sent : -1;
        if (k > 1 && measuring) gso_sends++;
        sent += (int)(r / size);
    }
    return sent;
}

/* The UDP_GRO control message of a received header: the size of each coalesced datagram (an int,
 * as the kernel's udp_cmsg_recv puts it), or 0 when the buffer holds one datagram. */
static int gro_segment_size(struct msghdr *h) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO && c->cmsg_len >= CMSG_LEN(sizeof(int)))
            return *(int *)CMSG_DATA(c);
    return 0;
}

/* How many datagrams of --size header i brought; each must be whole and of --size bytes. */
static int udp_count(struct mmsghdr *m) {
    int len = (int)m->msg_len;
    if (!gso) {
        if (len != size) note_error("udp-size", EPROTO);
        return 1;
    }
    if (m->msg_hdr.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) note_error("udp-truncated", EMSGSIZE);
    int seg = gro_segment_size(&m->msg_hdr);
    if (seg <= 0) {
        if (len != size) note_error("udp-size", EPROTO);
        return 1;
    }
    /* All but the last are seg bytes, the last at most seg (udp(7)); every datagram here is --size. */
    if (seg != size || len % size != 0) note_error("udp-size", EPROTO);
    int count = (len + seg - 1) / seg;
    if (measuring) { gro_bufs++; gro_datagrams += count; }
    return count;
}

static void run_udp(void) {
    struct flow *fl = calloc(conns, sizeof *fl);
    for (int i = 0; i < conns; i++) {
        int fd = new_socket(SOCK_DGRAM, 1);
        if (fd < 0 || connect(fd, (struct sockaddr *)&server_addr, sizeof server_addr) < 0) {
            note_error("udp-connect", errno);
            fprintf(stderr, "loadgen: %s\n", first_error);
            exit(2);
        }
        int sz = 4 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
        int one = 1;
        if (gso && setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof one) < 0) {
            fprintf(stderr, "loadgen: setsockopt UDP_GRO: %s\n", strerror(errno));
            exit(2);
        }
        fl[i].fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    /* Without --gso a datagram fits 2 KiB (anything longer arrives cut and fails the size check). */
    size_t buf_size = gso ? GRO_BUF_SIZE : 2048;
    char *dbufs = malloc(UDP_BATCH * buf_size);
    static char controls[UDP_BATCH][CMSG_SPACE(sizeof(int))];
    struct iovec iov[UDP_BATCH];
    struct mmsghdr msgs[UDP_BATCH];
    for (int i = 0; i < UDP_BATCH; i++) {
        iov[i].iov_base = dbufs + i * buf_size;
        iov[i].iov_len = buf_size;
    }
    struct iovec siov = {.iov_base = zeros, .iov_len = size};
    struct mmsghdr smsgs[UDP_BATCH];
    memset(smsgs, 0, sizeof smsgs);
    for (int i = 0; i < UDP_BATCH; i++) { smsgs[i].msg_hdr.msg_iov = &siov; smsgs[i].msg_hdr.msg_iovlen = 1; }

    start_clock();
    uint64_t t = now_ns();
    for (int i = 0; i < conns; i++) {
        int s = udp_send(fl[i].fd, smsgs, depth);
        fl[i].inflight = s > 0 ? s : 0;
        fl[i].last_rx = t;
    }
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, 5);
        for (int e = 0; e < n; e++) {
            struct flow *f = &fl[evs[e].data.u32];
            memset(msgs, 0, sizeof msgs);
            for (int i = 0; i < UDP_BATCH; i++) {
                msgs[i].msg_hdr.msg_iov = &iov[i];
                msgs[i].msg_hdr.msg_iovlen = 1;
                if (gso) {
                    msgs[i].msg_hdr.msg_control = controls[i];
                    msgs[i].msg_hdr.msg_controllen = sizeof controls[i];
                }
            }
            int got = recvmmsg(f->fd, msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
            if (got < 0) {
                if (errno != EAGAIN) note_error("recvmmsg", errno);
                continue;
            }
            f->last_rx = now_ns();
            int datagrams = 0;
            for (int i = 0; i < got; i++) {
                int count = udp_count(&msgs[i]);
                datagrams += count;
                if (measuring) { done_msgs += count; done_bytes += msgs[i].msg_len; }
            }
            f->inflight -= datagrams;
            if (f->inflight < 0) f->inflight = 0;
            int want = depth - f->inflight;
            if (want > 0) {
                int s = udp_send(f->fd, smsgs, want);
                if (s < 0) { if (errno != EAGAIN) note_error(gso ? "sendmsg" : "sendmmsg", errno); }
                else { f->inflight += s; if (measuring) sent_msgs += s; }
            }
        }
        t = now_ns();
        for (int i = 0; i < conns; i++) {
            if (t - fl[i].last_rx > 20000000ull) {  /* 20 ms silent: the datagrams were dropped */
                if (measuring) resets++;
                int s = udp_send(fl[i].fd, smsgs, depth);
                fl[i].inflight = s > 0 ? s : 0;
                fl[i].last_rx = t;
            }
        }
        if (tick_phase(t)) break;
    }
    printf("RESULT mode=udp flows=%d depth=%d size=%d sent=%llu resets=%llu", conns, depth, size,
           (unsigned long long)sent_msgs, (unsigned long long)resets);
    if (gso)
        printf(" gso=1 gso_sends=%llu gro_bufs=%llu gro_datagrams=%llu", (unsigned long long)gso_sends,
               (unsigned long long)gro_bufs, (unsigned long long)gro_datagrams);
    print_common();
}

/* ---------- accept storm ---------- */
struct attempt { int fd; int state; };  /* 0 connecting, 1 waiting for the echo */

static void start_attempt(struct attempt *a) {
    for (;;) {
        a->fd = new_socket(SOCK_STREAM, 1);
        if (a->fd < 0) { note_error("socket", errno); usleep(1000); continue; }
        a->state = 0;
        int r = connect(a->fd, (struct sockaddr *)&server_addr, sizeof server_addr);
        if (r < 0 && errno != EINPROGRESS) { note_error("connect", errno); close(a->fd); usleep(1000); continue; }
        struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = a};
        epoll_ctl(ep, EPOLL_CTL_ADD, a->fd, &ev);
        return;
    }
}

static void run_accept(void) {
    struct attempt *as = calloc(conns, sizeof *as);
    start_clock();
    for (int i = 0; i < conns; i++) start_attempt(&as[i]);
    struct epoll_event evs[512];
    for (;;) {
        int n = epoll_wait(ep, evs, 512, 10);
        for (int i = 0; i < n; i++) {
            struct attempt *a = evs[i].data.ptr;
            int failed = 0;
            if (a->state == 0) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err) { note_error("connect", err); failed = 1; }
                else if (write(a->fd, "x", 1) != 1) { note_error("write", errno); failed = 1; }
                else {
                    a->state = 1;
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = a};
                    epoll_ctl(ep, EPOLL_CTL_MOD, a->fd, &ev);
                    continue;
                }
            } else {
                char b;
                ssize_t r = read(a->fd, &b, 1);
                if (r < 0 && errno == EAGAIN) continue;
                if (r != 1) { note_error("read", r < 0 ? errno : ECONNRESET); failed = 1; }
                else if (measuring) done_msgs++;
            }
            (void)failed;
            epoll_ctl(ep, EPOLL_CTL_DEL, a->fd, NULL);
            close(a->fd);
            start_attempt(a);
        }
        if (tick_phase(now_ns())) break;
    }
    printf("RESULT mode=accept concurrency=%d", conns);
    print_common();
}

/* ---------- idle connections ---------- */
static void run_idle(void) {
    long before = rss_kb();
    int *fds = malloc(sizeof(int) * conns);
    int opened = 0;
    uint64_t t0 = now_ns();
    const int batch = 256;
    for (int base = 0; base < conns; base += batch) {
        int end = base + batch < conns ? base + batch : conns;
        for (int i = base; i < end; i++) {
            fds[i] = connect_blocking();
            if (fds[i] < 0) break;
            struct timeval tv = {.tv_sec = 10};
            setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            if (write(fds[i], zeros, size) != size) { note_error("write", errno); }
            opened = i + 1;
        }
        for (int i = base; i < opened; i++) {
            long got = 0;
            while (got < size) {
                ssize_t r = read(fds[i], rbuf, size - got);
                if (r <= 0) { note_error("read", r < 0 ? errno : ECONNRESET); break; }
                got += r;
            }
        }
        if (opened < end) break;
    }
    double open_s = (now_ns() - t0) / 1e9;
    usleep(settle_ms * 1000);
    long after = rss_kb();
    printf("RESULT mode=idle conns=%d opened=%d open_secs=%.2f rss_before_kb=%ld rss_after_kb=%ld rss_per_conn_bytes=%.0f errors=%llu first_error=%s\n",
           conns, opened, open_s, before, after, opened ? (after - before) * 1024.0 / opened : -1,
           (unsigned long long)errors, first_error[0] ? first_error : "-");
    fflush(stdout);
    for (int i = 0; i < opened; i++) close(fds[i]);
    if (opened < conns) exit(2);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: loadgen tcp|rate|stream|udp|accept|idle --port P [options]\n"); return 1; }
    mode = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *k = argv[i];
        if (!strcmp(k, "--gso")) { gso = 1; continue; }
        if (i + 1 >= argc) break;   /* an option without its value is ignored, as it always was */
        const char *v = argv[++i];
        if (!strcmp(k, "--host")) host = v;
        else if (!strcmp(k, "--port")) port = atoi(v);
        else if (!strcmp(k, "--conns")) conns = atoi(v);
        else if (!strcmp(k, "--depth")) depth = atoi(v);
        else if (!strcmp(k, "--size")) size = atoi(v);
        else if (!strcmp(k, "--window")) window_bytes = atol(v);
        else if (!strcmp(k, "--rate")) rate = atol(v);
        else if (!strcmp(k, "--src-ips")) src_ips = atoi(v);
        else if (!strcmp(k, "--warmup-ms")) warmup_ms = atol(v);
        else if (!strcmp(k, "--duration-ms")) duration_ms = atol(v);
        else if (!strcmp(k, "--settle-ms")) settle_ms = atol(v);
        else if (!strcmp(k, "--server-pid")) server_pid = atoi(v);
        else if (!strcmp(k, "--perf-out")) perf_out = v;
        else if (!strcmp(k, "--perf-events")) perf_events = v;
        else { fprintf(stderr, "loadgen: unknown option %s\n", k); return 1; }
    }
    if (size > (int)sizeof zeros) { fprintf(stderr, "loadgen: --size at most %zu\n", sizeof zeros); return 1; }
    if (depth > UDP_BATCH && !strcmp(mode, "udp")) { fprintf(stderr, "loadgen: udp --depth at most %d\n", UDP_BATCH); return 1; }
    if (gso && strcmp(mode, "udp")) { fprintf(stderr, "loadgen: --gso is for udp mode only\n"); return 1; }
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons(port);
    inet_pton(AF_INET, host, &server_addr.sin_addr);
    hist = calloc(HIST_BUCKETS, sizeof *hist);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (!strcmp(mode, "tcp")) run_tcp();
    else if (!strcmp(mode, "rate")) run_rate();
    else if (!strcmp(mode, "stream")) run_stream();
    else if (!strcmp(mode, "udp")) run_udp();
    else if (!strcmp(mode, "accept")) run_accept();
    else if (!strcmp(mode, "idle")) { run_idle(); return 0; }
    else { fprintf(stderr, "loadgen: unknown mode %s\n", mode); return 1; }
    if (done_msgs == 0 && done_bytes == 0) return 2;
    return 0;
}
