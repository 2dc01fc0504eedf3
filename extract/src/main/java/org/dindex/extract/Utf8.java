package org.dindex.extract;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding that reports where the first bad byte is.
 *
 * <p>Why strict: the lenient {@code new String(bytes, UTF_8)} silently turns bad bytes into U+FFFD, which would
 * index mojibake from a Latin-1 file without anyone noticing. Naming the byte offset lets the user find and fix
 * the file.
 */
final class Utf8 {
    private Utf8() {
    }

    /** Result of a strict decode: the text, or the offset of the first invalid byte (text null). */
    record Decoded(String text, long invalidOffset) {
        boolean valid() {
            return text != null;
        }
    }

    static Decoded decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        // UTF-8 never yields more UTF-16 units than it has bytes.
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            return new Decoded(null, in.position());
        }
        result = decoder.flush(out);
        if (result.isError()) {
            return new Decoded(null, in.position());
        }
        out.flip();
        return new Decoded(out.toString(), -1);
    }

    /** True when the bytes start with a UTF-16 (or UTF-32) byte order mark. */
    static boolean hasUtf16Bom(byte[] bytes) {
        return bytes.length >= 2 && ((bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE)
                || (bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF));
    }
}
