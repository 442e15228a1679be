package io.ffmnet;

import io.ffmnet.internal.buffer.BufferPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Buffer}: Node's constructors and accessors, counting, and use after release. */
@Timeout(120)
class BufferTest {
    @Test
    void fromStringHoldsTheUtf8Bytes() {
        Buffer b = Buffer.from("héllo €");
        try {
            assertArrayEquals("héllo €".getBytes(StandardCharsets.UTF_8), b.toByteArray());
            assertEquals("héllo €", b.toString());
            assertEquals(10, b.length());
            assertEquals(1, b.refCnt());
        } finally {
            assertTrue(b.release());
        }
    }

    @Test
    void fromStringWithACharsetEncodesWithIt() {
        Buffer b = Buffer.from("é", StandardCharsets.ISO_8859_1);
        assertArrayEquals(new byte[] {(byte) 0xe9}, b.toByteArray());
        assertEquals("é", b.toString(StandardCharsets.ISO_8859_1));
        b.release();
    }

    @Test
    void malformedUtf8DecodesToTheReplacementCharacter() {
        Buffer b = Buffer.from(new byte[] {'a', (byte) 0xff, 'b'});
        assertEquals("a\uFFFDb", b.toString());
        b.release();
    }

    @Test
    void anEncodedSurrogateDecodesToThreeReplacementCharactersAsInNode() {
        // Node: Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x62]).toString() === 'a\ufffd\ufffd\ufffdb'
        Buffer b = Buffer.from(new byte[] {'a', (byte) 0xed, (byte) 0xa0, (byte) 0x80, 'b'});
        assertEquals("a\uFFFD\uFFFD\uFFFDb", b.toString());
        b.release();
    }

    @Test
    void allocIsZeroFilledAndWritable() {
        Buffer b = Buffer.alloc(300);
        for (int i = 0; i < 300; i++) {
            assertEquals(0, b.get(i));
        }
        b.set(0, (byte) 7).set(new byte[] {1, 2, 3}, 297);
        assertEquals(7, b.get(0));
        assertEquals(3, b.get(299));
        assertThrows(IndexOutOfBoundsException.class, () -> b.set(new byte[] {1, 2}, 299));
        b.fill((byte) 9);
        assertEquals(9, b.get(150));
        b.release();
    }

    @Test
    void allocOfZeroBytesIsAnEmptyBuffer() {
        Buffer b = Buffer.alloc(0);
        assertEquals(0, b.length());
        assertEquals("", b.toString());
        assertArrayEquals(new byte[0], b.toByteArray());
        b.release();
    }

    @Test
    void aNegativeSizeIsAnOutOfRangeError() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Buffer.alloc(-1));
        assertEquals("ERR_OUT_OF_RANGE", e.code());
    }

    @Test
    void buffersLargerThanAnyPoolClassWork() {
        byte[] big = new byte[200_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        Buffer b = Buffer.from(big);
        assertArrayEquals(big, b.toByteArray());
        Buffer copy = b.copy();
        assertEquals(b, copy);
        b.release();
        copy.release();
    }

    @Test
    void slicesShareMemoryAndCount() {
        Buffer b = Buffer.from("hello world");
        Buffer world = b.slice(6, 11);
        assertEquals("world", world.toString());
        b.set(6, (byte) 'W');
        assertEquals("World", world.toString());
        assertEquals("or", world.slice(1, 3).toString());
        world.retain();
        assertEquals(2, b.refCnt());
        assertFalse(b.release());
        assertEquals("World", world.toString());
        assertTrue(world.release());
        assertEquals(0, b.refCnt());
        Buffer empty = Buffer.alloc(0);
        assertThrows(IndexOutOfBoundsException.class, () -> empty.slice(0, 1));
        empty.release();
    }

    @Test
    void copyIsIndependent() {
        Buffer b = Buffer.from("abc");
        Buffer c = b.copy();
        b.set(0, (byte) 'x');
        assertEquals("abc", c.toString());
        b.release();
        assertEquals("abc", c.toString());
        c.release();
    }

    @Test
    void concatJoinsInOrder() {
        Buffer a = Buffer.from("ab");
        Buffer b = Buffer.from("");
        Buffer c = Buffer.from("cde");
        Buffer joined = Buffer.concat(a, b, c.slice(1, 3));
        assertEquals("abde", joined.toString());
        for (Buffer x : List.of(a, b, c, joined)) {
            x.release();
        }
    }

    @Test
    void equalityIsByContent() {
        Buffer a = Buffer.from("same");
        Buffer b = Buffer.from("xsame").slice(1, 5);
        Buffer c = Buffer.from("diff");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, c);
        assertNotEquals(a, "same");
        a.release();
        b.release();
        c.release();
    }

    @Test
    void viewsAreReadOnlyAndDirect() {
        Buffer b = Buffer.from("view");
        ByteBuffer bb = b.asByteBuffer();
        assertTrue(bb.isDirect());
        assertTrue(bb.isReadOnly());
        assertEquals(4, bb.remaining());
        MemorySegment s = b.segment();
        assertTrue(s.isReadOnly());
        assertEquals(4, s.byteSize());
        b.release();
    }

    @Test
    void wrapUsesTheCallersMemoryWithoutCopying() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mem = arena.allocate(4);
            mem.copyFrom(MemorySegment.ofArray("wrap".getBytes(StandardCharsets.US_ASCII)));
            Buffer b = Buffer.wrap(mem);
            assertEquals("wrap", b.toString());
            mem.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 'W');
            assertEquals("Wrap", b.toString());
            assertTrue(b.release());
        }
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> Buffer.wrap(MemorySegment.ofArray(new byte[4])));
        assertEquals("ERR_INVALID_ARG_TYPE", e.code());
    }

    @Test
    void everyUseAfterReleaseThrows() {
        Buffer b = Buffer.from("gone");
        Buffer slice = b.slice(0, 2);
        assertTrue(b.release());
        assertEquals(0, b.refCnt());
        assertThrows(IllegalStateException.class, () -> b.get(0));
        assertThrows(IllegalStateException.class, b::toString);
        assertThrows(IllegalStateException.class, b::toByteArray);
        assertThrows(IllegalStateException.class, b::copy);
        assertThrows(IllegalStateException.class, b::segment);
        assertThrows(IllegalStateException.class, b::asByteBuffer);
        assertThrows(IllegalStateException.class, b::retain);
        assertThrows(IllegalStateException.class, b::release);
        assertThrows(IllegalStateException.class, () -> slice.slice(0, 1));
        Buffer other = Buffer.from("gone");
        assertThrows(IllegalStateException.class, () -> b.equals(other));
        assertThrows(IllegalStateException.class, () -> Buffer.concat(other, b));
        other.release();
        assertEquals(4, b.length());
    }

    @Test
    void aStaleViewNeverSeesTheNextOwnersBytes() {
        Buffer old = Buffer.from("secret-old");
        old.release();
        // The pool hands the same memory out again (LIFO free list); the old view must not read it.
        List<Buffer> reuse = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            reuse.add(Buffer.from("fresh-data"));
        }
        assertThrows(IllegalStateException.class, () -> old.get(0));
        assertThrows(IllegalStateException.class, old::toString);
        reuse.forEach(Buffer::release);
    }

    @Test
    void retainAndReleaseFromManyThreadsBalance() throws InterruptedException {
        Buffer b = Buffer.from("shared");
        int threads = 8;
        int rounds = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < rounds; i++) {
                    b.retain();
                    assertEquals('s', b.get(0));
                    assertFalse(b.release());
                }
            });
            workers.add(w);
            w.start();
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertEquals(1, b.refCnt());
        assertTrue(b.release());
    }

    @Test
    void aLoopBufferReleasedOnAnotherThreadGoesBackToTheLoopsPool() throws Exception {
        long before = BufferPool.outstandingEverywhere();
        CompletableFuture<Buffer> made = new CompletableFuture<>();
        EventLoop.getDefault().execute(() -> made.complete(Buffer.from("from the loop")));
        Buffer b = made.join();
        assertEquals(before + 1, BufferPool.outstandingEverywhere());
        Thread other = new Thread(() -> assertTrue(b.release()));
        other.start();
        other.join();
        assertThrows(IllegalStateException.class, b::toString);
        // The loop drains cross-thread returns when it next takes memory.
        CompletableFuture<Void> drained = new CompletableFuture<>();
        EventLoop.getDefault().execute(() -> {
            Buffer.alloc(1).release();
            drained.complete(null);
        });
        drained.join();
        assertEquals(before, BufferPool.outstandingEverywhere());
    }
}
