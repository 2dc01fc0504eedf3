/**
 * Document text extraction: files (or text already in memory) in, a title and blocks of normalised text out.
 *
 * <p>{@link org.dindex.extract.Extractors} is the entry point. A document becomes a list of
 * {@link org.dindex.extract.Block}s, each carrying the heading path it sits under, so the chunker can cut
 * chunks that never straddle sections and that say where they come from. Formats: plain text, markdown
 * (commonmark-java), HTML (jsoup, boilerplate removed) and PDF (pdfbox text layer).
 *
 * <p>Anything that keeps a file from being indexed is an {@link org.dindex.extract.ExtractionException}
 * with a {@link org.dindex.extract.ExtractionException.Reason} and a one-line message naming the file, meant
 * to be shown to the user as is. Everything here is stateless and thread-safe.
 */
package org.dindex.extract;
