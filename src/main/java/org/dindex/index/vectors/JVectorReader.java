package org.dindex.index.vectors;

import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.hnsw.FlatVectorsReader;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.store.ChecksumIndexInput;
import org.apache.lucene.store.DataAccessHint;
import org.apache.lucene.store.FileDataHint;
import org.apache.lucene.store.FileTypeHint;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.Accountable;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.RamUsageEstimator;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a segment of {@link JVectorFormat}. Full-precision vectors, and the exact search Lucene falls back to for
 * small filters, come from Lucene's flat vector reader; approximate search goes to each field's {@link FieldGraph}.
 *
 * <p>Thread-safe: every search gets its own clones of the mapped inputs.
 */
final class JVectorReader extends KnnVectorsReader implements Accountable {
    private static final long SHALLOW_SIZE = RamUsageEstimator.shallowSizeOfInstance(JVectorReader.class);

    private final FlatVectorsReader flat;
    private final Map<String, FieldGraph> fields;
    private final IndexInput data;

    JVectorReader(SegmentReadState state, FlatVectorsReader flat) throws IOException {
        this.flat = flat;
        this.fields = new HashMap<>();
        IndexInput dataIn = null;
        boolean success = false;
        try {
            Meta meta = readMeta(state);
            dataIn = state.directory.openInput(fileName(state, JVectorFormat.DATA_EXTENSION),
                    state.context.withHints(FileTypeHint.DATA, FileDataHint.KNN_VECTORS, DataAccessHint.RANDOM));
            int dataVersion = CodecUtil.checkIndexHeader(dataIn, JVectorFormat.DATA_CODEC,
                    JVectorFormat.VERSION_START, JVectorFormat.VERSION_CURRENT, state.segmentInfo.getId(),
                    state.segmentSuffix);
            if (dataVersion != meta.version()) {
                throw new CorruptIndexException("meta version " + meta.version() + " != data version "
                        + dataVersion, dataIn);
            }
            CodecUtil.retrieveChecksum(dataIn);
            // The PQ codes are copied onto the heap once, through an input of their own that is unmapped right
            // after: read through the searches' mapping they would stay counted in the process's resident memory.
            try (IndexInput codesIn = state.directory.openInput(fileName(state, JVectorFormat.DATA_EXTENSION),
                    IOContext.READONCE)) {
                for (Map.Entry<String, FieldEntry> e : meta.entries().entrySet()) {
                    fields.put(e.getKey(), openField(e.getValue(), state.fieldInfos.fieldInfo(e.getKey()), dataIn,
                            codesIn));
                }
            }
            success = true;
        } finally {
            if (!success) {
                IOUtils.closeWhileHandlingException(dataIn, flat);
            }
        }
        this.data = dataIn;
    }

    /** A merge's view: the flat reader's merge instance (read sequentially), the same graphs. */
    private JVectorReader(JVectorReader reader, FlatVectorsReader mergeFlat) {
        this.flat = mergeFlat;
        this.fields = reader.fields;
        this.data = reader.data;
    }

    private static String fileName(SegmentReadState state, String extension) {
        return IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, extension);
    }

    /** The meta file's version and field entries, which are trusted only once the whole file is checksummed. */
    private record Meta(int version, Map<String, FieldEntry> entries) {
    }

    private static Meta readMeta(SegmentReadState state) throws IOException {
        try (ChecksumIndexInput in = state.directory.openChecksumInput(
                fileName(state, JVectorFormat.META_EXTENSION))) {
            int version = -1;
            Map<String, FieldEntry> entries = new HashMap<>();
            Throwable failure = null;
            try {
                version = CodecUtil.checkIndexHeader(in, JVectorFormat.META_CODEC, JVectorFormat.VERSION_START,
                        JVectorFormat.VERSION_CURRENT, state.segmentInfo.getId(), state.segmentSuffix);
                for (int number = in.readInt(); number != -1; number = in.readInt()) {
                    FieldInfo info = state.fieldInfos.fieldInfo(number);
                    if (info == null) {
                        throw new CorruptIndexException("invalid field number " + number, in);
                    }
                    entries.put(info.name, FieldEntry.read(in, number));
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                CodecUtil.checkFooter(in, failure);
            }
            return new Meta(version, entries);
        }
    }

    private FieldGraph openField(FieldEntry entry, FieldInfo info, IndexInput dataIn, IndexInput codesIn)
            throws IOException {
        int vectors = flat.getVectorCount(info);
        if (vectors != entry.size()) {
            throw new CorruptIndexException("field \"" + info.name + "\" has " + vectors + " flat vectors but "
                    + entry.size() + " in its graph entry", dataIn);
        }
        return FieldGraph.open(entry, info, dataIn, codesIn);
    }

    private FieldGraph field(String name) {
        FieldGraph field = fields.get(name);
        if (field == null) {
            throw new IllegalArgumentException("field=\"" + name + "\" not found");
        }
        return field;
    }

    @Override
    public void search(String field, float[] target, KnnCollector knnCollector, AcceptDocs acceptDocs)
            throws IOException {
        FieldGraph graph = field(field);
        if (graph.entry().size() == 0 || knnCollector.k() == 0) {
            return;
        }
        RandomVectorScorer scorer = flat.getRandomVectorScorer(field, target);
        graph.search(target, scorer, knnCollector, scorer.getAcceptOrds(acceptDocs.bits()), acceptDocs.cost());
    }

    @Override
    public void search(String field, byte[] target, KnnCollector knnCollector, AcceptDocs acceptDocs)
            throws IOException {
        if (field(field).entry().size() == 0 || knnCollector.k() == 0) {
            return;
        }
        RandomVectorScorer scorer = flat.getRandomVectorScorer(field, target);
        FieldGraph.exactSearch(scorer, knnCollector, scorer.getAcceptOrds(acceptDocs.bits()));
    }

    @Override
    public FloatVectorValues getFloatVectorValues(String field) throws IOException {
        return flat.getFloatVectorValues(field);
    }

    @Override
    public FloatVectorValues getFloatVectorValues(String field, DataAccessHint access) throws IOException {
        return flat.getFloatVectorValues(field, access);
    }

    @Override
    public ByteVectorValues getByteVectorValues(String field) throws IOException {
        return flat.getByteVectorValues(field);
    }

    @Override
    public int getVectorCount(FieldInfo fieldInfo) throws IOException {
        return flat.getVectorCount(fieldInfo);
    }

    @Override
    public void checkIntegrity() throws IOException {
        flat.checkIntegrity();
        CodecUtil.checksumEntireFile(data);
    }

    @Override
    public KnnVectorsReader getMergeInstance() throws IOException {
        FlatVectorsReader mergeFlat = flat.getMergeInstance();
        return mergeFlat == flat ? this : new JVectorReader(this, mergeFlat);
    }

    @Override
    public void finishMerge() throws IOException {
        flat.finishMerge();
    }

    @Override
    public Map<String, Long> getOffHeapByteSize(FieldInfo fieldInfo) {
        FieldEntry entry = field(fieldInfo.name).entry();
        return mergeOffHeapByteSizeMaps(flat.getOffHeapByteSize(fieldInfo),
                Map.of(JVectorFormat.DATA_EXTENSION, entry.graphLength()));
    }

    /** Heap held by the open segment: mostly PQ codes; the graphs and vectors stay in the mapped files. */
    @Override
    public long ramBytesUsed() {
        long bytes = SHALLOW_SIZE + flat.ramBytesUsed();
        for (FieldGraph field : fields.values()) {
            bytes += field.ramBytesUsed();
        }
        return bytes;
    }

    @Override
    public void close() throws IOException {
        IOUtils.close(flat, data);
    }
}
