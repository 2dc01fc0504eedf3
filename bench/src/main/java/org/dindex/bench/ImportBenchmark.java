package org.dindex.bench;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.SearchQuery;
import org.dindex.client.DindexClient;
import org.dindex.importer.MediaWikiDumpReader;
import org.dindex.importer.WikiPage;
import org.dindex.importer.WikitextCleaner;
import org.dindex.embed.ModelCatalog;
import org.dindex.embed.ModelSpec;
import org.dindex.embed.OnnxEmbedder;
import org.dindex.extract.Block;
import org.dindex.extract.ExtractedDocument;
import org.dindex.ingest.Chunker;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * {@code dindex bench import}: how fast a MediaWiki dump is read and cleaned on its own (pages/s) against how fast it
 * is imported end to end through a daemon (pages/s, bound by embedding), and search p99 while an import runs against
 * idle, in the same run. The dump is built from Europarl text wrapped in the wikitext constructs of real articles
 * (infobox, references, links, tables, categories), compressed with bzip2 like a real dump.
 */
public final class ImportBenchmark {
    /** What to run against. */
    public record Options(Path corpus, int pages, Path workDir, Path daemonSocket, String model, int threads) {
    }

    /** Chunks of the dump the embedding baseline is measured on (enough for stable rates, bounded in time). */
    static final int BASELINE_CHUNKS = 600;

    private final Options options;

    public ImportBenchmark(Options options) {
        this.options = options;
    }

    public JsonObject run() throws Exception {
        // Articles reuse speeches cyclically when the corpus runs out (the titles keep every article distinct).
        List<EuroparlCorpus.Doc> docs = EuroparlCorpus.english(options.corpus(), options.pages() * 6);
        Path warm = writeDump(options.workDir().resolve("warm.xml.bz2"), docs, 0, options.pages() / 2, "Warm");
        Path dump = writeDump(options.workDir().resolve("bench.xml.bz2"), docs, options.pages() / 2 * 4,
                options.pages(), "Article");
        JsonObject report = new JsonObject().put("machine", Machine.describe()).put("pages", options.pages())
                .put("dump_bytes", Files.size(dump));

        double[] cleanRates = new double[3];
        for (int i = 0; i < cleanRates.length; i++) {
            cleanRates[i] = parseAndClean(dump);
        }
        Arrays.sort(cleanRates);
        report.put("parse_clean_pages_per_s", cleanRates[1]);
        List<String> sample = chunkTexts(dump);
        EmbeddingBaseline baseline = EmbeddingBaseline.measure(spec(), options.threads(),
                sample.subList(0, Math.min(sample.size(), BASELINE_CHUNKS)));
        report.put("embedding", baseline.toJson());

        List<JsonObject> queries = new ArrayList<>();
        Random random = new Random(7);
        for (int q = 0; q < 200; q++) {
            String[] words = docs.get(random.nextInt(docs.size())).text().split("\\s+");
            int from = words.length > 10 ? random.nextInt(words.length - 8) : 0;
            queries.add(SearchQuery.of(String.join(" ", Arrays.copyOfRange(words, from,
                    Math.min(words.length, from + 8)))).toJson());
        }
        try (DindexClient c = DindexClient.connect(options.daemonSocket())) {
            JsonObject warmJob = importAndWait(c, warm);
            report.put("warm_job", warmJob.getString("state"));
            queries.subList(0, 20).forEach(q -> c.request(Addresses.SEARCH, q));
            LatencyPercentiles idle = time(c, queries);

            JsonObject started = c.request(Addresses.IMPORT, new JsonObject().put("path", dump.toString()))
                    .getJsonObject("job");
            String id = started.getString("id");
            Thread.sleep(1000);
            LatencyPercentiles busy = time(c, queries);
            // The busy series only counts if the import was still running when it ended.
            boolean overlapped = "running".equals(c.request(Addresses.JOBS_GET, new JsonObject().put("id", id))
                    .getJsonObject("job").getString("state"));
            JsonObject job = awaitEnd(c, id);
            double seconds = job.getDouble("elapsed_seconds");
            long imported = job.getJsonObject("counters").getLong("imported", 0L);
            report.put("import_job", new JsonObject().put("state", job.getString("state"))
                    .put("imported", imported).put("chunks", job.getJsonObject("counters").getLong("chunks", 0L))
                    .put("seconds", seconds));
            report.put("end_to_end_pages_per_s", imported / seconds);
            long chunks = job.getJsonObject("counters").getLong("chunks", 0L);
            report.put("end_to_end_chunks_per_s", chunks / seconds);
            report.put("ratio_to_strong_baseline", chunks / seconds / baseline.strong());
            report.put("ratio_to_daemon_windows", chunks / seconds / baseline.windowed());
            report.put("end_to_end_over_parse_clean", imported / seconds / cleanRates[1]);
            report.put("search_idle", stats(idle)).put("search_during_import", stats(busy))
                    .put("search_p99_ratio", busy.p99Micros() / idle.p99Micros())
                    .put("import_running_throughout_busy_series", overlapped);
        }
        return report;
    }

    private ModelSpec spec() {
        return ModelCatalog.byName(options.model()).orElseThrow(() -> new IllegalArgumentException(
                "bench import needs an onnx model, got " + options.model()));
    }

    /** The chunks the daemon will embed for {@code dump}'s articles: cleaned as the import does, chunked alike. */
    private List<String> chunkTexts(Path dump) throws IOException {
        List<String> texts = new ArrayList<>();
        ModelSpec spec = spec();
        try (OnnxEmbedder model = OnnxEmbedder.load(spec, 1);
             MediaWikiDumpReader reader = MediaWikiDumpReader.open(dump)) {
            Chunker chunker = new Chunker(model.tokenizer(),
                    Chunker.Options.forModel(spec.maxSequenceTokens(), model.tokenizer().specialTokens()));
            WikiPage page;
            while (texts.size() < BASELINE_CHUNKS && (page = reader.next()) != null) {
                List<Block> blocks = WikitextCleaner.clean(page.wikitext());
                if (!blocks.isEmpty()) {
                    chunker.chunk(new ExtractedDocument(page.title(), blocks, "wikitext"))
                            .forEach(c -> texts.add(c.text()));
                }
            }
        }
        return texts;
    }

    /** Pages/s of reading and cleaning the dump alone, in this process. */
    static double parseAndClean(Path dump) throws IOException {
        long t0 = System.nanoTime();
        int pages = 0;
        long chars = 0;
        try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(dump)) {
            WikiPage page;
            while ((page = reader.next()) != null) {
                chars += WikitextCleaner.clean(page.wikitext()).size();
                pages++;
            }
        }
        if (chars < 0) {
            throw new IllegalStateException();
        }
        return pages / ((System.nanoTime() - t0) / 1e9);
    }

    private static JsonObject importAndWait(DindexClient c, Path dump) throws InterruptedException {
        String id = c.request(Addresses.IMPORT, new JsonObject().put("path", dump.toString()))
                .getJsonObject("job").getString("id");
        return awaitEnd(c, id);
    }

    private static JsonObject awaitEnd(DindexClient c, String id) throws InterruptedException {
        while (true) {
            JsonObject job = c.request(Addresses.JOBS_GET, new JsonObject().put("id", id)).getJsonObject("job");
            String state = job.getString("state");
            if (!state.equals("running") && !state.equals("queued")) {
                return job;
            }
            Thread.sleep(200);
        }
    }

    private static LatencyPercentiles time(DindexClient c, List<JsonObject> queries) {
        long[] nanos = new long[queries.size()];
        for (int i = 0; i < queries.size(); i++) {
            long t0 = System.nanoTime();
            c.request(Addresses.SEARCH, queries.get(i), Duration.ofSeconds(60));
            nanos[i] = System.nanoTime() - t0;
        }
        return LatencyPercentiles.ofNanos(nanos);
    }

    private static JsonObject stats(LatencyPercentiles s) {
        return new JsonObject().put("p50_ms", s.p50Micros() / 1000).put("p99_ms", s.p99Micros() / 1000);
    }

    /** Writes {@code count} articles, each of four Europarl speeches in the wikitext of a real article. */
    static Path writeDump(Path file, List<EuroparlCorpus.Doc> docs, int from, int count, String prefix)
            throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             Writer out = new OutputStreamWriter(new BZip2CompressorOutputStream(raw), StandardCharsets.UTF_8)) {
            out.write("<mediawiki xmlns=\"http://www.mediawiki.org/xml/export-0.11/\" version=\"0.11\">\n"
                    + "<siteinfo><sitename>Benchpedia</sitename><base>https://bench.example.org/wiki/Main_Page</base>"
                    + "<namespaces><namespace key=\"0\" /></namespaces></siteinfo>\n");
            for (int i = 0; i < count; i++) {
                int d = from + i * 4;
                String title = prefix + " " + i;
                String text = "{{Infobox debate\n| name = " + title + "\n| date = {{Start date|2004|05|01}}\n}}\n"
                        + "'''" + title + "''' was a [[European Parliament|parliamentary]] debate.<ref>{{cite web"
                        + " |url=https://example.org/" + i + " |title=Minutes}}</ref>\n\n== Opening ==\n"
                        + docs.get(d % docs.size()).text() + "\n\n== Debate ==\n" + docs.get((d + 1) % docs.size()).text()
                        + "\n[[File:Hemicycle.jpg|thumb|The [[hemicycle]]]]\n\n=== Replies ===\n"
                        + docs.get((d + 2) % docs.size()).text() + "\n{| class=\"wikitable\"\n! Vote !! Count\n|-\n| For || 301\n|}\n"
                        + "== Outcome ==\n" + docs.get((d + 3) % docs.size()).text() + "\n\n== References ==\n{{Reflist}}\n"
                        + "[[Category:Debates]]\n";
                out.write("<page><title>" + title + "</title><ns>0</ns><id>" + (i + 1) + "</id><revision><id>"
                        + (i + 1) + "</id><timestamp>2024-01-01T00:00:00Z</timestamp><text xml:space=\"preserve\">"
                        + escape(text) + "</text></revision></page>\n");
            }
            out.write("</mediawiki>\n");
        }
        return file;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    public static String table(JsonObject r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("import benchmark: %d pages, dump %.1f MB (bz2)%n", r.getInteger("pages"),
                r.getLong("dump_bytes") / 1048576.0));
        sb.append(String.format("%-36s %12.1f%n", "parse + clean alone, pages/s", r.getDouble("parse_clean_pages_per_s")));
        sb.append(String.format("%-36s %12.1f%n", "end to end (embedding), pages/s", r.getDouble("end_to_end_pages_per_s")));
        sb.append(String.format("%-36s %12.3f%n", "ratio end-to-end / parse", r.getDouble("end_to_end_over_parse_clean")));
        sb.append(EmbeddingBaseline.fromJson(r.getJsonObject("embedding")).table());
        sb.append(String.format("%-36s %12.1f%n", "end to end, chunks/s", r.getDouble("end_to_end_chunks_per_s")));
        sb.append(String.format("%-36s %12.2f (target >= 0.95)%n", "end to end / strong baseline",
                r.getDouble("ratio_to_strong_baseline")));
        if (r.containsKey("ratio_to_daemon_windows")) {
            sb.append(String.format("%-36s %12.2f%n", "end to end / the daemon's windows",
                    r.getDouble("ratio_to_daemon_windows")));
        }
        sb.append(String.format("%-36s %6.2f / %6.2f ms%n", "search p50/p99 idle",
                r.getJsonObject("search_idle").getDouble("p50_ms"), r.getJsonObject("search_idle").getDouble("p99_ms")));
        sb.append(String.format("%-36s %6.2f / %6.2f ms%n", "search p50/p99 during import",
                r.getJsonObject("search_during_import").getDouble("p50_ms"),
                r.getJsonObject("search_during_import").getDouble("p99_ms")));
        sb.append(String.format("%-36s %12.2f (target <= 2)%n", "search p99 ratio", r.getDouble("search_p99_ratio")));
        return sb.toString();
    }
}
