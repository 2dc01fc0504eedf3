package org.dindex.search;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.dindex.protocol.DindexException;
import org.dindex.index.ChunkIndex;
import org.dindex.index.DocumentIds;
import org.dindex.index.IndexFields;
import org.dindex.index.IndexSnapshot;
import org.dindex.protocol.ErrorCode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Groups documents (given by URL) into k topics by the mean of their chunk vectors, with spherical k-means
 * (k-means++ seeding, fixed seed so the same input gives the same clusters), and labels each cluster with the words
 * most characteristic of it: frequent in its documents' titles and text, rare in the other clusters'. The reply keeps
 * the k-means word ({@code clusters}), which clients of {@code POST /cluster} read.
 */
final class DocumentTopics {
    static final int MAX_DOCUMENTS = 10_000;
    static final int RESTARTS = 8;
    private static final Set<String> STOP = Set.of("this", "that", "with", "from", "have", "been", "were", "which",
            "their", "there", "would", "about", "also", "they", "them", "than", "then", "into", "more", "most",
            "such", "some", "when", "what", "where", "will", "shall", "should", "could", "these", "those", "only",
            "other", "over", "very", "must", "being", "after", "before", "while", "because", "each", "between");

    /** @param snippet the start of the document's first chunk, for clients that show a line per document */
    private record Doc(String url, String title, String snippet, float[] mean, Map<String, Integer> words) {
    }

    /** Characters of a document's first chunk given as its snippet. */
    static final int SNIPPET_CHARS = 200;

    private DocumentTopics() {
    }

    static JsonObject group(ChunkIndex index, JsonObject body) throws IOException {
        if (!(body.getValue("urls") instanceof JsonArray urls) || urls.isEmpty()) {
            throw DindexException.badRequest("'urls' must be a non-empty array of document URLs");
        }
        if (urls.size() > MAX_DOCUMENTS) {
            throw DindexException.badRequest("at most " + MAX_DOCUMENTS + " URLs per request, got " + urls.size());
        }
        Object kValue = body.getValue("k", 0);
        if (!(kValue instanceof Number kn) || kn.intValue() < 0) {
            throw DindexException.badRequest("'k' must be a positive number of clusters, got " + kValue);
        }
        List<Doc> docs = new ArrayList<>();
        JsonArray missing = new JsonArray();
        try (IndexSnapshot snap = index.acquire()) {
            for (Object u : urls) {
                Doc d = load(snap, String.valueOf(u));
                if (d == null) {
                    missing.add(u);
                } else {
                    docs.add(d);
                }
            }
        }
        if (docs.isEmpty()) {
            throw new DindexException(ErrorCode.NOT_FOUND, "none of the URLs is indexed");
        }
        int k = kn.intValue() == 0 ? Math.max(1, (int) Math.round(Math.sqrt(docs.size() / 2.0)))
                : Math.min(kn.intValue(), docs.size());
        int[] assignment = kMeans(docs, k);
        JsonArray clusters = new JsonArray();
        for (int c = 0; c < k; c++) {
            JsonArray members = new JsonArray();
            for (int i = 0; i < docs.size(); i++) {
                if (assignment[i] == c) {
                    members.add(new JsonObject().put("url", docs.get(i).url()).put("title", docs.get(i).title())
                            .put("snippet", docs.get(i).snippet()));
                }
            }
            if (!members.isEmpty()) {
                clusters.add(new JsonObject().put("id", clusters.size()).put("label", label(docs, assignment, c))
                        .put("size", members.size()).put("documents", members));
            }
        }
        return new JsonObject().put("clusters", clusters).put("missing", missing).put("k", clusters.size());
    }

    private static Doc load(IndexSnapshot snap, String url) throws IOException {
        IndexSearcher searcher = snap.searcher();
        BooleanQuery q = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(IndexFields.DOC_ID, DocumentIds.forSource(url))), BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK)), BooleanClause.Occur.FILTER)
                .build();
        // Counted first: a hit queue of 10,000 is allocated and filled up front even for a three-chunk document.
        ScoreDoc[] hits = searcher.search(q, Math.max(1, Math.min(10_000, searcher.count(q)))).scoreDocs;
        if (hits.length == 0) {
            return null;
        }
        float[] mean = null;
        String title = null;
        String first = null;
        int firstOrdinal = Integer.MAX_VALUE;
        Map<String, Integer> words = new HashMap<>();
        float[][] vectors = snap.vectors(Arrays.stream(hits).mapToInt(h -> h.doc).toArray());
        for (int h = 0; h < hits.length; h++) {
            Document d = searcher.storedFields().document(hits[h].doc);
            float[] v = vectors[h];
            if (v != null) {
                if (mean == null) {
                    mean = new float[v.length];
                }
                for (int i = 0; i < v.length; i++) {
                    mean[i] += v[i];
                }
            }
            title = d.get(IndexFields.TITLE);
            String text = d.get(IndexFields.TEXT);
            int ordinal = ordinal(d);
            if (text != null && (first == null || ordinal < firstOrdinal)) {
                first = text;
                firstOrdinal = ordinal;
            }
            count(words, text, 1);
        }
        if (mean == null) {
            return null;
        }
        count(words, title, 3);
        return new Doc(url, title, snippet(first), normalize(mean), words);
    }

    private static int ordinal(Document d) {
        IndexableField f = d.getField(IndexFields.ORDINAL);
        return f == null || f.numericValue() == null ? Integer.MAX_VALUE - 1 : f.numericValue().intValue();
    }

    /** The text's first {@link #SNIPPET_CHARS} characters, whitespace collapsed, cut at a word with an ellipsis. */
    static String snippet(String text) {
        if (text == null) {
            return "";
        }
        String flat = text.strip().replaceAll("\\s+", " ");
        if (flat.length() <= SNIPPET_CHARS) {
            return flat;
        }
        int cut = flat.lastIndexOf(' ', SNIPPET_CHARS);
        return flat.substring(0, cut > SNIPPET_CHARS / 2 ? cut : SNIPPET_CHARS) + "\u2026";
    }

    private static void count(Map<String, Integer> words, String text, int weight) {
        if (text == null) {
            return;
        }
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}]+")) {
            if (w.length() >= 4 && !STOP.contains(w)) {
                words.merge(w, weight, Integer::sum);
            }
        }
    }

    private static float[] normalize(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (norm > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] /= (float) norm;
            }
        }
        return v;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * Spherical k-means, best of {@link #RESTARTS} k-means++ seedings by total similarity to the centres: one
     * seeding may put two centres in one topic (it did, on six documents in two topics) and Lloyd's iterations never
     * leave that local optimum. Returns each document's cluster.
     */
    private static int[] kMeans(List<Doc> docs, int k) {
        Random random = new Random(42);
        int[] best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int run = 0; run < RESTARTS; run++) {
            int[] assignment = kMeansOnce(docs, k, random);
            double score = cohesion(docs, assignment, k);
            if (score > bestScore) {
                bestScore = score;
                best = assignment;
            }
        }
        return best;
    }

    /** Sum over documents of the similarity to their cluster's mean direction. */
    private static double cohesion(List<Doc> docs, int[] assignment, int k) {
        double total = 0;
        for (int c = 0; c < k; c++) {
            float[] sum = new float[docs.getFirst().mean().length];
            for (int i = 0; i < docs.size(); i++) {
                if (assignment[i] == c) {
                    float[] v = docs.get(i).mean();
                    for (int d = 0; d < sum.length; d++) {
                        sum[d] += v[d];
                    }
                }
            }
            double norm = 0;
            for (float x : sum) {
                norm += x * x;
            }
            total += Math.sqrt(norm);  // = sum of members' similarity to the normalised centre
        }
        return total;
    }

    private static int[] kMeansOnce(List<Doc> docs, int k, Random random) {
        int n = docs.size();
        int dims = docs.getFirst().mean().length;
        List<float[]> centres = new ArrayList<>();
        centres.add(docs.get(random.nextInt(n)).mean().clone());
        double[] distance = new double[n];
        while (centres.size() < k) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                double best = Double.MAX_VALUE;
                for (float[] c : centres) {
                    best = Math.min(best, 1 - dot(docs.get(i).mean(), c));
                }
                distance[i] = Math.max(0, best) * Math.max(0, best);
                total += distance[i];
            }
            int pick = 0;
            double r = random.nextDouble() * total;
            for (int i = 0; i < n; i++) {
                r -= distance[i];
                if (r <= 0) {
                    pick = i;
                    break;
                }
            }
            centres.add(docs.get(pick).mean().clone());
        }
        int[] assignment = new int[n];
        for (int iter = 0; iter < 50; iter++) {
            boolean changed = iter == 0;
            for (int i = 0; i < n; i++) {
                int best = 0;
                double bestScore = -2;
                for (int c = 0; c < k; c++) {
                    double s = dot(docs.get(i).mean(), centres.get(c));
                    if (s > bestScore) {
                        bestScore = s;
                        best = c;
                    }
                }
                if (assignment[i] != best) {
                    assignment[i] = best;
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
            for (int c = 0; c < k; c++) {
                float[] sum = new float[dims];
                int members = 0;
                for (int i = 0; i < n; i++) {
                    if (assignment[i] == c) {
                        float[] v = docs.get(i).mean();
                        for (int d = 0; d < dims; d++) {
                            sum[d] += v[d];
                        }
                        members++;
                    }
                }
                if (members > 0) {
                    centres.set(c, normalize(sum));
                }
            }
        }
        return assignment;
    }

    /** The three words most frequent in cluster c relative to the whole set (tf * log(N / df) over clusters). */
    private static String label(List<Doc> docs, int[] assignment, int c) {
        Map<String, Integer> inCluster = new HashMap<>();
        Map<String, Integer> docFreq = new HashMap<>();
        for (int i = 0; i < docs.size(); i++) {
            for (var e : docs.get(i).words().entrySet()) {
                docFreq.merge(e.getKey(), 1, Integer::sum);
                if (assignment[i] == c) {
                    inCluster.merge(e.getKey(), e.getValue(), Integer::sum);
                }
            }
        }
        int n = docs.size();
        return inCluster.entrySet().stream()
                .sorted((a, b) -> Double.compare(score(b.getValue(), docFreq.get(b.getKey()), n),
                        score(a.getValue(), docFreq.get(a.getKey()), n)))
                .limit(3).map(Map.Entry::getKey).reduce((a, b) -> a + ", " + b).orElse("cluster " + c);
    }

    private static double score(int tf, int df, int n) {
        return tf * Math.log(1 + (double) n / df);
    }
}
