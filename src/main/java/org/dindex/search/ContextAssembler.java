package org.dindex.search;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.embed.TokenCounter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code dindex context}: turns search results into a prompt-ready block within a token budget.
 *
 * <p>Chunks of the same document that are neighbours (consecutive chunk indexes) are joined into one passage, with
 * the overlap the chunker repeated removed, so the LLM reads continuous text once. Passages are chosen by relevance
 * (best rank first) while they fit, then printed grouped by document (most relevant document first) and in document
 * order within it, each headed by its {@code [n]} citation and section path; the numbered sources follow. The
 * budget is checked by counting the final text with the model's tokenizer, not estimated.
 */
public final class ContextAssembler {
    private final TokenCounter tokenizer;

    public ContextAssembler(TokenCounter tokenizer) {
        this.tokenizer = tokenizer;
    }

    private record Piece(String docId, int index, int rank, String text, JsonArray section) {
    }

    private record Passage(String docId, int firstIndex, int bestRank, List<String> chunkIds, String text,
                           JsonArray section) {
    }

    /** @param search a search result as {@link SearchService} returns it */
    public JsonObject assemble(JsonObject search, int budget) {
        Map<String, JsonObject> docs = new LinkedHashMap<>();
        Map<String, List<Piece>> pieces = new LinkedHashMap<>();
        Map<String, List<String>> ids = new LinkedHashMap<>();
        for (Object o : search.getJsonArray("results")) {
            JsonObject doc = (JsonObject) o;
            // A document of a search over several collections is its collection's (the same source may be in two).
            String key = doc.getString("collection") == null ? doc.getString("document_id")
                    : doc.getString("collection") + "/" + doc.getString("document_id");
            docs.put(key, doc);
            for (Object co : doc.getJsonArray("chunks")) {
                JsonObject c = (JsonObject) co;
                pieces.computeIfAbsent(key, k -> new ArrayList<>()).add(new Piece(
                        key, c.getInteger("chunk_index"), c.getInteger("rank"),
                        c.getString("content"), c.getJsonArray("section_hierarchy")));
                ids.computeIfAbsent(key + "#" + c.getInteger("chunk_index"),
                        k -> new ArrayList<>()).add(c.getString("chunk_id"));
            }
        }
        List<Passage> passages = new ArrayList<>();
        pieces.forEach((docId, list) -> passages.addAll(join(list, ids)));

        // Choose by relevance while the whole block fits.
        List<Passage> byRank = new ArrayList<>(passages);
        byRank.sort(Comparator.comparingInt(Passage::bestRank));
        List<Passage> chosen = new ArrayList<>();
        String text = "";
        for (Passage p : byRank) {
            chosen.add(p);
            String candidate = render(chosen, docs).text();
            if (tokenizer.count(candidate) <= budget) {
                text = candidate;
            } else {
                chosen.removeLast();
            }
        }
        boolean truncated = false;
        if (chosen.isEmpty() && !byRank.isEmpty()) {
            // Even the best passage is over budget: keep as much of its beginning as fits, cut at a word.
            Passage best = byRank.getFirst();
            int lo = 0;
            int hi = best.text().length();
            while (lo < hi) {
                int mid = (lo + hi + 1) / 2;
                if (tokenizer.count(render(List.of(cut(best, mid)), docs).text()) <= budget) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            if (lo > 0) {
                chosen.add(cut(best, lo));
                truncated = true;
            }
        }
        Rendered rendered = render(chosen, docs);
        return new JsonObject()
                .put("truncated", truncated)
                .put("query", search.getString("query"))
                .put("context", rendered.text())
                .put("tokens", rendered.text().isEmpty() ? 0 : tokenizer.count(rendered.text()))
                .put("budget", budget)
                .put("citations", rendered.citations())
                .put("passages", rendered.passages())
                .put("omitted_passages", passages.size() - chosen.size());
    }

    /** Joins neighbouring chunks of one document into passages, dropping the text the chunker repeated. */
    private static List<Passage> join(List<Piece> list, Map<String, List<String>> ids) {
        List<Piece> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingInt(Piece::index));
        List<Passage> out = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            Piece first = sorted.get(i);
            StringBuilder text = new StringBuilder(first.text());
            int best = first.rank();
            List<String> chunkIds = new ArrayList<>(ids.get(first.docId() + "#" + first.index()));
            int j = i + 1;
            while (j < sorted.size() && sorted.get(j).index() == sorted.get(j - 1).index() + 1) {
                Piece next = sorted.get(j);
                int overlap = overlap(text, next.text());
                text.append(overlap > 0 ? "" : "\n\n").append(next.text().substring(overlap).stripLeading());
                best = Math.min(best, next.rank());
                chunkIds.addAll(ids.get(next.docId() + "#" + next.index()));
                j++;
            }
            out.add(new Passage(first.docId(), first.index(), best, chunkIds, text.toString().strip(),
                    first.section()));
            i = j;
        }
        return out;
    }

    /** The passage cut to at most {@code chars} characters at a word boundary, marked with an ellipsis. */
    private static Passage cut(Passage p, int chars) {
        String text = p.text().substring(0, Math.min(chars, p.text().length()));
        int space = text.lastIndexOf(' ');
        if (space > 0 && chars < p.text().length()) {
            text = text.substring(0, space);
        }
        return new Passage(p.docId(), p.firstIndex(), p.bestRank(), p.chunkIds(),
                text + (chars < p.text().length() ? " ..." : ""), p.section());
    }

    /** Length of the longest suffix of {@code a} that is a prefix of {@code b} (the chunker's overlap). */
    static int overlap(CharSequence a, String b) {
        int max = Math.min(Math.min(a.length(), b.length()), 4000);
        for (int len = max; len >= 20; len--) {
            if (b.regionMatches(0, a.toString(), a.length() - len, len)) {
                return len;
            }
        }
        return 0;
    }

    private record Rendered(String text, JsonArray citations, JsonArray passages) {
    }

    private static Rendered render(List<Passage> chosen, Map<String, JsonObject> docs) {
        if (chosen.isEmpty()) {
            return new Rendered("", new JsonArray(), new JsonArray());
        }
        // Documents in order of their best passage; passages in document order.
        Map<String, List<Passage>> byDoc = new LinkedHashMap<>();
        chosen.stream().sorted(Comparator.comparingInt(Passage::bestRank))
                .forEach(p -> byDoc.computeIfAbsent(p.docId(), k -> new ArrayList<>()));
        chosen.forEach(p -> byDoc.get(p.docId()).add(p));
        StringBuilder sb = new StringBuilder();
        JsonArray citations = new JsonArray();
        JsonArray passages = new JsonArray();
        int n = 0;
        for (var e : byDoc.entrySet()) {
            n++;
            JsonObject doc = docs.get(e.getKey());
            String title = doc.getString("title") == null ? doc.getString("source") : doc.getString("title");
            JsonObject citation = new JsonObject().put("number", n).put("document_id", doc.getString("document_id"))
                    .put("title", title).put("url", doc.getString("url")).put("source", doc.getString("source"));
            if (doc.getString("collection") != null) {
                citation.put("collection", doc.getString("collection"));
            }
            citations.add(citation);
            List<Passage> ps = e.getValue();
            ps.sort(Comparator.comparingInt(Passage::firstIndex));
            for (Passage p : ps) {
                sb.append('[').append(n).append("] ").append(title);
                if (p.section() != null && !p.section().isEmpty()) {
                    sb.append(" > ").append(String.join(" > ", p.section().getList()));
                }
                sb.append('\n').append(p.text()).append("\n\n");
                passages.add(new JsonObject().put("citation", n).put("chunk_ids", new JsonArray(p.chunkIds())));
            }
        }
        sb.append("Sources:\n");
        for (Object o : citations) {
            JsonObject c = (JsonObject) o;
            String where = c.getString("url") != null ? c.getString("url") : c.getString("source");
            sb.append('[').append(c.getInteger("number")).append("] ").append(c.getString("title"));
            if (!where.equals(c.getString("title"))) {
                sb.append(" - ").append(where);
            }
            sb.append('\n');
        }
        return new Rendered(sb.toString().strip(), citations, passages);
    }
}
