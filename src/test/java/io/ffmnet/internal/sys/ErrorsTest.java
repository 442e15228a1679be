package io.ffmnet.internal.sys;

import io.ffmnet.NetException;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ffmnet.bindings.linux_x86_64.Errno.EADDRINUSE;
import static io.ffmnet.bindings.linux_x86_64.Errno.EADDRNOTAVAIL;
import static io.ffmnet.bindings.linux_x86_64.Errno.EADV;
import static io.ffmnet.bindings.linux_x86_64.Errno.ECONNREFUSED;
import static io.ffmnet.bindings.linux_x86_64.Errno.ECONNRESET;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENOTCONN;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENOTSUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Errors}: Node's {@code code}, {@code errno}, {@code syscall}, {@code address},
 * {@code port} and message for a failed system call. The expected messages are what Node 20
 * prints for the same errno (its {@code ExceptionWithHostPort}, {@code UVExceptionWithHostPort}
 * and {@code ErrnoException}); the last test asks a local node for every errno.
 */
@Timeout(120)
class ErrorsTest {
    @Test
    void namesAConnectFailureWithHostAndPortAsNodeDoes() {
        NetException e = Errors.exception(-ECONNREFUSED, "connect", "127.0.0.1", 8080);
        assertEquals("connect ECONNREFUSED 127.0.0.1:8080", e.getMessage());
        assertEquals("ECONNREFUSED", e.code());
        assertEquals(-ECONNREFUSED, e.errno());
        assertEquals("connect", e.syscall());
        assertEquals("127.0.0.1", e.address());
        assertEquals(8080, e.port());
    }

    @Test
    void leavesThePortOutWhenThereIsNone() {
        NetException e = Errors.exception(-ECONNREFUSED, "connect", "/tmp/ffmnet.sock", -1);
        assertEquals("connect ECONNREFUSED /tmp/ffmnet.sock", e.getMessage());
        assertEquals("/tmp/ffmnet.sock", e.address());
        assertEquals(-1, e.port());
    }

    @Test
    void leavesPortZeroOutAsNodeDoes() {
        // Node: "if (port && port > 0) details = ` ${address}:${port}`", and err.port stays unset.
        NetException e = Errors.uvException(-EADDRNOTAVAIL, "listen", "192.0.2.1", 0);
        assertEquals("listen EADDRNOTAVAIL: address not available 192.0.2.1", e.getMessage());
        assertEquals(-1, e.port());
        assertEquals("connect ECONNREFUSED ::1", Errors.exception(-ECONNREFUSED, "connect", "::1", 0).getMessage());
    }

    @Test
    void namesASyscallFailureWithoutAnAddress() {
        NetException e = Errors.exception(-ECONNRESET, "read");
        assertEquals("read ECONNRESET", e.getMessage());
        assertEquals("ECONNRESET", e.code());
        assertEquals(-ECONNRESET, e.errno());
        assertEquals("read", e.syscall());
        assertNull(e.address());
        assertEquals(-1, e.port());
    }

    @Test
    void describesListenAndBindFailuresInLibuvsWords() {
        NetException e = Errors.uvException(-EADDRINUSE, "listen", "127.0.0.1", 8080);
        assertEquals("listen EADDRINUSE: address already in use 127.0.0.1:8080", e.getMessage());
        assertEquals("EADDRINUSE", e.code());
        assertEquals(-EADDRINUSE, e.errno());
        assertEquals("listen", e.syscall());
        assertEquals("127.0.0.1", e.address());
        assertEquals(8080, e.port());
    }

    @Test
    void usesLibuvsDescriptionWhereItDiffersFromStrerror() {
        // strerror: "Cannot assign requested address", "Transport endpoint is not connected".
        assertEquals("listen EADDRNOTAVAIL: address not available 192.0.2.1:8081",
                Errors.uvException(-EADDRNOTAVAIL, "listen", "192.0.2.1", 8081).getMessage());
        assertEquals("socket is not connected", Errors.description(-ENOTCONN));
        assertEquals("operation not supported on socket", Errors.description(-ENOTSUP));
        assertEquals("ENOTSUP", Errors.code(-ENOTSUP));
    }

    @Test
    void callsAnErrnoNodeCannotNameAnUnknownSystemError() {
        NetException e = Errors.exception(-99999, "connect", "127.0.0.1", 8080);
        assertEquals("Unknown system error -99999", e.code());
        assertEquals("connect Unknown system error -99999 127.0.0.1:8080", e.getMessage());
        assertEquals(-99999, e.errno());
        assertEquals("read Unknown system error -99999", Errors.exception(-99999, "read").getMessage());
    }

    @Test
    void callsAnErrnoLibuvDoesNotMapUnknownEvenWhenTheCLibraryNamesIt() {
        // EADV (68) has a C name but no libuv one: Node prints "read Unknown system error -68".
        assertEquals("Unknown system error -" + EADV, Errors.code(-EADV));
        assertEquals("read Unknown system error -" + EADV, Errors.exception(-EADV, "read").getMessage());
    }

    @Test
    void callsAnUnmappedErrnoUnknownInListenAndBindFailuresAsNodeDoes() {
        NetException e = Errors.uvException(-99999, "listen", "127.0.0.1", 8080);
        assertEquals("listen UNKNOWN: unknown error 127.0.0.1:8080", e.getMessage());
        assertEquals("UNKNOWN", e.code());
        assertEquals(-99999, e.errno());
        assertEquals("unknown error", Errors.description(-99999));
    }

    @Test
    void namesAndDescribesEveryErrnoAsNodeDoes() throws Exception {
        // util.getSystemErrorName(-n), and the description from util.getSystemErrorMap(), per errno.
        List<String> node = runNode("const util = require('util'); const m = util.getSystemErrorMap();"
                + " for (let n = 1; n < 200; n++) console.log(util.getSystemErrorName(-n) + '|'"
                + " + (m.has(-n) ? m.get(-n)[1] : 'unknown error'));");
        assertEquals(199, node.size(), String.join("\n", node));
        for (int n = 1; n < 200; n++) {
            assertEquals(node.get(n - 1), Errors.code(-n) + "|" + Errors.description(-n), "errno " + n);
        }
    }

    private static List<String> runNode(String script) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("node", "-e", script).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("node is not on PATH: " + e.getMessage());
            throw e;
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node did not exit");
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }
}
