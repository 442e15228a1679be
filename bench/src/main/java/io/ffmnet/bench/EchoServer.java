package io.ffmnet.bench;

import io.ffmnet.bench.servers.Echo;

import java.util.concurrent.CountDownLatch;

/**
 * The ffm-net echo server for outside harnesses:
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.ffmnet.bench.EchoServer \
 *      --tcp-port P --udp-port U [--loops N] [--api node|raw] [--idle-timeout MS]
 * </pre>
 * Echoes TCP on 127.0.0.1:P and UDP on 127.0.0.1:U (0 picks a free port; leave
 * {@code --udp-port} out for TCP only). Prints {@code ready} on stdout once both accept
 * (preceded by the ports on stderr), and closes the server on SIGTERM (a shutdown hook).
 * {@code --api node} (default) is the Node-style API; {@code --api raw} the handle layer under it.
 * {@code --idle-timeout MS} arms an idle timeout on every connection.
 */
public final class EchoServer {
    private EchoServer() {}

    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        String api = a.get("--api", "node");
        if (!api.equals("node") && !api.equals("raw")) {
            throw new IllegalArgumentException("--api must be node or raw, not " + api);
        }
        serve("ffm-" + api, a);
    }

    /** Starts {@code impl}, prints the ports and {@code ready}, and serves until SIGTERM. */
    static void serve(String impl, Args a) throws Exception {
        int tcpPort = Integer.parseInt(a.get("--tcp-port", "0"));
        int udpPort = Integer.parseInt(a.get("--udp-port", "-1"));
        int loops = Integer.parseInt(a.get("--loops", "1"));
        long idleTimeoutMs = Long.parseLong(a.get("--idle-timeout", "0"));
        Echo echo = Echo.start(impl, tcpPort, udpPort, loops, idleTimeoutMs);
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                echo.close();
            } catch (Throwable t) {
                t.printStackTrace();
            }
            System.err.println("echo server " + impl + " closed");
        }, "echo-shutdown"));
        System.err.println("impl=" + impl + " pid=" + ProcessHandle.current().pid() + " tcp=" + echo.tcpPort()
                + " udp=" + echo.udpPort() + " loops=" + loops + " idleTimeoutMs=" + idleTimeoutMs
                + (echo.udpNote() != null && udpPort >= 0 ? " udp-note=\"" + echo.udpNote() + "\"" : ""));
        System.out.println("ready");
        System.out.flush();
        forever.await();
    }

    /** {@code --name value} pairs. */
    record Args(java.util.Map<String, String> values) {
        static Args parse(String[] args) {
            java.util.Map<String, String> m = new java.util.HashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
                }
                m.put(args[i], args[++i]);
            }
            return new Args(m);
        }

        String get(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }
    }
}
