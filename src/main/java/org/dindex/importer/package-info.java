/**
 * Reading bulk sources for the import job: MediaWiki XML dumps and JSON Lines corpora.
 *
 * <p>{@link org.dindex.importer.MediaWikiDumpReader} streams a dump ({@code .xml}, {@code .xml.bz2} including
 * Wikipedia's multistream files, {@code .xml.gz}) page by page with a StAX cursor. Dumps run to tens of
 * gigabytes, so nothing is ever loaded whole: memory holds one page at a time, and
 * {@link org.dindex.importer.MediaWikiDumpReader#pagesRead()} is a position an interrupted import can resume
 * from. Broken XML ends the read with a {@link org.dindex.importer.DumpFormatException} that names line and
 * column, after every page before it was delivered.
 *
 * <p>{@link org.dindex.importer.WikitextCleaner} turns a page's wikitext into
 * {@link org.dindex.extract.Block}s under their heading path, keeping what a reader reads as prose and
 * dropping what is layout, navigation or metadata: templates, tables, references, images, categories,
 * interlanguage links, and sections that are only link lists (References, External links, See also, ...). Links
 * keep their visible text. It does not render templates (the dump does not contain them), so text a template
 * would have produced inline is missing; that is the price of a cleaner that is fast, linear and never fails.
 *
 * <p>{@link org.dindex.importer.JsonlReader} reads {@code {"id", "title", "text", "url", "metadata"}} lines
 * (BEIR's {@code "_id"} too), returning a bad line as an error entry instead of failing the whole file.
 *
 * <p>Readers are single-threaded and own their stream; the cleaner is stateless and thread-safe.
 */
package org.dindex.importer;
