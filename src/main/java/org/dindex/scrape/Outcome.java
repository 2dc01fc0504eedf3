package org.dindex.scrape;

/**
 * How the processing of one URL ended; becomes its terminal {@link UrlEvent}.
 */
record Outcome(UrlEvent.Kind kind, Integer status, String reason, int chunks, int words, String finalUrl) {
    static Outcome indexed(int status, int chunks, int words, String finalUrl) {
        return new Outcome(UrlEvent.Kind.INDEXED, status, null, chunks, words, finalUrl);
    }

    static Outcome skipped(String reason, Integer status) {
        return new Outcome(UrlEvent.Kind.SKIPPED, status, reason, 0, 0, null);
    }

    static Outcome failed(String reason, Integer status) {
        return new Outcome(UrlEvent.Kind.FAILED, status, reason, 0, 0, null);
    }
}
