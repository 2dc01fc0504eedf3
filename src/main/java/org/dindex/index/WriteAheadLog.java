package org.dindex.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * The write-ahead log: every accepted write is appended and fsynced here before the client is told it succeeded,
 * so "acknowledged" means "durable" even if the process dies before the next index commit.
 *
 * <p>Record layout: {@code int length | long seq | int crc32c(seq, payload) | payload}. A record whose length runs
 * past the end of the file or whose checksum does not match is a torn write from a crash: it and everything after
 * it are dropped (with a warning) and the file is cut back, so a damaged tail never prevents start-up. After an
 * index commit covers every record, the log is truncated to empty. Not thread-safe: the index writer thread owns it.
 */
final class WriteAheadLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WriteAheadLog.class.getName());
    private static final int HEADER = 4 + 8 + 4;
    /** Larger records are refused on write and treated as corruption on read. */
    static final int MAX_RECORD = 512 * 1024 * 1024;

    /** One record read back during recovery. */
    record Entry(long seq, byte[] payload) {
    }

    private final Path file;
    private final FileChannel channel;
    private final List<Entry> recovered;
    private long lastSeq;
    private long droppedBytes;

    private WriteAheadLog(Path file, FileChannel channel, List<Entry> recovered, long lastSeq, long droppedBytes) {
        this.file = file;
        this.channel = channel;
        this.recovered = recovered;
        this.lastSeq = lastSeq;
        this.droppedBytes = droppedBytes;
    }

    /** Opens (creating if needed) the log, reading every intact record and cutting off a torn tail. */
    static WriteAheadLog open(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        List<Entry> entries = new ArrayList<>();
        long size = channel.size();
        long pos = 0;
        long lastSeq = 0;
        String problem = null;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (pos < size) {
            if (size - pos < HEADER) {
                problem = "incomplete record header";
                break;
            }
            header.clear();
            readFully(channel, header, pos);
            int length = header.getInt(0);
            long seq = header.getLong(4);
            int crc = header.getInt(12);
            if (length < 0 || length > MAX_RECORD || pos + HEADER + length > size) {
                problem = "record length " + length + " runs past the end of the log";
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(channel, payload, pos + HEADER);
            if (checksum(seq, payload.array()) != crc) {
                problem = "checksum mismatch";
                break;
            }
            if (seq <= lastSeq) {
                problem = "sequence " + seq + " does not follow " + lastSeq;
                break;
            }
            entries.add(new Entry(seq, payload.array()));
            lastSeq = seq;
            pos += HEADER + length;
        }
        long dropped = size - pos;
        if (problem != null) {
            LOG.warning("write-ahead log " + file + ": dropping " + dropped + " bytes at offset " + pos + " ("
                    + problem + "); this is a write torn by a crash, and it was never acknowledged");
            channel.truncate(pos);
            channel.force(true);
        }
        channel.position(pos);
        return new WriteAheadLog(file, channel, entries, lastSeq, dropped);
    }

    /** Records found at open, in order. */
    List<Entry> recovered() {
        return recovered;
    }

    /** Bytes of torn tail dropped at open (0 when the log was intact). */
    long droppedBytes() {
        return droppedBytes;
    }

    long lastSeq() {
        return lastSeq;
    }

    /** Makes later sequence numbers start after {@code seq} (the last one an index commit recorded). */
    void advanceTo(long seq) {
        lastSeq = Math.max(lastSeq, seq);
    }

    /** Appends a record and fsyncs it; returns its sequence number. */
    long append(byte[] payload) throws IOException {
        if (payload.length > MAX_RECORD) {
            throw new IOException("write of " + payload.length + " bytes exceeds the log record limit of "
                    + MAX_RECORD);
        }
        long seq = lastSeq + 1;
        ByteBuffer record = ByteBuffer.allocate(HEADER + payload.length);
        record.putInt(payload.length).putLong(seq).putInt(checksum(seq, payload)).put(payload).flip();
        long start = channel.position();
        try {
            while (record.hasRemaining()) {
                channel.write(record);
            }
            channel.force(false);
        } catch (IOException e) {
            // Leave no half record behind (for example when the disk is full).
            channel.truncate(start);
            channel.position(start);
            throw e;
        }
        lastSeq = seq;
        return seq;
    }

    /** Empties the log once an index commit covers all of it. */
    void truncate() throws IOException {
        channel.truncate(0);
        channel.position(0);
        channel.force(true);
    }

    long sizeBytes() throws IOException {
        return channel.isOpen() ? channel.size() : Files.size(file);
    }

    Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static int checksum(long seq, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(0, seq));
        crc.update(payload);
        return (int) crc.getValue();
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of log");
            }
        }
    }
}
