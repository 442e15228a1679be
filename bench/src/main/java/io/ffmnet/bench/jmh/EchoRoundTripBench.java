package io.ffmnet.bench.jmh;

import io.ffmnet.bench.servers.Echo;
import org.openjdk.jmh.annotations.*;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * In-process loopback echo: one 64-byte round trip from a blocking client to each server
 * implementation, all in the same JMH run (one fork per implementation). The client is the same
 * for every server (a blocking {@code java.net.Socket} with TCP_NODELAY), so differences come
 * from the servers. Each echo server has its own loop thread; on this machine client and server
 * threads share the JVM's cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class EchoRoundTripBench {
    @Param({"ffm-node", "ffm-raw", "netty-epoll", "nio"})
    public String impl;

    Echo echo;
    Socket client;
    OutputStream out;
    DataInputStream in;
    final byte[] message = new byte[64];
    final byte[] reply = new byte[64];

    @Setup
    public void setup() throws Exception {
        echo = Echo.start(impl, 0, -1, 1, 0);
        client = new Socket();
        client.setTcpNoDelay(true);
        client.connect(new InetSocketAddress("127.0.0.1", echo.tcpPort()));
        out = client.getOutputStream();
        in = new DataInputStream(client.getInputStream());
    }

    @TearDown
    public void tearDown() throws Exception {
        client.close();
        echo.close();
    }

    @Benchmark
    public byte[] roundTrip64() throws Exception {
        out.write(message);
        in.readFully(reply);
        return reply;
    }
}
