package org.dindex.files;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The source name of a file: its absolute path, which is also its identity in the index.
 *
 * <p>Why not {@code Path.toString()}: Linux file names are bytes, and Java decodes them as UTF-8, turning every
 * invalid byte into U+FFFD. Two files whose names differ only in such bytes ({@code inv\xff\xfe.txt} and
 * {@code inv\xfe\xff.txt}) would get one name, and indexing the folder would replace one file's content with the
 * other's.
 *
 * <p>The rule, on the path's raw bytes: a path that is valid UTF-8 and has no backslash is its name, unchanged (so
 * every ordinary path reads as itself). Any other path (invalid bytes, or a backslash) is escaped: valid UTF-8 stays
 * as it is, a backslash becomes {@code \\} and each invalid byte {@code \xHH}. This is one-to-one: an escaped name
 * always holds a backslash and an unchanged one never does, so the two kinds cannot meet; and an escaped name decodes
 * back to its bytes (every backslash in it starts {@code \\} or {@code \xHH}). Escaping the backslash too is what
 * keeps a file literally named {@code inv\xFF.txt} (ASCII backslash, x, F, F) apart from one with the byte 0xFF:
 * the first is {@code inv\\xFF.txt}, the second {@code inv\xFF.txt}. A folder's name is a prefix of its files'
 * names under either rule, so {@code --source FOLDER/} selections and watched folders keep working; a user who types
 * a prefix with a backslash types it escaped.
 */
public final class SourceNames {
    private SourceNames() {
    }

    public static String of(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        String name = abs.toString();
        if (name.indexOf('\uFFFD') < 0 && name.indexOf('\\') < 0) {
            return name;  // valid UTF-8 (nothing was replaced) without a backslash
        }
        return escaped(rawBytes(abs));
    }

    /** The path's bytes, from its {@code file:} URI, whose path is the raw bytes with non-ASCII ones %-encoded. */
    private static byte[] rawBytes(Path abs) {
        String uri = abs.toUri().getRawPath();
        ByteArrayOutputStream out = new ByteArrayOutputStream(uri.length());
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '%' && i + 2 < uri.length()) {
                out.write(Integer.parseInt(uri.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        byte[] bytes = out.toByteArray();
        // A folder's URI ends with '/', the path does not.
        return bytes.length > 1 && bytes[bytes.length - 1] == '/' && !abs.toString().endsWith("/")
                ? Arrays.copyOf(bytes, bytes.length - 1) : bytes;
    }

    /** UTF-8 where it is valid; {@code \xHH} for each byte that is not, and {@code \\} for a backslash. */
    private static String escaped(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        StringBuilder name = new StringBuilder(bytes.length + 16);
        while (in.hasRemaining()) {
            CoderResult result = decoder.decode(in, out, true);
            out.flip();
            name.append(out.toString().replace("\\", "\\\\"));
            out.clear();
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    name.append(String.format("\\x%02X", in.get() & 0xFF));
                }
            } else if (result.isUnderflow()) {
                break;
            }
        }
        return name.toString();
    }
}
