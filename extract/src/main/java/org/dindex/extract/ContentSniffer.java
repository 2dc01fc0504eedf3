package org.dindex.extract;

/**
 * Decides whether bytes look like text, for files whose extension does not say what they are.
 *
 * <p>Why these tests: a NUL byte never occurs in UTF-8 text but occurs in nearly every binary format (images,
 * archives, executables, office files), and a sprinkling of other control characters is the signature of the
 * remaining binary formats. Tab, line feed, carriage return, form feed and escape (coloured logs) are normal in
 * text and do not count.
 */
final class ContentSniffer {
    /** More than one control character per this many bytes makes the content binary. */
    private static final int BYTES_PER_ALLOWED_CONTROL = 100;

    private ContentSniffer() {
    }

    /** Why the bytes are binary (a phrase for the message), or null when they look like text. */
    static String binaryReason(byte[] bytes) {
        long controls = 0;
        for (byte b : bytes) {
            if (b == 0) {
                return "binary file (contains NUL bytes)";
            }
            if (isSuspiciousControl(b)) {
                controls++;
            }
        }
        if (controls * BYTES_PER_ALLOWED_CONTROL > bytes.length) {
            return "binary file (too many control characters)";
        }
        return null;
    }

    /** True when the bytes contain a NUL byte. */
    static boolean hasNul(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSuspiciousControl(byte b) {
        return (b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x1B) || b == 0x7F;
    }
}
