package org.dindex.extract;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Recognises the two non-UTF-8 encodings text files still commonly come in, so they are indexed instead of refused:
 * UTF-16 (with a byte order mark, or without one when every other byte of ASCII-range text is zero, as Windows tools
 * write it) and Windows-1252, the superset of Latin-1 that legacy Western European files use.
 *
 * <p>Why not a detection library: these two cover what users meet in practice, and each test is a few lines that
 * cannot misfire on UTF-8 (checked first, strictly) or on binary data (NUL bytes outside UTF-16). Windows-1252 is
 * taken only when the bytes show no sign of being damaged UTF-8: no valid multi-byte UTF-8 sequence anywhere (a
 * UTF-8 file with one bad byte still has its other accented letters intact) and no sequence cut off at the end.
 * Other legacy encodings (Shift_JIS, KOI8-R...) are still refused as invalid UTF-8, naming the byte.
 */
final class LegacyText {
    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private LegacyText() {
    }

    /** UTF-16 text with or without a byte order mark, decoded; null when the bytes are not UTF-16. */
    static String utf16(byte[] bytes) {
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE) {
            return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16LE);
        }
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF) {
            return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16BE);
        }
        if (bytes.length < 8 || bytes.length % 2 != 0) {
            return null;
        }
        int evenZeros = 0;
        int oddZeros = 0;
        for (int i = 0; i < bytes.length; i += 2) {
            evenZeros += bytes[i] == 0 ? 1 : 0;
            oddZeros += bytes[i + 1] == 0 ? 1 : 0;
        }
        int units = bytes.length / 2;
        if (oddZeros >= units * 9 / 10 && evenZeros == 0) {
            return new String(bytes, StandardCharsets.UTF_16LE);
        }
        if (evenZeros >= units * 9 / 10 && oddZeros == 0) {
            return new String(bytes, StandardCharsets.UTF_16BE);
        }
        return null;
    }

    /**
     * The bytes as Windows-1252 when they look like a Latin-1 or Windows-1252 file rather than damaged UTF-8; null
     * otherwise. Expects bytes that failed strict UTF-8 decoding and hold no NUL.
     */
    static String windows1252(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            int length = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3
                    : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
            if (length > 1) {
                int continuation = 1;
                while (continuation < length && i + continuation < bytes.length
                        && (bytes[i + continuation] & 0xC0) == 0x80) {
                    continuation++;
                }
                if (continuation == length) {
                    return null;  // a valid multi-byte sequence: UTF-8 with damage elsewhere
                }
                if (i + continuation == bytes.length) {
                    return null;  // a sequence cut off by the end of the file: truncated UTF-8
                }
            }
            if (b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D) {
                return null;  // bytes Windows-1252 leaves undefined
            }
            i++;
        }
        return new String(bytes, WINDOWS_1252);
    }
}
