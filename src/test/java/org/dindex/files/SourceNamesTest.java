package org.dindex.files;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SourceNames} is one-to-one on the raw bytes of file names, and leaves ordinary names as they are. */
class SourceNamesTest {
    /** A path under /t whose last name is exactly {@code bytes} (a {@code file:} URI carries raw bytes as %XX). */
    static Path path(byte[] bytes) {
        StringBuilder uri = new StringBuilder("file:///t/");
        for (byte b : bytes) {
            uri.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
        }
        return Path.of(URI.create(uri.toString()));
    }

    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }

    @Test
    void ordinaryNamesStayAsTheyAreAndOthersAreEscaped() {
        assertEquals("/t/notes é 日本.txt", SourceNames.of(path(bytes("notes é 日本.txt"))));
        assertEquals("/t/a\uFFFDb", SourceNames.of(path(bytes("a\uFFFDb"))), "a real U+FFFD is valid UTF-8");
        assertEquals("/t/inv\\xFF\\xFEname.txt", SourceNames.of(path(bytes("inv", 0xFF, 0xFE, "name.txt"))));
        assertEquals("/t/inv\\\\xFF\\\\xFEname.txt", SourceNames.of(path(bytes("inv\\xFF\\xFEname.txt"))),
                "a literal backslash is escaped, so it cannot pass for an escaped byte");
        assertEquals("/t/C:\\\\dir\\\\file.txt", SourceNames.of(path(bytes("C:\\dir\\file.txt"))));
        assertEquals("/t/\\\\\\xC3é", SourceNames.of(path(bytes("\\", 0xC3, "é"))));
    }

    /**
     * Every name of up to five pieces from an alphabet chosen to collide under a careless rule (a backslash, the
     * letters of an escape, invalid bytes, a lone lead and continuation byte, valid two- and three-byte characters,
     * U+FFFD itself) gets a name of its own, and only names that are valid UTF-8 without a backslash stay unchanged.
     */
    @Test
    void distinctBytesGetDistinctNames() {
        List<byte[]> alphabet = List.of(bytes("\\"), bytes("x"), bytes("F"), bytes(0xFF), bytes(0xFE), bytes(0xC3),
                bytes(0xA9), bytes("é"), bytes("\uFFFD"), bytes("a"));
        List<byte[]> names = new ArrayList<>(List.of(new byte[0]));
        Map<String, String> seen = new HashMap<>();
        int checked = 0;
        for (int length = 1; length <= 5; length++) {
            List<byte[]> longer = new ArrayList<>();
            for (byte[] prefix : names) {
                for (byte[] piece : alphabet) {
                    byte[] name = java.util.Arrays.copyOf(prefix, prefix.length + piece.length);
                    System.arraycopy(piece, 0, name, prefix.length, piece.length);
                    longer.add(name);
                    String hex = HexFormat.of().formatHex(name);
                    String source = SourceNames.of(path(name));
                    String before = seen.putIfAbsent(source, hex);
                    assertTrue(before == null || before.equals(hex),
                            "bytes " + before + " and " + hex + " both became " + source);
                    boolean plain = isUtf8(name) && new String(name, StandardCharsets.UTF_8).indexOf('\\') < 0;
                    assertEquals(plain, source.equals("/t/" + new String(name, StandardCharsets.UTF_8)),
                            hex + " became " + source);
                    checked++;
                }
            }
            names = longer;
        }
        assertTrue(checked > 100_000, "checked " + checked);
    }

    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
