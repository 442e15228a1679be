package io.ffmnet;

import io.ffmnet.SocketTestSupport.Collector;
import io.ffmnet.SocketTestSupport.TestServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.ffmnet.SocketTestSupport.await;
import static io.ffmnet.SocketTestSupport.destroyAll;
import static io.ffmnet.SocketTestSupport.onLoop;
import static io.ffmnet.SocketTestSupport.randomBytes;
import static io.ffmnet.SocketTestSupport.server;
import static io.ffmnet.SocketTestSupport.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code Fs.createReadStream(path, {start, end, highWaterMark})}: the bytes of the range, both
 * ends inclusive, in chunks of the high-water mark, through {@code DATA} and through a pipe to a
 * socket (sendfile); ranges past the end of the file; and Node's errors for bad options. The
 * expected chunk sizes and events are what Node 20 gives for the same options.
 */
@Timeout(120)
class FsReadStreamRangeTest {
    @TempDir
    Path dir;

    /** What a stream delivered: its DATA chunk sizes and bytes, and its events in order. */
    private record Read(List<Integer> chunks, byte[] bytes, List<String> events) {}

    /** Reads {@code file} with {@code options} through DATA, on the loop, until CLOSE. */
    private static Read read(Path file, ReadStreamOptions options) {
        List<Integer> chunks = new CopyOnWriteArrayList<>();
        List<String> events = new CopyOnWriteArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        onLoop(() -> {
            FileReadStream rs = Fs.createReadStream(file, options);
            rs.on(FileReadStream.OPEN, fd -> events.add("open"));
            rs.on(FileReadStream.READY, () -> events.add("ready"));
            rs.on(FileReadStream.END, () -> events.add("end"));
            rs.on(FileReadStream.ERROR, e -> events.add("error " + e.code()));
            rs.on(FileReadStream.CLOSE, () -> {
                events.add("close");
                closed.complete(null);
            });
            rs.on(FileReadStream.DATA, b -> {
                chunks.add(b.length());
                bytes.writeBytes(b.toByteArray());
            });
        });
        await(closed);
        return new Read(chunks, bytes.toByteArray(), events);
    }

    private Path file(int size, int seed) throws IOException {
        Path file = dir.resolve("f" + seed + ".bin");
        Files.write(file, randomBytes(size, seed));
        return file;
    }

    @Test
    void aRangeArrivesInChunksOfTheHighWaterMark() throws IOException {
        Path file = file(100, 1);
        byte[] all = Files.readAllBytes(file);
        Read r = read(file, new ReadStreamOptions().start(10).end(29).highWaterMark(7));
        assertEquals(List.of(7, 7, 6), r.chunks());   // Node 20: 7,7,6
        assertArrayEquals(Arrays.copyOfRange(all, 10, 30), r.bytes());
        assertEquals(List.of("open", "ready", "end", "close"), r.events());
    }

    @Test
    void startAloneReadsToTheEndAndEndAloneFromTheStart() throws IOException {
        Path file = file(200_000, 2);
        byte[] all = Files.readAllBytes(file);
        assertArrayEquals(Arrays.copyOfRange(all, 70_001, all.length),
                read(file, new ReadStreamOptions().start(70_001)).bytes());
        Read head = read(file, new ReadStreamOptions().end(65_536));
        assertEquals(List.of(65_536, 1), head.chunks());
        assertArrayEquals(Arrays.copyOfRange(all, 0, 65_537), head.bytes());
        assertArrayEquals(Arrays.copyOfRange(all, 5, 6), read(file, new ReadStreamOptions().start(5).end(5)).bytes());
    }

    @Test
    void rangesPastTheEndOfTheFileEndQuietly() throws IOException {
        Path file = file(100, 3);
        byte[] all = Files.readAllBytes(file);
        Read past = read(file, new ReadStreamOptions().start(200));
        assertEquals(List.of(), past.chunks());   // Node 20: no data, then end
        assertEquals(List.of("open", "ready", "end", "close"), past.events());
        assertArrayEquals(Arrays.copyOfRange(all, 90, 100), read(file, new ReadStreamOptions().start(90).end(1_000)).bytes());
    }

    @Test
    void aHighWaterMarkOfZeroReadsNothing() throws IOException {
        Read r = read(file(100, 4), new ReadStreamOptions().highWaterMark(0));
        assertEquals(List.of(), r.chunks());
        assertEquals(List.of("open", "ready", "end", "close"), r.events());   // as Node 20
    }

    @Test
    void aRangePipedToASocketGoesBySendfile() throws IOException {
        int size = (3 << 20) + 12_345;
        Path file = file(size, 5);
        byte[] all = Files.readAllBytes(file);
        long start = 100_003;
        long end = size - 9_999;   // more than one sendfile chunk, neither end aligned
        long sentBefore = FileSendfile.SENT_BYTES.sum();
        TestServer server = server(s -> Fs.createReadStream(file, new ReadStreamOptions().start(start).end(end)).pipe(s));
        Collector got = new Collector(true);
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Socket client = new Socket();
        client.on(Socket.END, () -> ended.complete(null));
        client.on(Socket.DATA, got);
        client.connect(server.port, "127.0.0.1");
        await(ended);
        destroyAll(client);
        assertEquals(sha256(Arrays.copyOfRange(all, (int) start, (int) end + 1)), got.hash());
        assertEquals(end - start + 1, FileSendfile.SENT_BYTES.sum() - sentBefore, "every byte went by sendfile");
        server.close();
    }

    @Test
    void badOptionsThrowNodesErrors() throws IOException {
        Path file = file(10, 6);
        InvalidArgumentException after = assertThrows(InvalidArgumentException.class,
                () -> Fs.createReadStream(file, new ReadStreamOptions().start(10).end(5)));
        assertEquals("ERR_OUT_OF_RANGE", after.code());
        assertEquals("The value of \"start\" is out of range. It must be <= \"end\" (here: 5). Received 10", after.getMessage());
        InvalidArgumentException negative = assertThrows(InvalidArgumentException.class, () -> new ReadStreamOptions().start(-1));
        assertEquals("The value of \"start\" is out of range. It must be >= 0 && <= 9007199254740991. Received -1",
                negative.getMessage());
        InvalidArgumentException huge = assertThrows(InvalidArgumentException.class,
                () -> new ReadStreamOptions().end(9_007_199_254_740_992L));
        assertEquals("The value of \"end\" is out of range. It must be >= 0 && <= 9007199254740991. Received 9_007_199_254_740_992",
                huge.getMessage());
        InvalidArgumentException hwm = assertThrows(InvalidArgumentException.class, () -> new ReadStreamOptions().highWaterMark(-1));
        assertEquals("ERR_INVALID_ARG_VALUE", hwm.code());
        assertEquals("The property 'options.highWaterMark' is invalid. Received -1", hwm.getMessage());
    }
}
