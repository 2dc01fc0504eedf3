package org.dindex.extract;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

import org.dindex.extract.ExtractionException.Reason;

/**
 * Reading a file with the checks every format shares, turning I/O failures into one-line user messages.
 *
 * <p>The size limit is checked against the file's attributes before reading, and again while reading, because a
 * file can grow between the two (a log being written): the limit exists to bound memory, so it must hold for the
 * bytes actually read.
 */
final class SourceFile {
    /** Java arrays cannot be larger than this, whatever the configured limit. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

    private final Path path;
    private final String name;
    private final long maxBytes;

    private SourceFile(Path path, long maxBytes) {
        this.path = path;
        this.name = path.toString();
        this.maxBytes = maxBytes;
    }

    /** Checks the file exists, is a regular file, is within the limit and is not empty. */
    static SourceFile open(Path path, long maxBytes) throws ExtractionException {
        String name = path.toString();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            throw unreadable(name, e);
        }
        if (attrs.isDirectory()) {
            throw new ExtractionException(Reason.UNREADABLE, name + ": cannot read: is a folder");
        }
        if (!attrs.isRegularFile()) {
            throw new ExtractionException(Reason.UNREADABLE, name + ": cannot read: not a regular file");
        }
        SourceFile file = new SourceFile(path, maxBytes);
        file.checkSize(attrs.size());
        if (attrs.size() == 0) {
            throw new ExtractionException(Reason.EMPTY, name + ": empty file");
        }
        return file;
    }

    Path path() {
        return path;
    }

    /** The path as given, for messages. */
    String name() {
        return name;
    }

    /** All bytes of the file, refusing it when it has grown past the limit since {@link #open}. */
    byte[] readAll() throws ExtractionException {
        long cap = Math.min(maxBytes, MAX_ARRAY);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes((int) Math.min(cap + 1, MAX_ARRAY));
            if (bytes.length > cap) {
                // Grew since open(): report the size now on disk, or at least what was read.
                throw tooLarge(Math.max(bytes.length, sizeNow()));
            }
        } catch (IOException e) {
            throw unreadable(name, e);
        }
        if (bytes.length == 0) {
            throw new ExtractionException(Reason.EMPTY, name + ": empty file");
        }
        return bytes;
    }

    private long sizeNow() {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }

    private void checkSize(long actual) throws ExtractionException {
        if (actual > Math.min(maxBytes, MAX_ARRAY)) {
            throw tooLarge(actual);
        }
    }

    private ExtractionException tooLarge(long actual) {
        return new ExtractionException(Reason.TOO_LARGE,
                name + ": too large (" + sizesForMessage(actual, Math.min(maxBytes, MAX_ARRAY)) + ")");
    }

    /** "3.2 MiB; the limit is 1.0 MiB", switching to exact bytes when rounding would make both look equal. */
    static String sizesForMessage(long size, long limit) {
        String s = humanSize(size);
        String l = humanSize(limit);
        if (s.equals(l)) {
            s = size + " bytes";
            l = limit + " bytes";
        }
        return s + "; the limit is " + l;
    }

    static String humanSize(long bytes) {
        if (bytes < 1024) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** Maps an I/O failure to UNREADABLE with the cause in plain words. */
    static ExtractionException unreadable(String name, IOException e) {
        String cause = switch (e) {
            case NoSuchFileException x -> "no such file";
            case AccessDeniedException x -> "permission denied";
            case FileSystemException x when x.getReason() != null -> x.getReason();
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
        if (cause.toLowerCase(Locale.ROOT).contains("is a directory")) {
            cause = "is a folder";
        }
        return new ExtractionException(Reason.UNREADABLE, name + ": cannot read: " + cause, e);
    }
}
