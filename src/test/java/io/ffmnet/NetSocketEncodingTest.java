package io.ffmnet;

import io.ffmnet.SocketTestSupport.TestServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.ffmnet.SocketTestSupport.await;
import static io.ffmnet.SocketTestSupport.connect;
import static io.ffmnet.SocketTestSupport.destroyAll;
import static io.ffmnet.SocketTestSupport.server;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Node's {@code socket.setEncoding()}: {@code TEXT} gets whole characters even when one is split
 * across reads, {@code DATA} still gets the bytes, malformed input becomes U+FFFD exactly where
 * Node puts it, and other charsets (latin1) work.
 */
@Timeout(120)
class NetSocketEncodingTest {

    /** What one server-side connection saw: TEXT chunks and DATA byte counts, at END. */
    private record Seen(List<String> text, List<byte[]> data) {
        String joined() {
            return String.join("", text);
        }
    }

    private static TestServer decodingServer(Charset charset, CompletableFuture<Seen> done) {
        return decodingServer(charset, done, null);
    }

    /** A server that decodes with {@code charset}; {@code onFirstData} runs after the first chunk. */
    private static TestServer decodingServer(Charset charset, CompletableFuture<Seen> done,
            java.util.function.Consumer<Socket> onFirstData) {
        return server(s -> {
            Seen seen = new Seen(Collections.synchronizedList(new ArrayList<>()),
                    Collections.synchronizedList(new ArrayList<>()));
            s.setEncoding(charset);
            s.on(Socket.DATA, b -> {
                seen.data.add(b.toByteArray());
                if (seen.data.size() == 1 && onFirstData != null) {
                    onFirstData.accept(s);
                }
            });
            s.on(Socket.TEXT, seen.text::add);
            s.on(Socket.END, () -> done.complete(seen));
        });
    }

    @Test
    void aCharacterSplitAcrossTwoWritesArrivesWholeInText() {
        byte[] ni = "你".getBytes(StandardCharsets.UTF_8);   // E4 BD A0
        CompletableFuture<Seen> done = new CompletableFuture<>();
        // The server acknowledges the first chunk; only then does the client send the rest, so
        // the character really is split across two reads.
        TestServer server = decodingServer(StandardCharsets.UTF_8, done, s -> s.write("ack"));
        Socket client = connect(server.port);
        client.on(Socket.DATA, mustCall(b -> {
            byte[] rest = new byte[] {ni[2], 'o', 'k'};
            client.end(rest);
        }));
        client.write(new byte[] {'a', ni[0], ni[1]});
        Seen seen = await(done);
        awaitCalls();
        assertEquals(List.of("a", "你ok"), seen.text, "TEXT holds back the partial character");
        assertEquals(2, seen.data.size());
        assertArrayEquals(new byte[] {'a', ni[0], ni[1]}, seen.data.get(0), "DATA still gets the raw bytes");
        assertArrayEquals(new byte[] {ni[2], 'o', 'k'}, seen.data.get(1));
        destroyAll(client);
        server.close();
    }

    @Test
    void aChunkHoldingOnlyPartOfACharacterEmitsNoText() {
        byte[] emoji = "😀".getBytes(StandardCharsets.UTF_8);  // F0 9F 98 80
        CompletableFuture<Seen> done = new CompletableFuture<>();
        TestServer server = decodingServer(StandardCharsets.UTF_8, done, s -> s.write("ack"));
        Socket client = connect(server.port);
        client.on(Socket.DATA, mustCall(b -> client.end(new byte[] {emoji[1], emoji[2], emoji[3]})));
        client.write(new byte[] {emoji[0]});
        Seen seen = await(done);
        awaitCalls();
        assertEquals(List.of("😀"), seen.text, "Node emits no empty string for a chunk without a whole character");
        assertEquals(2, seen.data.size());
        destroyAll(client);
        server.close();
    }

    @Test
    void malformedBytesBecomeReplacementCharactersAsInNode() {
        CompletableFuture<Seen> done = new CompletableFuture<>();
        TestServer server = decodingServer(StandardCharsets.UTF_8, done);
        Socket client = connect(server.port);
        // What Node 20 printed for the same bytes: a lone FF, an encoded surrogate (three
        // replacement characters in Node, one in Java's own decoder), and a truncated character
        // at the end of input.
        client.write(new byte[] {'a', (byte) 0xFF, 'b', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'c'});
        client.end(new byte[] {'a', (byte) 0xE4, (byte) 0xBD});
        Seen seen = await(done);
        assertEquals("a\uFFFDb\uFFFD\uFFFD\uFFFDc" + "a\uFFFD", seen.joined());
        destroyAll(client);
        server.close();
    }

    @Test
    void latin1DecodesEachByteAsOneCharacter() {
        CompletableFuture<Seen> done = new CompletableFuture<>();
        TestServer server = decodingServer(StandardCharsets.ISO_8859_1, done);
        Socket client = connect(server.port);
        client.end(new byte[] {(byte) 0xE9, 'A', (byte) 0xFF, (byte) 0x80});
        assertEquals("éAÿ\u0080", await(done).joined());
        destroyAll(client);
        server.close();
    }

    @Test
    void utf16LittleEndianKeepsAnOddByteForTheNextChunk() {
        CompletableFuture<Seen> done = new CompletableFuture<>();
        TestServer server = decodingServer(StandardCharsets.UTF_16LE, done, s -> s.write("ack"));
        Socket client = connect(server.port);
        byte[] bytes = "hé".getBytes(StandardCharsets.UTF_16LE);  // 68 00 E9 00
        client.on(Socket.DATA, mustCall(b -> client.end(new byte[] {bytes[3]})));
        client.write(new byte[] {bytes[0], bytes[1], bytes[2]});
        Seen seen = await(done);
        awaitCalls();
        assertEquals(List.of("h", "é"), seen.text);
        destroyAll(client);
        server.close();
    }

    /**
     * The UTF-8 decoder against Node's answers (Node 20: {@code Buffer.from(hex,'hex').toString()}),
     * whole and split at every byte, so state carried between chunks changes nothing.
     */
    @Test
    void theUtf8DecoderMatchesNodeOnMalformedInputAtEverySplit() {
        Map<String, String> node = new LinkedHashMap<>();
        node.put("eda080", "\uFFFD\uFFFD\uFFFD");
        node.put("eda0", "\uFFFD\uFFFD");
        node.put("edbfbf", "\uFFFD\uFFFD\uFFFD");
        node.put("ed9fbf", "\uD7FF");
        node.put("c080", "\uFFFD\uFFFD");
        node.put("c1bf", "\uFFFD\uFFFD");
        node.put("e08080", "\uFFFD\uFFFD\uFFFD");
        node.put("e080", "\uFFFD\uFFFD");
        node.put("f08080", "\uFFFD\uFFFD\uFFFD");
        node.put("f4908080", "\uFFFD\uFFFD\uFFFD\uFFFD");
        node.put("f48f", "\uFFFD");
        node.put("f0908080", "\uD800\uDC00");
        node.put("efbfbf", "\uFFFF");
        node.put("80bf", "\uFFFD\uFFFD");
        node.put("e0a041", "\uFFFDA");
        node.put("f09f98", "\uFFFD");
        node.put("f09f9841", "\uFFFDA");
        node.put("c241", "\uFFFDA");
        node.put("c2", "\uFFFD");
        node.put("ff", "\uFFFD");
        node.put("f5", "\uFFFD");
        node.put("fe", "\uFFFD");
        node.put("61e4bda062", "a你b");
        for (Map.Entry<String, String> c : node.entrySet()) {
            byte[] bytes = HexFormat.of().parseHex(c.getKey());
            for (int split = 0; split <= bytes.length; split++) {
                Utf8Decoder d = new Utf8Decoder();
                String text = d.decode(ByteBuffer.wrap(bytes, 0, split))
                        + d.decode(ByteBuffer.wrap(bytes, split, bytes.length - split)) + d.end();
                assertEquals(c.getValue(), text, c.getKey() + " split at " + split);
            }
        }
    }
}
