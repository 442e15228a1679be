package io.ffmnet.bench.servers;

import io.ffmnet.Buffer;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * ffm-net's UDP echo through the Node-style {@code io.ffmnet.Dgram} API, bound through method
 * handles so that the bench builds whether or not the library it is built against has
 * {@code Dgram} yet. The handles sit in {@code static final} fields, which the JIT treats as
 * constants and inlines like direct calls, so the indirection costs nothing per datagram.
 * Once {@code Dgram} is in every build this class can become plain calls.
 */
final class FfmDgram {
    static final boolean AVAILABLE;
    static final String UNAVAILABLE_REASON;
    /** (String type, BiConsumer onMessage) -> DatagramSocket, typed (String, BiConsumer)Object. */
    private static final MethodHandle CREATE;
    /** socket.bind(int port, String address, Runnable onListening), typed (Object, int, String, Runnable)void. */
    private static final MethodHandle BIND;
    /** socket.send(Buffer, int port, String address), typed (Object, Buffer, int, String)void. */
    private static final MethodHandle SEND;
    /** socket.address().port(), typed (Object)int. */
    private static final MethodHandle LOCAL_PORT;
    /** socket.close(), typed (Object)void. */
    private static final MethodHandle CLOSE;
    /** rinfo.port(), typed (Object)int. */
    private static final MethodHandle RINFO_PORT;
    /** rinfo.address(), typed (Object)String. */
    private static final MethodHandle RINFO_ADDRESS;

    static {
        MethodHandle create = null, bind = null, send = null, localPort = null, close = null, rport = null, raddr = null;
        String reason = null;
        try {
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            Class<?> dgram = Class.forName("io.ffmnet.Dgram");
            Class<?> sock = Class.forName("io.ffmnet.DatagramSocket");
            Class<?> rinfo = remoteInfoClass();
            Class<?> addressInfo = Class.forName("io.ffmnet.AddressInfo");
            create = l.findStatic(dgram, "createSocket", MethodType.methodType(sock, String.class, BiConsumer.class))
                    .asType(MethodType.methodType(Object.class, String.class, BiConsumer.class));
            bind = l.findVirtual(sock, "bind", MethodType.methodType(sock, int.class, String.class, Runnable.class))
                    .asType(MethodType.methodType(void.class, Object.class, int.class, String.class, Runnable.class));
            send = l.findVirtual(sock, "send", MethodType.methodType(void.class, Buffer.class, int.class, String.class))
                    .asType(MethodType.methodType(void.class, Object.class, Buffer.class, int.class, String.class));
            MethodHandle address = l.findVirtual(sock, "address", MethodType.methodType(addressInfo));
            MethodHandle port = l.findVirtual(addressInfo, "port", MethodType.methodType(int.class));
            localPort = MethodHandles.filterReturnValue(address, port)
                    .asType(MethodType.methodType(int.class, Object.class));
            close = l.findVirtual(sock, "close", MethodType.methodType(sock))
                    .asType(MethodType.methodType(void.class, Object.class));
            rport = l.findVirtual(rinfo, "port", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, Object.class));
            raddr = l.findVirtual(rinfo, "address", MethodType.methodType(String.class))
                    .asType(MethodType.methodType(String.class, Object.class));
        } catch (ReflectiveOperationException | LinkageError e) {
            reason = "io.ffmnet.Dgram is not in this build of the library (" + e + ")";
        }
        AVAILABLE = reason == null;
        UNAVAILABLE_REASON = reason;
        CREATE = create;
        BIND = bind;
        SEND = send;
        LOCAL_PORT = localPort;
        CLOSE = close;
        RINFO_PORT = rport;
        RINFO_ADDRESS = raddr;
    }

    private FfmDgram() {}

    private static Class<?> remoteInfoClass() throws ClassNotFoundException {
        try {
            return Class.forName("io.ffmnet.RemoteInfo");
        } catch (ClassNotFoundException e) {
            return Class.forName("io.ffmnet.DatagramSocket$RemoteInfo");
        }
    }

    /** A bound UDP echo socket. */
    record Handle(Object socket, int port) {
        void close() {
            try {
                CLOSE.invokeExact(socket);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** Binds a UDP socket on 127.0.0.1:{@code port} that sends every message back to its sender. */
    static Handle bindEcho(int port) throws Exception {
        Object[] self = new Object[1];
        BiConsumer<Buffer, Object> onMessage = (msg, rinfo) -> echo(self[0], msg, rinfo);
        try {
            self[0] = (Object) CREATE.invokeExact("udp4", (BiConsumer) onMessage);
            CountDownLatch bound = new CountDownLatch(1);
            BIND.invokeExact(self[0], port, "127.0.0.1", (Runnable) bound::countDown);
            if (!bound.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("ffm-net datagram socket did not bind in 10 s");
            }
            return new Handle(self[0], (int) LOCAL_PORT.invokeExact(self[0]));
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void echo(Object socket, Buffer msg, Object rinfo) {
        try {
            SEND.invokeExact(socket, msg, (int) RINFO_PORT.invokeExact(rinfo), (String) RINFO_ADDRESS.invokeExact(rinfo));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
