package io.ffmnet;

import java.nio.ByteBuffer;

/**
 * UTF-8 decoding as Node's {@code StringDecoder} does it: the WHATWG Encoding Standard's
 * decoder, which replaces each maximal invalid subsequence with one U+FFFD and keeps an
 * incomplete character's bytes for the next chunk. Java's decoder agrees except for encoded
 * surrogates ({@code ED A0 80}): it replaces the three bytes with one U+FFFD where Node emits
 * three. One instance per stream; not thread-safe.
 */
final class Utf8Decoder {
    private static final char REPLACEMENT = '\uFFFD';

    private int codePoint;
    private int bytesNeeded;
    private int bytesSeen;
    private int lower = 0x80;
    private int upper = 0xBF;

    /** Decodes {@code in}; bytes of an unfinished character wait for the next call. */
    String decode(ByteBuffer in) {
        StringBuilder out = new StringBuilder(in.remaining());
        while (in.hasRemaining()) {
            int b = in.get() & 0xFF;
            if (bytesNeeded == 0) {
                lead(b, out);
                continue;
            }
            if (b < lower || b > upper) {
                // The sequence so far is one error; the byte itself starts afresh.
                reset();
                out.append(REPLACEMENT);
                lead(b, out);
                continue;
            }
            lower = 0x80;
            upper = 0xBF;
            codePoint = (codePoint << 6) | (b & 0x3F);
            if (++bytesSeen == bytesNeeded) {
                out.appendCodePoint(codePoint);
                reset();
            }
        }
        return out.toString();
    }

    /** The end of input: an unfinished character becomes one U+FFFD. */
    String end() {
        if (bytesNeeded == 0) {
            return "";
        }
        reset();
        return String.valueOf(REPLACEMENT);
    }

    private void lead(int b, StringBuilder out) {
        if (b <= 0x7F) {
            out.append((char) b);
        } else if (b >= 0xC2 && b <= 0xDF) {
            bytesNeeded = 1;
            codePoint = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
            lower = b == 0xE0 ? 0xA0 : 0x80;   // no overlong forms
            upper = b == 0xED ? 0x9F : 0xBF;   // no surrogates
            bytesNeeded = 2;
            codePoint = b & 0x0F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            lower = b == 0xF0 ? 0x90 : 0x80;
            upper = b == 0xF4 ? 0x8F : 0xBF;   // nothing above U+10FFFF
            bytesNeeded = 3;
            codePoint = b & 0x07;
        } else {
            out.append(REPLACEMENT);
        }
    }

    private void reset() {
        codePoint = 0;
        bytesNeeded = 0;
        bytesSeen = 0;
        lower = 0x80;
        upper = 0xBF;
    }
}
