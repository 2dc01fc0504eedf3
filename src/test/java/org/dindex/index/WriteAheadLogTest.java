package org.dindex.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WriteAheadLogTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recordsSurviveReopenInOrder() throws Exception {
        Path file = dir.resolve("wal.log");
        try (WriteAheadLog wal = WriteAheadLog.open(file)) {
            assertEquals(1, wal.append(bytes("a")));
            assertEquals(2, wal.append(bytes("bb")));
            assertEquals(3, wal.append(bytes("ccc")));
        }
        try (WriteAheadLog wal = WriteAheadLog.open(file)) {
            assertEquals(3, wal.recovered().size());
            assertEquals("ccc", new String(wal.recovered().get(2).payload(), StandardCharsets.UTF_8));
            assertEquals(0, wal.droppedBytes());
            assertEquals(4, wal.append(bytes("d")), "sequence continues");
        }
    }

    @Test
    void tornTailAtEveryCutIsDroppedAndNeverBlocksOpening() throws Exception {
        Path file = dir.resolve("wal.log");
        try (WriteAheadLog wal = WriteAheadLog.open(file)) {
            wal.append(bytes("first record"));
            wal.append(bytes("second record"));
        }
        byte[] full = Files.readAllBytes(file);
        int firstEnd = 16 + "first record".length();
        for (int cut = firstEnd + 1; cut < full.length; cut++) {
            Path torn = dir.resolve("torn-" + cut);
            Files.write(torn, java.util.Arrays.copyOf(full, cut));
            try (WriteAheadLog wal = WriteAheadLog.open(torn)) {
                assertEquals(1, wal.recovered().size(), "cut at " + cut);
                assertEquals(cut - firstEnd, wal.droppedBytes());
                assertEquals(firstEnd, Files.size(torn), "the torn tail is cut off");
                assertEquals(2, wal.append(bytes("again")));
            }
            try (WriteAheadLog wal = WriteAheadLog.open(torn)) {
                assertEquals(2, wal.recovered().size(), "appends after the cut are intact");
            }
        }
    }

    @Test
    void flippedBitIsDetectedByChecksum() throws Exception {
        Path file = dir.resolve("wal.log");
        try (WriteAheadLog wal = WriteAheadLog.open(file)) {
            wal.append(bytes("good"));
            wal.append(bytes("will be corrupted"));
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long pos = f.length() - 3;
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x10);
        }
        try (WriteAheadLog wal = WriteAheadLog.open(file)) {
            assertEquals(1, wal.recovered().size());
            assertTrue(wal.droppedBytes() > 0);
        }
    }

    @Test
    void garbageFileOpensEmpty() throws Exception {
        Path file = dir.resolve("wal.log");
        byte[] junk = new byte[1000];
        new Random(7).nextBytes(junk);
        Files.write(file, junk);
        try (WriteAheadLog wal = WriteAheadLog.open(file)) {
            assertEquals(0, wal.recovered().size());
            assertEquals(0, Files.size(file));
        }
    }

    @Test
    void truncateEmptiesTheLogAndSequenceAdvances() throws Exception {
        Path file = dir.resolve("wal.log");
        try (WriteAheadLog wal = WriteAheadLog.open(file)) {
            wal.append(bytes("x"));
            wal.truncate();
            assertEquals(0, wal.sizeBytes());
            assertEquals(2, wal.append(bytes("y")));
        }
    }
}
