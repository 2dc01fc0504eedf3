package org.dindex.importer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Bounds every piece of XML markup in a dump (a tag with its attributes, a comment, a processing instruction, a
 * CDATA section, a declaration) to {@link #MAX_MARKUP_BYTES}, by watching the bytes on their way to the parser.
 *
 * <p>Why: the JDK's StAX parser hands text over in chunks (the reader never coalesces it), but it builds each
 * attribute value and each comment whole, with no limit of its own. A few kilobytes of bzip2 can hold a gigabyte-long
 * attribute, and the parser would run the daemon out of heap. A real MediaWiki dump has no markup piece longer than a
 * few hundred bytes, so a longer one fails the import as not a dump, naming the byte where it starts. (Woodstox has
 * such limits, but switching parsers would change every error message and position the reader reports; this check
 * is small and sits in front of the parser we have.)
 *
 * <p>It reads bytes, not characters: markup delimiters are ASCII, and in UTF-8 (which dumps use) no byte of a
 * multi-byte character equals one. Quotes are followed inside tags, since {@code >} may appear in an attribute value.
 */
final class MarkupLimit extends FilterInputStream {
    static final int MAX_MARKUP_BYTES = 1024 * 1024;

    private enum State { TEXT, OPENING, TAG, QUOTED, COMMENT, CDATA, INSTRUCTION, DECLARATION }

    private State state = State.TEXT;
    private final StringBuilder opening = new StringBuilder(9);
    private byte quote;
    /** The last bytes seen inside markup, to find the end of comments ({@code -->}), CDATA and instructions. */
    private int last;
    private int beforeLast;
    private long markupBytes;
    private long offset;
    private long markupStart;

    MarkupLimit(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            step((byte) b);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int off, int len) throws IOException {
        int n = super.read(buffer, off, len);
        for (int i = 0; i < n; i++) {
            step(buffer[off + i]);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] sink = new byte[(int) Math.min(8192, Math.max(1, n))];
        long skipped = 0;
        while (skipped < n) {
            int r = read(sink, 0, (int) Math.min(sink.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void step(byte b) throws IOException {
        offset++;
        if (state == State.TEXT) {
            if (b == '<') {
                state = State.OPENING;
                opening.setLength(0);
                markupBytes = 1;
                markupStart = offset;
            }
            return;
        }
        if (++markupBytes > MAX_MARKUP_BYTES) {
            throw new DumpFormatException(-1, -1, "not a MediaWiki dump: a piece of markup starting at byte "
                    + markupStart + " is longer than " + MAX_MARKUP_BYTES + " bytes", null);
        }
        switch (state) {
            case OPENING -> classify(b);
            case TAG -> {
                if (b == '"' || b == '\'') {
                    quote = b;
                    state = State.QUOTED;
                } else if (b == '>') {
                    state = State.TEXT;
                }
            }
            case QUOTED -> {
                if (b == quote) {
                    state = State.TAG;
                }
            }
            case COMMENT -> endsWith(b, '-', '-', '>');
            case CDATA -> endsWith(b, ']', ']', '>');
            case INSTRUCTION -> endsWith(b, (byte) 0, '?', '>');
            case DECLARATION -> {
                if (b == '>') {
                    state = State.TEXT;
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    /** After {@code <}: a comment, CDATA, an instruction, a declaration or a tag, told by the first bytes. */
    private void classify(byte b) {
        opening.append((char) (b & 0xFF));
        String start = opening.toString();
        if (start.equals("!--")) {
            enter(State.COMMENT);
        } else if (start.equals("![CDATA[")) {
            enter(State.CDATA);
        } else if (start.equals("?")) {
            enter(State.INSTRUCTION);
        } else if ("!--".startsWith(start) || "![CDATA[".startsWith(start)) {
            return;  // not decided yet
        } else if (start.charAt(0) == '!') {
            state = b == '>' ? State.TEXT : State.DECLARATION;
        } else {
            state = State.TAG;
            if (b == '"' || b == '\'') {
                quote = b;
                state = State.QUOTED;
            } else if (b == '>') {
                state = State.TEXT;
            }
        }
    }

    private void enter(State s) {
        state = s;
        last = -1;
        beforeLast = -1;
    }

    private void endsWith(byte b, int first, int second, int third) {
        if (b == third && last == second && (first == 0 || beforeLast == first)) {
            state = State.TEXT;
        }
        beforeLast = last;
        last = b;
    }
}
