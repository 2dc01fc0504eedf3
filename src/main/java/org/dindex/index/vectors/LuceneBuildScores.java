package org.dindex.index.vectors;

import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.util.ExplicitThreadLocal;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;
import org.apache.lucene.util.hnsw.UpdateableRandomVectorScorer;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The exact scores jvector's graph builder asks for, computed by Lucene's vector scorer. Over a merged segment's
 * memory-mapped vectors Lucene compares vectors where they lie, while jvector's own scorer would first copy every
 * vector it compares (1.5 KB at 384 dimensions) onto the heap; a build makes millions of comparisons. The scores are
 * the same either way (see {@link JVectorFormat#jvectorSimilarity}), so the graph is too.
 *
 * <p>Only scores between indexed vectors, by ordinal, are provided: the builder is fed ordinals
 * ({@code addGraphNode(node, searchProviderFor(node))}), never query vectors.
 */
final class LuceneBuildScores implements BuildScoreProvider {
    /** Scorers are made per thread, from a copy of the supplier: copies are what Lucene allows to run in parallel. */
    private final ExplicitThreadLocal<RandomVectorScorerSupplier> suppliers;

    LuceneBuildScores(FloatVectorValues vectors, VectorSimilarityFunction similarity) throws IOException {
        RandomVectorScorerSupplier supplier = FlatVectorScorerUtil.getLucene99FlatVectorsScorer()
                .getRandomVectorScorerSupplier(similarity, vectors);
        this.suppliers = ExplicitThreadLocal.withInitial(() -> {
            try {
                return supplier.copy();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public boolean isExact() {
        return true;
    }

    @Override
    public SearchScoreProvider searchProviderFor(int node) {
        return new DefaultSearchScoreProvider(scoresFrom(node));
    }

    @Override
    public SearchScoreProvider diversityProviderFor(int node) {
        return new DefaultSearchScoreProvider(scoresFrom(node));
    }

    @Override
    public ScoreFunction diversityScoreFunctionFor(int node) {
        return scoresFrom(node);
    }

    private ScoreFunction.ExactScoreFunction scoresFrom(int node) {
        try {
            UpdateableRandomVectorScorer scorer = suppliers.get().scorer();
            scorer.setScoringOrdinal(node);
            return other -> {
                try {
                    return scorer.score(other);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Not asked for: the builder is given ordinals only. */
    @Override
    public SearchScoreProvider searchProviderFor(VectorFloat<?> vector) {
        throw new UnsupportedOperationException("graphs are built from vector ordinals");
    }

    /** Not asked for: the builder is given ordinals only. */
    @Override
    public VectorFloat<?> approximateCentroid() {
        throw new UnsupportedOperationException("graphs are built from vector ordinals");
    }
}
