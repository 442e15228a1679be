package io.ffmnet;

import io.ffmnet.internal.buffer.BufferPool;
import io.ffmnet.internal.buffer.Chunk;
import io.ffmnet.internal.buffer.WrappedChunk;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Bytes in native memory: Node's {@code Buffer}, as a view that never copies on its own.
 *
 * <p>A buffer is a window ({@code offset}, {@code length}) onto a reference-counted chunk of
 * native memory. Slices share the chunk and its count. A buffer handed to a {@code DATA} or
 * {@code MESSAGE} listener is valid until the listener returns; {@link #retain()} keeps it
 * longer (then {@link #release()} it), or take a {@link #copy()}. Passing a buffer to
 * {@code write} keeps it alive until the kernel has taken it.
 *
 * <p>Every access checks that the use of the chunk this buffer belongs to has not ended: after
 * the last release, any read throws {@link IllegalStateException}, even if the memory has been
 * handed out again, so a stale buffer can never show someone else's bytes.
 *
 * <p>{@code retain} and {@code release} are safe from any thread. Reading is safe from any thread
 * that holds a reference (a thread that reads while another drops the last reference races, as
 * with any freed memory, but pooled memory is never unmapped, so it cannot crash); writing ({@link #set}, {@link #fill}) is the caller's to coordinate,
 * as for any byte array.
 */
public final class Buffer {
    private static final byte[] EMPTY_BYTES = new byte[0];

    private final Chunk chunk;
    private final int gen;
    private final int offset;
    private final int length;

    private Buffer(Chunk chunk, int gen, int offset, int length) {
        this.chunk = chunk;
        this.gen = gen;
        this.offset = offset;
        this.length = length;
    }

    /** A view of a chunk's current use; for the library's read paths. */
    static Buffer view(Chunk chunk, int offset, int length) {
        return new Buffer(chunk, chunk.generation(), offset, length);
    }

    /** Fresh pooled memory of {@code size} bytes, count one, contents unspecified. */
    private static Buffer allocUnsafe(int size) {
        if (size < 0) {
            throw InvalidArgumentException.outOfRange("size", ">= 0 && <= " + Integer.MAX_VALUE, size);
        }
        Chunk chunk = BufferPool.current().take(Math.max(size, 1));
        return new Buffer(chunk, chunk.generation(), 0, size);
    }

    /** Node's {@code Buffer.alloc(size)}: {@code size} zero bytes in pooled native memory. */
    public static Buffer alloc(int size) {
        Buffer b = allocUnsafe(size);
        b.chunk.segment.asSlice(0, size).fill((byte) 0);
        return b;
    }

    /** Node's {@code Buffer.from(string)}: the UTF-8 bytes of {@code s}. */
    public static Buffer from(String s) {
        return from(s, StandardCharsets.UTF_8);
    }

    /** Node's {@code Buffer.from(string, encoding)}. */
    public static Buffer from(String s, Charset charset) {
        Objects.requireNonNull(s, "s");
        return from(s.getBytes(charset));
    }

    /** Node's {@code Buffer.from(array)}: a copy of {@code bytes} in native memory. */
    public static Buffer from(byte[] bytes) {
        Buffer b = allocUnsafe(bytes.length);
        MemorySegment.copy(bytes, 0, b.chunk.segment, JAVA_BYTE, 0, bytes.length);
        return b;
    }

    /**
     * A buffer over memory the caller owns, without copying. The segment must be native (the
     * kernel reads it by address) and must stay alive while the buffer is in use: its arena
     * still guards every access, and releasing the buffer frees nothing.
     */
    public static Buffer wrap(MemorySegment segment) {
        if (!segment.isNative()) {
            throw InvalidArgumentException.invalidType("segment", "a native MemorySegment", segment);
        }
        if (segment.byteSize() > Integer.MAX_VALUE) {
            throw InvalidArgumentException.outOfRange("segment.byteSize()", "<= " + Integer.MAX_VALUE,
                    segment.byteSize());
        }
        WrappedChunk chunk = new WrappedChunk(segment);
        return new Buffer(chunk, chunk.generation(), 0, (int) segment.byteSize());
    }

    /** Node's {@code Buffer.concat(list)}: one new buffer holding all the parts in order. */
    public static Buffer concat(Buffer... parts) {
        long total = 0;
        for (Buffer part : parts) {
            part.live();   // before taking memory, so a released part leaks nothing
            total += part.length;
        }
        if (total > Integer.MAX_VALUE) {
            throw InvalidArgumentException.outOfRange("totalLength", "<= " + Integer.MAX_VALUE, total);
        }
        Buffer b = allocUnsafe((int) total);
        long at = 0;
        for (Buffer part : parts) {
            MemorySegment.copy(part.live(), part.offset, b.chunk.segment, at, part.length);
            at += part.length;
        }
        return b;
    }

    /** The number of bytes. Still answers after release: the length of a view never changes. */
    public int length() {
        return length;
    }

    /** The byte at {@code index}. */
    public byte get(int index) {
        Objects.checkIndex(index, length);
        return live().get(JAVA_BYTE, offset + index);
    }

    /** Sets the byte at {@code index}: Node's {@code buf[index] = value}. */
    public Buffer set(int index, byte value) {
        Objects.checkIndex(index, length);
        live().set(JAVA_BYTE, offset + index, value);
        return this;
    }

    /** Copies {@code source} in at {@code offset}: {@code Uint8Array.prototype.set(array, offset)}. */
    public Buffer set(byte[] source, int offset) {
        Objects.checkFromIndexSize(offset, source.length, length);
        MemorySegment.copy(source, 0, live(), JAVA_BYTE, this.offset + offset, source.length);
        return this;
    }

    /** Node's {@code buf.fill(value)}. */
    public Buffer fill(byte value) {
        live().asSlice(offset, length).fill(value);
        return this;
    }

    /**
     * Node's {@code buf.subarray(start, end)} (and the deprecated {@code slice}): a view of bytes
     * {@code from} (inclusive) to {@code to} (exclusive) sharing this buffer's memory and count.
     */
    public Buffer slice(int from, int to) {
        Objects.checkFromToIndex(from, to, length);
        live();
        return new Buffer(chunk, gen, offset + from, to - from);
    }

    /** A copy into new pooled memory, independent of this buffer. */
    public Buffer copy() {
        MemorySegment source = live();
        Buffer b = allocUnsafe(length);
        MemorySegment.copy(source, offset, b.chunk.segment, 0, length);
        return b;
    }

    /** The bytes, copied into a new array. */
    public byte[] toByteArray() {
        if (length == 0) {
            live();
            return EMPTY_BYTES;
        }
        return live().asSlice(offset, length).toArray(JAVA_BYTE);
    }

    /** The bytes decoded as UTF-8; malformed input becomes U+FFFD, as in Node. */
    @Override
    public String toString() {
        return toString(StandardCharsets.UTF_8);
    }

    /**
     * The bytes decoded with {@code charset}; malformed input becomes the replacement character.
     * UTF-8 is decoded as Node decodes it (WHATWG: one U+FFFD per maximal invalid subsequence,
     * so an encoded surrogate gives three, where Java's own decoder gives one).
     */
    public String toString(Charset charset) {
        if (charset.equals(StandardCharsets.UTF_8)) {
            Utf8Decoder decoder = new Utf8Decoder();
            return decoder.decode(asByteBuffer()) + decoder.end();
        }
        return new String(toByteArray(), charset);
    }

    /** A read-only direct view of the bytes, valid as long as this buffer is. */
    public ByteBuffer asByteBuffer() {
        return live().asSlice(offset, length).asByteBuffer().asReadOnlyBuffer();
    }

    /** A read-only segment of the bytes, valid as long as this buffer is. */
    public MemorySegment segment() {
        return live().asSlice(offset, length).asReadOnly();
    }

    /** Adds a reference: the memory stays valid until a matching {@link #release()}. */
    public Buffer retain() {
        if (!chunk.retain(gen)) {
            throw released();
        }
        return this;
    }

    /**
     * Drops a reference.
     *
     * @return true when this was the last one and the memory went back to its pool
     * @throws IllegalStateException if the buffer was already released
     */
    public boolean release() {
        int r = chunk.release(gen);
        if (r < 0) {
            throw released();
        }
        return r == 1;
    }

    /** The reference count, shared by all slices of the same memory; 0 once released. */
    public int refCnt() {
        return chunk.refCnt(gen);
    }

    /** Equal when both hold the same bytes, as Node's {@code buf.equals(other)}. */
    @Override
    public boolean equals(Object o) {
        MemorySegment mine = live();
        if (this == o) {
            return true;
        }
        if (!(o instanceof Buffer other) || other.length != length) {
            return false;
        }
        return MemorySegment.mismatch(mine, offset, offset + length,
                other.live(), other.offset, other.offset + length) < 0;
    }

    @Override
    public int hashCode() {
        MemorySegment s = live();
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + s.get(JAVA_BYTE, offset + i);
        }
        return h;
    }

    // ---- for the library: the memory behind the view --------------------------------------

    Chunk chunk() {
        return chunk;
    }

    int generation() {
        return gen;
    }

    int offset() {
        return offset;
    }

    /** The native address of the first byte, after checking the buffer is live. */
    long address() {
        live();
        return chunk.address + offset;
    }

    /** The chunk's whole segment, after checking that this view's use of it has not ended. */
    private MemorySegment live() {
        if (!chunk.isLive(gen)) {
            throw released();
        }
        return chunk.segment;
    }

    private static IllegalStateException released() {
        return new IllegalStateException("the buffer was released (refCnt 0)");
    }
}
