package io.ffmnet;

import io.ffmnet.testing.Processes;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Net.isIP}, {@code isIPv4} and {@code isIPv6}: the cases of Node's test-net-isip.js,
 * test-net-isipv4.js and test-net-isipv6.js, ported, and Node 20 as an oracle.
 */
@Timeout(120)
class NetIsIpTest {
    // test-net-isipv4.js
    private static final List<String> V4 = List.of(
            "0.0.0.0", "8.8.8.8", "127.0.0.1", "100.100.100.100", "192.168.0.1", "18.101.25.153",
            "123.23.34.2", "172.26.168.134", "212.58.241.131", "128.0.0.0", "23.71.254.72",
            "223.255.255.255", "192.0.2.235", "99.198.122.146", "46.51.197.88", "173.194.34.134");
    private static final List<String> V4_NOT = List.of(
            ".100.100.100.100", "100..100.100.100.", "100.100.100.100.", "999.999.999.999",
            "256.256.256.256", "256.100.100.100.100", "123.123.123", "http://123.123.123", "1000.2.3.4",
            "999.2.3.4", "0000000192.168.0.200", "192.168.0.2000000000");

    // test-net-isipv6.js
    private static final List<String> V6 = List.of(
            "::", "1::", "::1", "1::8", "1::7:8", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6::8", "1:2:3:4:5:6:7::",
            "1:2:3:4:5::7:8", "1:2:3:4:5::8", "1:2:3::8", "1::4:5:6:7:8", "1::6:7:8", "1::3:4:5:6:7:8",
            "1:2:3:4::6:7:8", "1:2::4:5:6:7:8", "::2:3:4:5:6:7:8", "1:2::8",
            "2001:0000:1234:0000:0000:C1C0:ABCD:0876", "3ffe:0b00:0000:0000:0001:0000:0000:000a",
            "FF02:0000:0000:0000:0000:0000:0000:0001", "0000:0000:0000:0000:0000:0000:0000:0001",
            "0000:0000:0000:0000:0000:0000:0000:0000", "::ffff:192.168.1.26", "2::10", "ff02::1", "fe80::",
            "2002::", "2001:db8::", "2001:0db8:1234::", "::ffff:0:0", "::ffff:192.168.1.1", "1:2:3:4::8",
            "1::2:3:4:5:6:7", "1::2:3:4:5:6", "1::2:3:4:5", "1::2:3:4", "1::2:3", "::2:3:4:5:6:7",
            "::2:3:4:5:6", "::2:3:4:5", "::2:3:4", "::2:3", "::8", "1:2:3:4:5:6::", "1:2:3:4:5::",
            "1:2:3:4::", "1:2:3::", "1:2::", "1:2:3:4::7:8", "1:2:3::7:8", "1:2::7:8", "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5::1.2.3.4", "1:2:3:4::1.2.3.4", "1:2:3::1.2.3.4", "1:2::1.2.3.4", "1::1.2.3.4",
            "1:2:3:4::5:1.2.3.4", "1:2:3::5:1.2.3.4", "1:2::5:1.2.3.4", "1::5:1.2.3.4", "1::5:11.22.33.44",
            "fe80::217:f2ff:254.7.237.98", "fe80::217:f2ff:fe07:ed62", "2001:DB8:0:0:8:800:200C:417A",
            "FF01:0:0:0:0:0:0:101", "0:0:0:0:0:0:0:1", "0:0:0:0:0:0:0:0", "2001:DB8::8:800:200C:417A",
            "FF01::101", "0:0:0:0:0:0:13.1.68.3", "0:0:0:0:0:FFFF:129.144.52.38", "::13.1.68.3",
            "::FFFF:129.144.52.38", "fe80:0000:0000:0000:0204:61ff:fe9d:f156", "fe80:0:0:0:204:61ff:fe9d:f156",
            "fe80::204:61ff:fe9d:f156", "fe80:0:0:0:204:61ff:254.157.241.86", "fe80::204:61ff:254.157.241.86",
            "fe80::1", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8:85a3:0:0:8a2e:370:7334",
            "2001:db8:85a3::8a2e:370:7334", "2001:0db8:0000:0000:0000:0000:1428:57ab",
            "2001:0db8:0000:0000:0000::1428:57ab", "2001:0db8:0:0:0:0:1428:57ab", "2001:0db8:0:0::1428:57ab",
            "2001:0db8::1428:57ab", "2001:db8::1428:57ab", "::ffff:12.34.56.78", "::ffff:0c22:384e",
            "2001:0db8:1234:0000:0000:0000:0000:0000", "2001:0db8:1234:ffff:ffff:ffff:ffff:ffff",
            "2001:db8:a::123", "::ffff:192.0.2.128", "::ffff:c000:280", "a:b:c:d:e:f:f1:f2", "a:b:c::d:e:f:f1",
            "a:b:c::d:e:f", "a:b:c::d:e", "a:b:c::d", "::a", "::a:b:c", "::a:b:c:d:e:f:f1", "a::", "a:b:c::",
            "a:b:c:d:e:f:f1::", "a:bb:ccc:dddd:000e:00f:0f::", "0:a:0:a:0:0:0:a", "0:a:0:0:a:0:0:a",
            "2001:db8:1:1:1:1:0:0", "2001:db8:1:1:1:0:0:0", "2001:db8:1:1:0:0:0:0", "2001:db8:1:0:0:0:0:0",
            "2001:db8:0:0:0:0:0:0", "2001:0:0:0:0:0:0:0", "A:BB:CCC:DDDD:000E:00F:0F::", "0:0:0:0:0:0:0:a",
            "0:0:0:0:a:0:0:0", "0:0:0:a:0:0:0:0", "a:0:0:a:0:0:a:a", "a:0:0:a:0:0:0:a", "a:0:0:0:a:0:0:a",
            "a:0:0:0:a:0:0:0", "a:0:0:0:0:0:0:0", "fe80::7:8%eth0", "fe80::7:8%1");
    private static final List<String> V6_NOT = List.of(
            "", "1:", ":1", "11:36:12", "02001:0000:1234:0000:0000:C1C0:ABCD:0876",
            "2001:0000:1234:0000:00001:C1C0:ABCD:0876", "2001:0000:1234: 0000:0000:C1C0:ABCD:0876",
            "2001:1:1:1:1:1:255Z255X255Y255", "3ffe:0b00:0000:0001:0000:0000:000a",
            "FF02:0000:0000:0000:0000:0000:0000:0000:0001", "3ffe:b00::1::a", "::1111:2222:3333:4444:5555:6666::",
            "1:2:3::4:5::7:8", "12345::6:7:8", "1::5:400.2.3.4", "1::5:260.2.3.4", "1::5:256.2.3.4",
            "1::5:1.256.3.4", "1::5:1.2.256.4", "1::5:1.2.3.256", "1::5:300.2.3.4", "1::5:1.300.3.4",
            "1::5:1.2.300.4", "1::5:1.2.3.300", "1::5:900.2.3.4", "1::5:1.900.3.4", "1::5:1.2.900.4",
            "1::5:1.2.3.900", "1::5:300.300.300.300", "1::5:3000.30.30.30", "1::400.2.3.4", "1::260.2.3.4",
            "1::256.2.3.4", "1::1.256.3.4", "1::1.2.256.4", "1::1.2.3.256", "1::300.2.3.4", "1::1.300.3.4",
            "1::1.2.300.4", "1::1.2.3.300", "1::900.2.3.4", "1::1.900.3.4", "1::1.2.900.4", "1::1.2.3.900",
            "1::300.300.300.300", "1::3000.30.30.30", "::400.2.3.4", "::260.2.3.4", "::256.2.3.4",
            "::1.256.3.4", "::1.2.256.4", "::1.2.3.256", "::300.2.3.4", "::1.300.3.4", "::1.2.300.4",
            "::1.2.3.300", "::900.2.3.4", "::1.900.3.4", "::1.2.900.4", "::1.2.3.900", "::300.300.300.300",
            "::3000.30.30.30", "2001:DB8:0:0:8:800:200C:417A:221", "FF01::101::2", "1111:2222:3333:4444::5555:",
            "1111:2222:3333::5555:", "1111:2222::5555:", "1111::5555:", "::5555:", ":::", "1111:", ":",
            ":1111:2222:3333:4444::5555", ":1111:2222:3333::5555", ":1111:2222::5555", ":1111::5555", ":::5555",
            "1.2.3.4:1111:2222:3333:4444::5555", "1.2.3.4:1111:2222:3333::5555", "1.2.3.4:1111:2222::5555",
            "1.2.3.4:1111::5555", "1.2.3.4::5555", "1.2.3.4::", "fe80:0000:0000:0000:0204:61ff:254.157.241.086",
            "123", "ldkfj", "2001::FFD3::57ab", "2001:db8:85a3::8a2e:37023:7334", "2001:db8:85a3::8a2e:370k:7334",
            "1:2:3:4:5:6:7:8:9", "1::2::3", "1:::3:4:5", "1:2:3::4:5:6:7:8:9", "::ffff:2.3.4", "::ffff:257.1.2.3",
            "::ffff:12345678901234567890.1.26", "2001:0000:1234:0000:0000:C1C0:ABCD:0876 0",
            "02001:0000:1234:0000:0000:C1C0:ABCD:0876");

    /** Inputs where a hand-written parser could part from Node's regular expressions. */
    static final List<String> TRICKY = List.of(
            "127.0.0.1", "010.0.0.1", "0.0.0.0", "00.0.0.0", "255.255.255.255", "256.0.0.0", "1.2.3",
            "1.2.3.4.", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "1.2.3.4%eth0", "0x7f.0.0.1", "１.２.３.４",
            "::", ":::", "::1", "::ffff:127.0.0.1", "::FFFF:1.2.3.4", "::ffff:01.2.3.4", "::1.2.3.4",
            "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7", "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6::1.2.3.4",
            "fe80::1%eth0", "fe80::1%", "fe80::1%eth_0", "fe80::1%eth0%1", "fe80::1%a.b-c:d", "fe80::1%é",
            "fe80::1 ", "[::1]", "::g", "00000::", "0000::", "::١", "ＦＦ::1", "1::2:3:4:5:6:7:8");

    @Test
    void acceptsNodesIpv4Examples() {
        for (String ip : V4) {
            assertTrue(Net.isIPv4(ip), ip);
            assertEquals(4, Net.isIP(ip), ip);
        }
    }

    @Test
    void rejectsNodesNonIpv4Examples() {
        for (String ip : V4_NOT) {
            assertFalse(Net.isIPv4(ip), ip);
        }
    }

    @Test
    void acceptsNodesIpv6Examples() {
        for (String ip : V6) {
            assertTrue(Net.isIPv6(ip), ip);
            assertEquals(6, Net.isIP(ip), ip);
        }
    }

    @Test
    void rejectsNodesNonIpv6Examples() {
        for (String ip : V6_NOT) {
            assertFalse(Net.isIPv6(ip), ip);
        }
    }

    @Test
    void classifiesAsNodesIsIpTestDoes() {
        assertEquals(4, Net.isIP("127.0.0.1"));
        assertEquals(0, Net.isIP("x127.0.0.1"));
        assertEquals(0, Net.isIP("example.com"));
        assertEquals(6, Net.isIP("0000:0000:0000:0000:0000:0000:0000:0000"));
        assertEquals(0, Net.isIP("0000:0000:0000:0000:0000:0000:0000:0000::0000"));
        assertEquals(6, Net.isIP("1050:0:0:0:5:600:300c:326b"));
        assertEquals(6, Net.isIP("2001:252:0:1::2008:6"));
        assertEquals(6, Net.isIP("2001:dead:beef:1::2008:6"));
        assertEquals(6, Net.isIP("2001::"));
        assertEquals(6, Net.isIP("2001:dead::"));
        assertEquals(6, Net.isIP("2001:dead:beef::"));
        assertEquals(6, Net.isIP("2001:dead:beef:1::"));
        assertEquals(6, Net.isIP("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        assertEquals(0, Net.isIP(":2001:252:0:1::2008:6:"));
        assertEquals(0, Net.isIP(":2001:252:0:1::2008:6"));
        assertEquals(0, Net.isIP("2001:252:0:1::2008:6:"));
        assertEquals(0, Net.isIP("2001:252::1::2008:6"));
        assertEquals(6, Net.isIP("::2001:252:1:2008:6"));
        assertEquals(6, Net.isIP("::2001:252:1:1.1.1.1"));
        assertEquals(6, Net.isIP("::2001:252:1:255.255.255.255"));
        assertEquals(0, Net.isIP("::2001:252:1:255.255.255.255.76"));
        assertEquals(0, Net.isIP("::anything"));
        assertEquals(6, Net.isIP("::1"));
        assertEquals(6, Net.isIP("::"));
        assertEquals(0, Net.isIP("0000:0000:0000:0000:0000:0000:12345:0000"));
        assertEquals(0, Net.isIP("0"));
        assertEquals(0, Net.isIP(""));
        assertFalse(Net.isIPv4("2001:252:0:1::2008:6"));
        assertFalse(Net.isIPv6("127.0.0.1"));
        assertTrue(Net.isIPv6("::2001:252:1:255.255.255.255"));
    }

    @Test
    void rejectsLeadingZerosInIpv4() {
        assertEquals(0, Net.isIP("010.0.0.1"));
        assertEquals(0, Net.isIP("1.2.3.04"));
        assertEquals(0, Net.isIP("00.0.0.0"));
        assertEquals(0, Net.isIP("::ffff:1.2.3.04"));
        assertEquals(4, Net.isIP("0.0.0.0"));
    }

    @Test
    void acceptsAZoneIdOnIpv6Only() {
        assertEquals(6, Net.isIP("fe80::1%eth0"));
        assertEquals(6, Net.isIP("fe80::1%a.b-c:D9"));
        assertEquals(0, Net.isIP("1.2.3.4%eth0"));
    }

    @Test
    void rejectsZonesOutsideNodesCharacterSet() {
        assertEquals(0, Net.isIP("fe80::1%"));
        assertEquals(0, Net.isIP("fe80::1%eth_0"));
        assertEquals(0, Net.isIP("fe80::1%eth0%1"));
        assertEquals(0, Net.isIP("fe80::1%eth 0"));
    }

    @Test
    void acceptsIpv4MappedIpv6() {
        assertEquals(6, Net.isIP("::ffff:127.0.0.1"));
        assertEquals(6, Net.isIP("::FFFF:7f00:1"));
        assertFalse(Net.isIPv4("::ffff:127.0.0.1"));
    }

    @Test
    void rejectsSurroundingWhitespace() {
        for (String s : List.of(" 1.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "\t::1", "::1 ")) {
            assertEquals(0, Net.isIP(s), s);
        }
    }

    @Test
    void rejectsDigitsOfOtherScripts() {
        assertEquals(0, Net.isIP("١.٢.٣.٤"));
        assertEquals(0, Net.isIP("::١"));
        assertEquals(0, Net.isIP("ＦＦ::1"));
    }

    @Test
    void answersZeroAndFalseForNull() {
        assertEquals(0, Net.isIP(null));
        assertFalse(Net.isIPv4(null));
        assertFalse(Net.isIPv6(null));
    }

    @Test
    void agreesWithNodeOnTrickyInputs() throws Exception {
        List<String> inputs = new ArrayList<>(TRICKY);
        inputs.addAll(V6_NOT);
        List<String> node = runNode(
                "for (const s of inputs) console.log(`${net.isIP(s)} ${net.isIPv4(s)} ${net.isIPv6(s)}`);", inputs);
        for (int i = 0; i < inputs.size(); i++) {
            String s = inputs.get(i);
            assertEquals(node.get(i), Net.isIP(s) + " " + Net.isIPv4(s) + " " + Net.isIPv6(s), s);
        }
    }

    /**
     * Runs {@code script} under {@code node -e} with {@code net} required and {@code inputs} bound to
     * the given strings, and returns what it prints, line by line. Skips the test without node.
     */
    static List<String> runNode(String script, List<String> inputs) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Processes.nodeInstalled(), "node is not on PATH");
        String prelude = "const net = require('net'); const util = require('util');"
                + " const inputs = require('fs').readFileSync(0, 'utf8').split('\\n').filter((l) => l)"
                + ".map((l) => Buffer.from(l.slice(1), 'base64').toString('utf8'));\n";
        Process p = new ProcessBuilder("node", "-e", prelude + script).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            for (String s : inputs) {
                // A leading '=' keeps the line of an empty input from looking like no line at all.
                String line = "=" + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)) + "\n";
                in.write(line.getBytes(StandardCharsets.US_ASCII));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node did not exit");
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }
}
