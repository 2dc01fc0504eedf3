package org.dindex.scrape;

/**
 * How the processing of one URL ended; becomes its terminal {@link UrlEvent}.
 */
record UrlResult(UrlEvent.Kind kind, Integer status, String reason, int chunks, int words, String finalUrl,
               String title, int discovered) {
    static UrlResult indexed(int status, int chunks, int words, String finalUrl, String title, int discovered) {
        return new UrlResult(UrlEvent.Kind.INDEXED, status, null, chunks, words, finalUrl, title, discovered);
    }

    static UrlResult skipped(String reason, Integer status) {
        return new UrlResult(UrlEvent.Kind.SKIPPED, status, reason, 0, 0, null, null, 0);
    }

    static UrlResult failed(String reason, Integer status) {
        return new UrlResult(UrlEvent.Kind.FAILED, status, reason, 0, 0, null, null, 0);
    }
}
