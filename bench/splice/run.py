# A/B of socket.pipe(socket) with and without splice: 1 GiB from a Node client through
# SpliceProxyMain (its own JVM) to a Node sink; prints MB/s at the sink and the proxy's CPU
# seconds (utime+stime from /proc/PID/stat, sampled after it listens and after the transfer).
# Usage (after ./mvnw test-compile): python3 bench/splice/run.py ROUNDS [extra JVM args]
import subprocess, sys, os
JAVA = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CP = f"{ROOT}/target/classes:{ROOT}/target/test-classes"
TOTAL = 1 << 30
HZ = os.sysconf("SC_CLK_TCK")
def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / HZ  # utime + stime
def run(splice):
    node = subprocess.Popen(["node", os.path.join(os.path.dirname(os.path.abspath(__file__)), "peer.js"), str(TOTAL)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    sink = node.stdout.readline().split()[1]
    proxy = subprocess.Popen([JAVA, "--enable-native-access=ALL-UNNAMED", f"-Dio.ffmnet.splice={splice}", *sys.argv[2:], "-cp", CP, "io.ffmnet.SpliceProxyMain", sink], stdout=subprocess.PIPE, text=True)
    port = proxy.stdout.readline().split()[1]
    c0 = cpu(proxy.pid)
    node.stdin.write(port + "\n"); node.stdin.flush()
    result = node.stdout.readline().strip()
    line = proxy.stdout.readline().strip()
    c1 = cpu(proxy.pid)
    proxy.kill(); node.wait(); proxy.wait()
    print(f"splice={splice}: {result}; proxy cpu {c1 - c0:.2f} s; {line}", flush=True)
for i in range(int(sys.argv[1])):
    run("true"); run("false")
