package org.dindex.index.vectors;

import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;

/**
 * Lucene's default codec with every vector field in {@link JVectorFormat}; set it with
 * {@code IndexWriterConfig.setCodec(new DindexCodec())}.
 *
 * <p>Segments record the codec by {@link #NAME}, and Lucene finds it by that name (SPI) to open them. The name carries
 * the Lucene codec it wraps because that codec decides how everything but vectors is stored: when a Lucene upgrade
 * brings a new default codec, wrap it in a codec with a new name and keep this one (its delegate then coming from
 * lucene-backward-codecs) so that existing indexes still open.
 *
 * <p>The vector format is per field ({@link PerFieldKnnVectorsFormat}), so the segment records it by name too, and a
 * field could later move to another format without breaking old segments.
 */
public final class DindexCodec extends FilterCodec {
    public static final String NAME = "Dindex104";

    private final KnnVectorsFormat vectors;

    /** Default {@link JVectorFormat} settings; also what Lucene uses when it opens segments by codec name. */
    public DindexCodec() {
        this(new JVectorFormat());
    }

    /** Writes with {@code format}'s settings (PQ subspaces, rerank depth, build pool). */
    public DindexCodec(JVectorFormat format) {
        super(NAME, new Lucene104Codec());
        this.vectors = new PerFieldKnnVectorsFormat() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        };
    }

    @Override
    public KnnVectorsFormat knnVectorsFormat() {
        return vectors;
    }
}
