#!/usr/bin/env python3
"""The process-level runner behind bench/run.sh: echo servers of every contestant, each pinned to
one CPU, loaded by bench/loadgen (C, epoll) pinned to the other, contestants interleaved round by
round, medians with spread, ratios, and bench/RESULTS.md with an SVG plot.

Only the Python standard library. Run it through run.sh, which compiles the C parts first.
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import selectors
import shlex
import signal
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
TARGET = os.path.join(BENCH, "target")
JAR = os.path.join(TARGET, "benchmarks.jar")
LOADGEN = os.path.join(TARGET, "loadgen")
C_ECHO = os.path.join(TARGET, "c_epoll_echo")
NODE_ECHO = os.path.join(BENCH, "servers", "node_echo.js")

SERVER_CPU = "1"
LOAD_CPU = "0"
IDLE_TIMEOUT_MS = 600_000   # the idle phase's servers arm a 10-minute idle timer per connection
FIXED_RATE = 20_000         # offered load (messages/s) of the CPU and syscall measurement
SYSCALL_EVENTS = ["raw_syscalls:sys_enter"] + ["syscalls:sys_enter_" + s for s in (
    "read", "write", "readv", "writev", "recvfrom", "sendto", "recvmsg", "sendmsg", "recvmmsg",
    "sendmmsg", "epoll_wait", "epoll_pwait", "epoll_ctl", "io_uring_enter", "futex")]


# UDP segmentation offload (udp(7)): ffm-net has UDP_GRO on and UDP_SEGMENT off by default; the
# workloads whose load generator sends with UDP_SEGMENT and receives with UDP_GRO ("GSO sender") are
# the case GSO is for, so there the ffm-net servers run with both on (GRO named too, so the flags say
# what ran): a server process of its own, so every other workload still measures the defaults. The other contestants
# are never changed: they do not set UDP_GRO, so on loopback the kernel splits each GSO send into
# datagrams for them, which is their canonical echo.
FFM_OFFLOAD_FLAGS = ["-Dio.ffmnet.udp.gso=true", "-Dio.ffmnet.udp.gro=true"]
GSO_WORKLOADS = ("udp-64-gso", "udp-1200-gso")


def server_flags(name, key):
    """Extra JVM flags contestant `name` runs workload `key` with (a separate server start when not empty)."""
    return FFM_OFFLOAD_FLAGS if name.startswith("ffm-") and key in GSO_WORKLOADS else []


def java_cmd(java, extra):
    # Same flags for every JVM contestant. Pinned to one CPU the JVM sizes itself for one CPU
    # (Serial GC, one JIT thread pool): the same for all of them.
    return [java, "--enable-native-access=ALL-UNNAMED", "-Xmx2g", "-cp", JAR] + extra


def contestants(java):
    """name -> (command builder(tcp, udp, idle_ms) -> argv, supports idle timers, note)."""
    def ffm(api):
        return lambda tcp, udp, idle, loops=1, flags=(): java_cmd(java, list(flags) + [
            "io.ffmnet.bench.EchoServer", "--api", api, "--tcp-port", str(tcp), "--udp-port", str(udp),
            "--idle-timeout", str(idle), "--loops", str(loops)])

    def peer(impl):
        return lambda tcp, udp, idle, loops=1: java_cmd(java, ["io.ffmnet.bench.PeerEchoServer", "--impl", impl,
                                                               "--tcp-port", str(tcp), "--udp-port", str(udp),
                                                               "--idle-timeout", str(idle), "--loops", str(loops)])
    return {
        "ffm-node": (ffm("node"), True, "ffm-net, Node-style API (Net.createServer, socket.on(DATA, b -> socket.write(b)))"),
        "ffm-raw": (ffm("raw"), True, "ffm-net raw handle layer (ListenHandle/StreamHandle/UdpHandle/Loop)"),
        "netty-epoll": (peer("netty-epoll"), True, "Netty 4.2.18 native epoll, canonical echo handler"),
        "netty-io_uring": (peer("netty-io_uring"), True, "Netty 4.2.18 native io_uring"),
        "nio": (peer("nio"), False, "JDK NIO selector, one thread (no idle timers)"),
        "node": (lambda tcp, udp, idle: ["node", NODE_ECHO, "--tcp-port", str(tcp), "--udp-port", str(udp),
                                         "--idle-timeout", str(idle)], True, "Node 20 net/dgram"),
        "c-epoll": (lambda tcp, udp, idle: [C_ECHO, "--tcp-port", str(tcp), "--udp-port", str(udp)], False,
                    "plain C epoll echo, recvfrom/sendto for UDP (reference limit, no idle timers)"),
    }


def workloads(quick):
    """(key, title, loadgen args, metric kind). Order is the order run within a server's turn."""
    conns_sweep = [1, 64] if quick else [1, 16, 64, 256]
    w = []
    for c in conns_sweep:
        w.append((f"tcp-pp-c{c}", f"TCP ping-pong 64 B, {c} conn", ["tcp", "--conns", str(c), "--depth", "1", "--size", "64"], "tcp"))
    w += [
        ("tcp-pipe-c64x16", "TCP pipelined 64 B, 64 conns x 16 in flight", ["tcp", "--conns", "64", "--depth", "16", "--size", "64"], "tcp"),
        ("stream-c1", "Streaming 64 KiB, 1 conn", ["stream", "--conns", "1", "--size", "65536"], "stream"),
        ("stream-c16", "Streaming 64 KiB, 16 conns", ["stream", "--conns", "16", "--size", "65536"], "stream"),
        ("udp-64", "UDP echo 64 B (4 flows x 16 in flight)", ["udp", "--conns", "4", "--depth", "16", "--size", "64"], "udp"),
        ("udp-1200", "UDP echo 1,200 B (4 flows x 16 in flight)", ["udp", "--conns", "4", "--depth", "16", "--size", "1200"], "udp"),
        ("udp-64-gso", "UDP echo 64 B, GSO sender (4 flows x 16 in flight)",
         ["udp", "--conns", "4", "--depth", "16", "--size", "64", "--gso"], "udp"),
        ("udp-1200-gso", "UDP echo 1,200 B, GSO sender (4 flows x 16 in flight)",
         ["udp", "--conns", "4", "--depth", "16", "--size", "1200", "--gso"], "udp"),
        ("accept", "Accept storm (32 concurrent connect/1 B echo/close, 4 source IPs)", ["accept", "--conns", "32", "--src-ips", "4"], "accept"),
        ("cpu-rate", f"Fixed load {FIXED_RATE} msg/s of 64 B over 16 conns: server CPU and syscalls per message",
         ["rate", "--conns", "16", "--rate", str(FIXED_RATE), "--size", "64"], "rate"),
    ]
    return w


class Server:
    def __init__(self, name, argv, log_path, cpus=SERVER_CPU):
        self.name = name
        self.argv = ["taskset", "-c", cpus] + argv
        self.log_path = log_path
        self.proc = None
        self.info = ""

    def start(self, timeout=40):
        self.log = open(self.log_path, "ab")
        self.log.write(("\n$ " + shlex.join(self.argv) + "\n").encode())
        self.log.flush()
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL)
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.time() + timeout
        buf = b""
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before 'ready' (see {self.log_path})")
            if sel.select(0.2):
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                buf += chunk
                if b"ready" in buf:
                    sel.close()
                    time.sleep(0.2)
                    with open(self.log_path, "rb") as f:
                        lines = [l for l in f.read().decode(errors="replace").splitlines() if "impl=" in l]
                    self.info = lines[-1] if lines else ""
                    return self
        self.stop()
        raise RuntimeError(f"{self.name} did not print 'ready' within {timeout}s (see {self.log_path})")

    @property
    def pid(self):
        return self.proc.pid

    def has_udp(self):
        m = re.search(r"udp=(-?\d+)", self.info)
        return m is not None and int(m.group(1)) >= 0

    def udp_note(self):
        m = re.search(r'udp-note="([^"]*)"', self.info)
        return m.group(1) if m else "no UDP echo"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM, then SIGKILL after 10 s. Returns a note when the stop was not clean."""
        if self.proc is None:
            return None
        note = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                note = "did not exit within 10 s of SIGTERM; killed"
        else:
            note = f"had already exited with {self.proc.returncode}"
        self.log.close()
        return note


def parse_result(out):
    for line in out.splitlines():
        if line.startswith("RESULT "):
            d = {}
            for kv in line[7:].split():
                k, _, v = kv.partition("=")
                try:
                    d[k] = float(v) if re.fullmatch(r"-?[0-9.]+", v) else v
                except ValueError:
                    d[k] = v
            return d
    return None


def parse_perf(path):
    counts = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.strip().split(",")
                if len(parts) >= 3 and parts[0] and parts[0][0].isdigit():
                    counts[parts[2]] = int(parts[0])
    except OSError:
        pass
    return counts


def run_loadgen(args, port, server_pid, warmup_ms, duration_ms, extra=(), timeout=None, cpus=LOAD_CPU):
    argv = ["taskset", "-c", cpus, LOADGEN] + list(args) + ["--port", str(port), "--server-pid", str(server_pid),
                                                               "--warmup-ms", str(warmup_ms), "--duration-ms", str(duration_ms)] + list(extra)
    timeout = timeout or (warmup_ms + duration_ms) / 1000 + 30
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"loadgen timed out after {timeout:.0f}s: {shlex.join(argv)}"
    res = parse_result(p.stdout)
    if res is None or p.returncode != 0:
        return res, f"loadgen exit {p.returncode}: {(p.stderr or p.stdout).strip()[:300]}"
    return res, None


def busy_processes(window_s=1.0, threshold_pct=5.0):
    """Processes other than this runner that used more than threshold_pct of a CPU over the last
    window_s seconds ("pid pct% comm" lines, busiest first)."""
    def ticks():
        out = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            out[pid] = (comm, int(fields[11]) + int(fields[12]))
        return out
    hz = os.sysconf("SC_CLK_TCK")
    before = ticks()
    time.sleep(window_s)
    after = ticks()
    busy = []
    for pid, (comm, t) in after.items():
        if pid in before:
            pct = (t - before[pid][1]) / hz / window_s * 100
            if pct > threshold_pct:
                busy.append((pct, f"{pid} {pct:.0f}% {comm}"))
    return "\n".join(line for _, line in sorted(busy, reverse=True)[:5])


def machine_info(java):
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
        except Exception as e:  # noqa: BLE001 - a missing tool is reported, not fatal
            return f"({e})"
    lscpu = sh("lscpu | grep -E '^(Model name|CPU\\(s\\)|Thread|Core|Socket|L1d|L2|L3|Hypervisor)'")
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "uname": sh("uname -a"),
        "lscpu": lscpu,
        "memory": sh("free -h | sed -n 2p"),
        "java": sh(f"{shlex.quote(java)} -version 2>&1 | head -3"),
        "node": sh("node --version"),
        "gcc": sh("gcc --version | head -1"),
        "nofile": sh("ulimit -Hn"),
        "library": sh(f"git -C {shlex.quote(ROOT)} log -1 --format='%h %s'") + "; uncommitted changes in src/main when the run started: "
                   + sh(f"git -C {shlex.quote(ROOT)} status --short -- src/main | wc -l") + " files",
        "library_installed": os.environ.get("FFMNET_BENCH_INSTALLED") == "1",
        "loadavg_start": sh("cat /proc/loadavg"),
        "other_busy": busy_processes(),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="short windows, ping-pong at 1 and 64 conns only, idle 10k only")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated contestants (default all)")
    ap.add_argument("--workloads", default="", help="comma-separated workload keys (default all)")
    ap.add_argument("--no-idle", action="store_true")
    ap.add_argument("--jmh", action="store_true", help="run the JMH micro benchmarks first (2 forks) and include them")
    ap.add_argument("--profile", action="store_true", help="JFR-profile ffm-node under pipelined load at the end")
    ap.add_argument("--scaling", action="store_true",
                    help="also run ffm-net and Netty epoll with 1 and 2 loops (event-loop threads), unpinned")
    ap.add_argument("--out", default=os.path.join(BENCH, "RESULTS.md"))
    ap.add_argument("--port-base", type=int, default=21000,
                    help="first port of the throughput servers (10 per contestant); another runner on the machine needs another")
    ap.add_argument("--command", default="bench/run.sh")
    a = ap.parse_args()

    java = os.environ.get("JAVA_BIN", "java")
    warm_ms, dur_ms, global_warm_ms = (500, 1000, 1500) if a.quick else (1000, 2000, 3000)
    idle_sizes = [10_000] if a.quick else [10_000, 50_000]

    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        pass
    nofile_hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if not a.quick and max(idle_sizes) + 500 > nofile_hard:
        # The largest count this machine allows, next to the one it does not (reported skipped).
        idle_sizes.insert(-1, (nofile_hard - 1000) // 1000 * 1000)

    cs = contestants(java)
    names = [n for n in cs if not a.only or n in a.only.split(",")]
    wl = [w for w in workloads(a.quick) if not a.workloads or w[0] in a.workloads.split(",")]
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    logdir = os.path.join(BENCH, "results", stamp)
    os.makedirs(logdir, exist_ok=True)
    info = machine_info(java)
    print(f"# logs in {logdir}", flush=True)

    jmh = run_jmh(java, logdir, a.quick) if a.jmh else None

    results = {}   # (contestant, workload) -> list of result dicts (one per round)
    errors = []    # (round, contestant, workload, message)
    skipped = {}   # (contestant, workload) -> reason
    t0 = time.time()

    for r in range(a.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        print(f"## round {r + 1}/{a.rounds}: {' '.join(order)}", flush=True)
        for idx, name in enumerate(order):
            build, has_idle, _ = cs[name]
            base = a.port_base + 10 * names.index(name)
            # One server process per set of server flags (normally one), each warmed up first.
            phases = []
            for w_ in wl:
                flags = server_flags(name, w_[0])
                if phases and phases[-1][0] == flags:
                    phases[-1][1].append(w_)
                else:
                    phases.append((flags, [w_]))
            for p_idx, (flags, phase_wl) in enumerate(phases):
                tcp_port = base + 2 * p_idx
                argv = build(tcp_port, tcp_port + 1, 0, flags=flags) if flags else build(tcp_port, tcp_port + 1, 0)
                srv = Server(name, argv, os.path.join(logdir, f"{name}.log"))
                try:
                    srv.start()
                except RuntimeError as e:
                    errors.append((r + 1, name, "start", str(e)))
                    print(f"   {name}: FAILED TO START: {e}", flush=True)
                    continue
                try:
                    run_phase(r, name, srv, tcp_port, phase_wl, flags, logdir, warm_ms, dur_ms, global_warm_ms,
                              results, errors, skipped)
                finally:
                    note = srv.stop()
                    if note:
                        errors.append((r + 1, name, "stop", note))
            if a.no_idle or (a.workloads and "idle" not in a.workloads):
                continue
            for n in idle_sizes:
                key = f"idle-{n // 1000}k"
                # Each end needs one descriptor per connection plus a few hundred for itself.
                if n + 500 > nofile_hard:
                    skipped[(name, key)] = (f"cannot hold {n} connections here: RLIMIT_NOFILE hard limit is {nofile_hard} "
                                            f"per process, and raising it needs CAP_SYS_RESOURCE, which this container does not grant")
                    continue
                idle_ms = IDLE_TIMEOUT_MS if has_idle else 0
                srv = Server(name, build(base, base + 1, idle_ms), os.path.join(logdir, f"{name}-idle.log"))
                try:
                    srv.start()
                except RuntimeError as e:
                    errors.append((r + 1, name, key, str(e)))
                    continue
                try:
                    # a short warm-up so that the baseline includes the server's steady-state code and pools
                    run_loadgen(["tcp", "--conns", "16", "--depth", "4", "--size", "64"], base, srv.pid, 0, 500)
                    time.sleep(0.5)
                    argv = ["taskset", "-c", LOAD_CPU, LOADGEN, "idle", "--port", str(base), "--conns", str(n),
                            "--src-ips", "4", "--size", "64", "--server-pid", str(srv.pid), "--settle-ms", "2000"]
                    try:
                        p = subprocess.run(argv, capture_output=True, text=True, timeout=180)
                        res = parse_result(p.stdout)
                        err = None if p.returncode == 0 and res else f"loadgen exit {p.returncode}: {(p.stderr or p.stdout).strip()[:300]}"
                    except subprocess.TimeoutExpired:
                        res, err = None, "idle loadgen timed out after 180s"
                    if err:
                        errors.append((r + 1, name, key, err))
                    if res is not None:
                        res["round"] = r + 1
                        res["idle_timers"] = bool(idle_ms)
                        results.setdefault((name, key), []).append(res)
                    print(f"   {name:15s} {key:16s} " + summarize("idle", res, err), flush=True)
                finally:
                    note = srv.stop()
                    if note:
                        errors.append((r + 1, name, key + " stop", note))
        print(f"   (elapsed {time.time() - t0:.0f}s)", flush=True)

    scaling = run_scaling({n: cs[n] for n in names}, logdir, a.rounds, warm_ms, dur_ms, global_warm_ms) if a.scaling else None

    profile = None
    if a.profile and "ffm-node" in names:
        profile = run_profile(java, logdir, global_warm_ms)

    info["loadavg_end"] = open("/proc/loadavg").read().strip()
    info["elapsed_s"] = round(time.time() - t0)
    info["nofile_hard"] = nofile_hard
    raw = {"info": info, "quick": a.quick, "rounds": a.rounds, "names": names,
           "workloads": [(k, t, args, kind) for k, t, args, kind in wl],
           "idle_sizes": idle_sizes if not a.no_idle else [],
           "results": {f"{k[0]}|{k[1]}": v for k, v in results.items()},
           "errors": errors, "skipped": {f"{k[0]}|{k[1]}": v for k, v in skipped.items()},
           "profile": profile, "jmh": jmh, "scaling": scaling, "contestants": {n: cs[n][2] for n in names},
           "command": a.command, "warm_ms": warm_ms, "dur_ms": dur_ms, "global_warm_ms": global_warm_ms,
           "server_flags": {k: {n: " ".join(server_flags(n, k)) for n in names if server_flags(n, k)}
                            for k, _, _, _ in wl if any(server_flags(n, k) for n in names)}}
    with open(os.path.join(logdir, "raw.json"), "w") as f:
        json.dump(raw, f, indent=1)
    import report
    # The plot goes next to the report, which links it by its bare name (--out elsewhere keeps bench/ untouched).
    svg = os.path.join(os.path.dirname(os.path.abspath(a.out)), "results.svg")
    report.write(raw, a.out, svg)
    print(f"# wrote {a.out} and {svg}; raw data in {logdir}/raw.json", flush=True)


def run_phase(r, name, srv, tcp_port, wl, flags, logdir, warm_ms, dur_ms, global_warm_ms, results, errors, skipped):
    """Workloads `wl` against one running server: a warm-up first (pipelined TCP; for a server started
    with extra flags for UDP workloads only, its first workload), then each workload in turn."""
    udp_port = tcp_port + 1
    if flags and all(kind == "udp" for _, _, _, kind in wl):
        res, err = run_loadgen(wl[0][2], udp_port, srv.pid, 0, global_warm_ms)
    else:
        res, err = run_loadgen(["tcp", "--conns", "64", "--depth", "16", "--size", "64"], tcp_port, srv.pid,
                               0, global_warm_ms)
    if err:
        errors.append((r + 1, name, "warm-up", err))
    for key, title, args, kind in wl:
        if kind == "udp" and not srv.has_udp():
            skipped[(name, key)] = srv.udp_note()
            continue
        if not srv.alive():
            errors.append((r + 1, name, key, "server died"))
            break
        port = udp_port if kind == "udp" else tcp_port
        extra = []
        perf_path = None
        if kind == "rate":
            perf_path = os.path.join(logdir, f"perf-{name}-r{r + 1}.csv")
            extra = ["--perf-out", perf_path, "--perf-events", ",".join(SYSCALL_EVENTS)]
        res, err = run_loadgen(args, port, srv.pid, warm_ms, dur_ms if kind != "rate" else max(dur_ms, 2000), extra)
        if res is not None and perf_path:
            res["perf"] = parse_perf(perf_path)
        if err:
            errors.append((r + 1, name, key, err))
        if res is not None:
            res["round"] = r + 1
            if flags:
                res["server_flags"] = " ".join(flags)
            results.setdefault((name, key), []).append(res)
        print(f"   {name:15s} {key:16s} " + summarize(kind, res, err), flush=True)


SCALING_CONTESTANTS = ["ffm-node", "ffm-raw", "netty-epoll"]  # NIO and Node serve one thread only
SCALING_WORKLOADS = [
    ("tcp-pp-c64", "TCP ping-pong 64 B, 64 conns", ["tcp", "--conns", "64", "--depth", "1", "--size", "64"], "tcp"),
    ("tcp-pipe-c64x16", "TCP pipelined 64 B, 64 conns x 16 in flight", ["tcp", "--conns", "64", "--depth", "16", "--size", "64"], "tcp"),
    ("udp-64", "UDP echo 64 B, 32 flows x 16 in flight", ["udp", "--conns", "32", "--depth", "16", "--size", "64"], "udp"),
]


def run_scaling(cs, logdir, rounds, warm_ms, dur_ms, global_warm_ms):
    """Each server with 1 and then 2 loops (event-loop threads), neither it nor the load generator
    pinned: on two CPUs the load generator takes a share of the second loop's CPU, so this shows
    what a second loop buys when it has to share, not a clean doubling."""
    names = [n for n in SCALING_CONTESTANTS if n in cs]
    results = {}
    errors = []
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        print(f"## scaling round {r + 1}/{rounds}: {' '.join(order)}", flush=True)
        for name in order:
            for loops in (1, 2):
                label = f"{name} x{loops}"
                base = 22000 + 10 * names.index(name) + loops
                srv = Server(label, cs[name][0](base, base + 5, 0, loops), os.path.join(logdir, f"scaling-{name}-{loops}.log"),
                             cpus="0,1")
                try:
                    srv.start()
                except RuntimeError as e:
                    errors.append((r + 1, label, "start", str(e)))
                    continue
                try:
                    run_loadgen(["tcp", "--conns", "64", "--depth", "16", "--size", "64"], base, srv.pid, 0,
                                global_warm_ms, cpus="0,1")
                    for key, title, args, kind in SCALING_WORKLOADS:
                        if kind == "udp" and not srv.has_udp():
                            continue
                        port = base + 5 if kind == "udp" else base
                        res, err = run_loadgen(args, port, srv.pid, warm_ms, dur_ms, cpus="0,1")
                        if err:
                            errors.append((r + 1, label, key, err))
                        if res is not None:
                            res["round"] = r + 1
                            results.setdefault(f"{name}|{loops}|{key}", []).append(res)
                        print(f"   {label:15s} {key:16s} " + summarize(kind, res, err), flush=True)
                finally:
                    note = srv.stop()
                    if note:
                        errors.append((r + 1, label, "stop", note))
    return {"names": names, "workloads": SCALING_WORKLOADS, "results": results, "errors": errors}


def summarize(kind, res, err):
    if res is None:
        return f"ERROR {err}"
    s = ""
    if kind in ("tcp", "udp", "accept", "rate"):
        s = f"{res.get('msgs_per_s', 0):>10.0f} msg/s"
    if kind == "tcp" or kind == "rate":
        s += f"  p50 {res.get('p50_us', -1):7.1f}us p99 {res.get('p99_us', -1):8.1f}us p999 {res.get('p999_us', -1):8.1f}us"
    if kind == "stream":
        s = f"{res.get('mb_per_s', 0):>10.1f} MB/s"
    if kind == "rate":
        perf = res.get("perf", {})
        sc = perf.get("raw_syscalls:sys_enter")
        msgs = res.get("msgs", 0) or 1
        s += f"  cpu {res.get('server_cpu_ns_per_msg', -1):.0f} ns/msg  syscalls {sc / msgs if sc else -1:.2f}/msg"
    if kind == "idle":
        s = f"{res.get('rss_per_conn_bytes', -1):>8.0f} B/conn RSS ({res.get('opened', 0):.0f} opened)"
    if "gro_datagrams" in res and res.get("msgs"):
        s += f"  replies coalesced {100 * res['gro_datagrams'] / res['msgs']:.0f}%"
    if kind not in ("idle", "rate") and "server_cpu_pct" in res:
        s += f"  server cpu {res['server_cpu_pct']:.0f}%  loadgen cpu {res.get('loadgen_cpu_s', 0):.2f}s"
    if err:
        s += f"  [{err}]"
    return s


def run_jmh(java, logdir, quick):
    """All JMH benchmarks, 2 forks each; returns the parsed JSON results (or an error)."""
    out = os.path.join(logdir, "jmh.json")
    iters = ["-wi", "2", "-w", "500ms", "-i", "3", "-r", "500ms"] if quick else ["-wi", "3", "-w", "1s", "-i", "5", "-r", "1s"]
    argv = [java, "-jar", JAR, "-f", "2", "-foe", "false", "-rf", "json", "-rff", out] + iters
    print("## JMH: " + shlex.join(argv), flush=True)
    with open(os.path.join(logdir, "jmh.log"), "w") as log:
        p = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, timeout=3600)
    try:
        with open(out) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        return {"error": f"JMH exited {p.returncode} and wrote no results ({e}); see {logdir}/jmh.log"}
    rows = []
    for b in data:
        pm = b["primaryMetric"]
        rows.append({"benchmark": b["benchmark"].replace("io.ffmnet.bench.jmh.", ""), "params": b.get("params", {}),
                     "score": pm["score"], "error": pm["scoreError"], "unit": pm["scoreUnit"],
                     "forks": b["forks"], "samples": len(pm.get("rawData", [[]])[0]) * len(pm.get("rawData", []))})
    return {"rows": rows, "command": shlex.join(argv), "exit": p.returncode}


def run_profile(java, logdir, warm_ms):
    """ffm-node under pipelined load, profiled two ways at once: JFR (Java frames of the loop thread:
    execution samples while in Java, native-method samples while in a downcall) and perf (cpu-clock
    over the whole process, kernel included, JIT frames named through the JVM's perf map)."""
    jfr = os.path.join(logdir, "ffm-node.jfr")
    argv = java_cmd(java, [f"-XX:StartFlightRecording=filename={jfr},settings=profile,dumponexit=true",
                           "-XX:+UnlockDiagnosticVMOptions", "-XX:+DumpPerfMapAtExit",
                           "io.ffmnet.bench.EchoServer", "--api", "node", "--tcp-port", "21990", "--udp-port", "-1"])
    srv = Server("ffm-node-profile", argv, os.path.join(logdir, "ffm-node-profile.log"))
    try:
        srv.start()
    except RuntimeError as e:
        return {"error": str(e)}
    perf_data = os.path.join(logdir, "perf.data")
    perf_note = None
    try:
        run_loadgen(["tcp", "--conns", "64", "--depth", "16", "--size", "64"], 21990, srv.pid, 0, max(warm_ms, 3000))
        perf = None
        try:
            perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-o", perf_data,
                                     "-p", str(srv.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as e:
            perf_note = f"perf record unavailable: {e}"
        res, _ = run_loadgen(["tcp", "--conns", "64", "--depth", "16", "--size", "64"], 21990, srv.pid, 500, 8000)
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait(30)
    finally:
        srv.stop()   # the JVM writes /tmp/perf-PID.map on exit
    prof = {"load": "64 conns x 16 in flight, 64 B, 8 s measured (after a 3 s warm-up)",
            "jfr": os.path.relpath(jfr, ROOT), "msgs_per_s": res.get("msgs_per_s") if res else None,
            "server_cpu_pct": res.get("server_cpu_pct") if res else None}
    prof.update(jfr_summary(java, jfr))
    prof["perf"] = perf_summary(perf_data) if not perf_note else {"error": perf_note}
    return prof


def frame_name(fr):
    return (fr["method"]["type"]["name"] + "." + fr["method"]["name"]).replace("/", ".")


def jfr_summary(java, jfr):
    jfr_bin = os.path.join(os.path.dirname(java), "jfr") if os.path.dirname(java) else "jfr"
    out = {}
    try:
        p = subprocess.run([jfr_bin, "print", "--json", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", jfr],
                           capture_output=True, text=True, timeout=300)
        events = json.loads(p.stdout)["recording"]["events"]
    except Exception as e:  # noqa: BLE001 - reported in RESULTS.md
        return {"error": f"jfr print failed: {e}"}
    kinds = {"jdk.ExecutionSample": "java", "jdk.NativeMethodSample": "native"}
    self_counts, total_counts, n = {}, {}, {"java": 0, "native": 0}
    for ev in events:
        kind = kinds.get(ev.get("type"), "java")
        thread = (ev["values"].get("sampledThread") or {}).get("javaName") or ""
        if not thread.startswith("ffm-net-loop"):
            continue
        frames = [frame_name(fr) for fr in (ev["values"].get("stackTrace") or {}).get("frames", [])]
        if not frames:
            continue
        n[kind] += 1
        k = f"[{kind}] {frames[0]}"
        self_counts[k] = self_counts.get(k, 0) + 1
        for f in set(frames):
            if f.startswith("io.ffmnet"):
                total_counts[f] = total_counts.get(f, 0) + 1
    out["samples"] = n["java"] + n["native"]
    out["samples_java"] = n["java"]
    out["samples_native"] = n["native"]
    out["top_self"] = sorted(self_counts.items(), key=lambda kv: -kv[1])[:20]
    out["top_total"] = sorted(total_counts.items(), key=lambda kv: -kv[1])[:20]
    try:
        p = subprocess.run([jfr_bin, "print", "--json", "--events", "jdk.ObjectAllocationSample", jfr],
                           capture_output=True, text=True, timeout=300)
        counts = {}
        for ev in json.loads(p.stdout)["recording"]["events"]:
            thread = (ev["values"].get("eventThread") or {}).get("javaName") or ""
            if not thread.startswith("ffm-net-loop"):
                continue
            cls = ev["values"]["objectClass"]["name"].replace("/", ".")
            frames = [frame_name(fr) for fr in (ev["values"].get("stackTrace") or {}).get("frames", [])]
            site = next((f for f in frames if f.startswith("io.ffmnet")), "?")
            k = f"{cls} allocated in {site}"
            counts[k] = counts.get(k, 0) + ev["values"].get("weight", 0)
        out["alloc"] = sorted(counts.items(), key=lambda kv: -kv[1])[:12]
    except Exception as e:  # noqa: BLE001
        out["alloc"] = [(f"allocation samples unavailable: {e}", 0)]
    return out


def perf_summary(perf_data):
    """Top symbols by self samples (kernel and user), and the split kernel / JIT code / libc / JVM."""
    try:
        p = subprocess.run(["perf", "report", "-i", perf_data, "--stdio", "--no-children", "--sort", "dso,sym",
                            "-g", "none", "--percent-limit", "0.7"], capture_output=True, text=True, timeout=300)
    except Exception as e:  # noqa: BLE001
        return {"error": f"perf report failed: {e}"}
    rows, total = [], None
    for line in p.stdout.splitlines():
        if line.startswith("# Samples:"):
            total = line.split(":", 1)[1].strip()
        m = re.match(r"\s+([0-9.]+)%\s+(\S+)\s+\[(.)\]\s+(.*)", line)
        if m:
            rows.append((float(m.group(1)), m.group(2), m.group(3), m.group(4).strip()[:140]))
    split = {}
    try:
        p2 = subprocess.run(["perf", "report", "-i", perf_data, "--stdio", "--no-children", "--sort", "dso", "-g", "none"],
                            capture_output=True, text=True, timeout=300)
        for line in p2.stdout.splitlines():
            m = re.match(r"\s+([0-9.]+)%\s+(.*)", line)
            if m:
                split[m.group(2).strip()] = float(m.group(1))
    except Exception:  # noqa: BLE001
        pass
    if not rows:
        return {"error": "perf report gave no samples: " + (p.stderr or "")[:300]}
    return {"samples": total, "top": rows[:30], "dso": sorted(split.items(), key=lambda kv: -kv[1])[:10]}


if __name__ == "__main__":
    sys.path.insert(0, BENCH)
    main()
