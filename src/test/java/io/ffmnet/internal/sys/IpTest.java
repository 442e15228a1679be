package io.ffmnet.internal.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link Ip}: address text parsed as libuv's {@code inet_pton} and Node's {@code net.isIP} take it,
 * printed as glibc's {@code inet_ntop} prints it. The expected texts were taken from
 * {@code socket.inet_ntop} (glibc) and Node 20.
 */
@Timeout(60)
class IpTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void parsesDottedQuadsIntoHostOrderValues() {
        assertEquals(0x7f000001L, Ip.parseV4("127.0.0.1"));
        assertEquals(0L, Ip.parseV4("0.0.0.0"));
        assertEquals(0xffffffffL, Ip.parseV4("255.255.255.255"));
        assertEquals(0xc0000201L, Ip.parseV4("192.0.2.1"));
    }

    @Test
    void rejectsTextThatIsNotADottedQuad() {
        for (String s : List.of("", "1.2.3", "1.2.3.4.", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.04",
                "1..2.3", ".1.2.3", "1.2.3.-4", " 1.2.3.4", "1.2.3.4 ", "1234.1.1.1", "a.b.c.d",
                "١.٢.٣.٤", "１.２.３.４", "::1")) {
            assertEquals(-1, Ip.parseV4(s), s);
        }
    }

    @Test
    void formatsDottedQuadsFromHostOrderValues() {
        assertEquals("127.0.0.1", Ip.formatV4(0x7f000001));
        assertEquals("255.255.255.255", Ip.formatV4(-1));
        assertEquals("0.0.0.0", Ip.formatV4(0));
        assertEquals("128.0.0.9", Ip.formatV4(0x80000009));
    }

    @Test
    void roundTripsRandomIpv4Addresses() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            int address = random.nextInt();
            assertEquals(address & 0xffffffffL, Ip.parseV4(Ip.formatV4(address)));
        }
    }

    @Test
    void parsesIpv6TextIntoSixteenBytes() {
        assertV6("00000000000000000000000000000000", "::");
        assertV6("00000000000000000000000000000001", "::1");
        assertV6("00010000000000000000000000000000", "1::");
        assertV6("20010db8000000000000000000000001", "2001:db8::1");
        assertV6("20010db8000000000000000000000001", "2001:0DB8:0:0:0:0:0:1");
        assertV6("00010002000300040005000600070008", "1:2:3:4:5:6:7:8");
        assertV6("00010002000300040005000600070000", "1:2:3:4:5:6:7::");
        assertV6("00000002000300040005000600070008", "::2:3:4:5:6:7:8");
        assertV6("abcdef0123456789abcdef0123456789", "ABCD:EF01:2345:6789:abcd:ef01:2345:6789");
    }

    @Test
    void parsesAnEmbeddedIpv4Tail() {
        assertV6("00000000000000000000ffff01020304", "::ffff:1.2.3.4");
        assertV6("00000000000000000000000001020304", "::1.2.3.4");
        assertV6("0001000200030004000500060a0b0c0d", "1:2:3:4:5:6:10.11.12.13");
        assertV6("fe800000000000000217f2fffe07ed62", "fe80::217:f2ff:254.7.237.98");
    }

    @Test
    void leavesTheZoneOutOfTheBytesAndHandsItBackSeparately() {
        assertV6("fe800000000000000000000000000001", "fe80::1%lo");
        assertV6("fe800000000000000000000000000001", "fe80::1%a.b-c:D9");
        assertEquals("lo", Ip.zone("fe80::1%lo"));
        assertEquals("2", Ip.zone("fe80::1%2"));
        assertNull(Ip.zone("fe80::1"));
    }

    @Test
    void rejectsMalformedIpv6Text() {
        for (String s : List.of("", ":", ":::", "1:", ":1", "1:::2", "1::2::3", "1:2:3:4:5:6:7",
                "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "::g", "::1 ",
                " ::1", "::1.2.3", "::1.2.3.4.5", "::256.1.1.1", "::01.2.3.4", "1.2.3.4::",
                "1:2:3:4:5:6:7:1.2.3.4", "::ffff:1.2.3.4:1", "1::2:", "fe80::1%")) {
            assertNull(Ip.parseV6(s), s);
        }
    }

    @Test
    void takesOnlyAsciiHexDigitsAsNodeAndInetPtonDo() {
        // Character.digit accepts these: Arabic-Indic one, full-width one and F, a Devanagari one.
        for (String s : List.of("::١", "::１", "ＦＦ::1", "::ｆ", "fe80::१", "١::")) {
            assertNull(Ip.parseV6(s), s);
            assertEquals(0, Ip.version(s), s);
        }
    }

    @Test
    void takesZonesOnlyFromNodesCharacterSet() {
        // Node 20: /%[0-9a-zA-Z-.:]{1,}$/ ends its IPv6 regular expression.
        for (String s : List.of("fe80::1%eth_0", "fe80::1%eth 0", "fe80::1%eth0%1", "fe80::1%é",
                "fe80::1%١", "fe80::1%/")) {
            assertNull(Ip.parseV6(s), s);
        }
        for (String s : List.of("fe80::1%eth0", "fe80::1%1", "fe80::1%a.b-c:D9", "fe80::1%-")) {
            assertEquals(6, Ip.version(s), s);
        }
    }

    @Test
    void classifiesTextLikeNetIsIp() {
        assertEquals(4, Ip.version("127.0.0.1"));
        assertEquals(6, Ip.version("::1"));
        assertEquals(6, Ip.version("::ffff:127.0.0.1"));
        assertEquals(0, Ip.version("1.2.3.4%eth0"));
        assertEquals(0, Ip.version("example.com"));
        assertEquals(0, Ip.version(""));
        assertEquals(0, Ip.version(null));
    }

    @Test
    void formatsIpv6AsGlibcInetNtopDoes() {
        String[][] cases = {
                {"::", "::"},
                {"0:0:0:0:0:0:0:1", "::1"},
                {"1:0:0:0:0:0:0:0", "1::"},
                {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},      // the longest run of zeros
                {"1:0:0:2:0:0:3:4", "1::2:0:0:3:4"},    // the first of equal runs
                {"1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"}, // a single zero group stays
                {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
                {"1:2:3:4:5:6:0:0", "1:2:3:4:5:6::"},
                {"ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"},
                {"0:0:0:0:0:ffff:102:304", "::ffff:1.2.3.4"},
                {"::ffff:0:0", "::ffff:0.0.0.0"},
                {"::102:304", "::1.2.3.4"},
                {"0:0:0:0:0:0:1:2", "::0.1.0.2"},
                {"0:0:0:0:0:1:102:304", "::1:102:304"},
                {"0:0:0:0:1:ffff:102:304", "::1:ffff:102:304"},
                {"0:0:0:0:ffff:0:0:0", "::ffff:0:0:0"},
                {"::0.0.0.1", "::1"},                   // a run of 7 zeros is not an IPv4 tail
                {"::ffff", "::ffff"},
                {"::100", "::100"},
                {"fe80:0:0:0:0:0:0:1", "fe80::1"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], Ip.formatV6(Ip.parseV6(c[0])), c[0]);
        }
    }

    @Test
    void roundTripsRandomIpv6AddressesWithRunsOfZeros() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[16];
            for (int g = 0; g < 8; g++) {
                int word = switch (random.nextInt(4)) {
                    case 0, 1 -> 0;
                    case 2 -> 0xffff;
                    default -> random.nextInt(0x10000);
                };
                bytes[2 * g] = (byte) (word >>> 8);
                bytes[2 * g + 1] = (byte) word;
            }
            String text = Ip.formatV6(bytes);
            assertArrayEquals(bytes, Ip.parseV6(text), text);
            assertEquals(6, Ip.version(text), text);
        }
    }

    private static void assertV6(String hex, String text) {
        assertArrayEquals(HEX.parseHex(hex), Ip.parseV6(text), text);
    }
}
