package org.dindex.index.vectors;

import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnFieldVectorsWriter;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatFieldVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.hnsw.FlatVectorsReader;
import org.apache.lucene.codecs.hnsw.FlatVectorsWriter;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.MergeState;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.Sorter;
import org.apache.lucene.store.DataAccessHint;
import org.apache.lucene.store.FileDataHint;
import org.apache.lucene.store.FileTypeHint;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.IORunnable;
import org.apache.lucene.util.IOSupplier;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.RamUsageEstimator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a segment of {@link JVectorFormat}: full-precision vectors through Lucene's flat vector writer, then each
 * field's graph and PQ codes into the data file, with their offsets in the meta file.
 *
 * <p><b>Flush</b> builds from the vectors the flat writer buffered on the heap while documents were indexed.
 * <b>Merge</b> first has the flat writer merge the vectors (which drops deleted documents and maps document ids),
 * then, once every field's vectors are written, reopens them read-only, memory-mapped, and builds each graph from
 * those. A merge therefore costs one pass over the merged vectors to copy them, plus a graph build and PQ training
 * on the merged segment from scratch: jvector graphs cannot be combined. While it builds, the graph under
 * construction is on the heap (a few hundred bytes per vector); the vectors stay mapped.
 *
 * <p>Fields jvector cannot serve, and fields with too few vectors, get only flat vectors and a meta entry saying so.
 */
final class JVectorWriter extends KnnVectorsWriter {
    private static final long SHALLOW_SIZE = RamUsageEstimator.shallowSizeOfInstance(JVectorWriter.class);

    private final SegmentWriteState state;
    private final FlatVectorsFormat flatFormat;
    private final FlatVectorsWriter flatWriter;
    private final FieldGraphWriter graphs;
    private final IndexOutput meta;
    private final IndexOutput data;
    private final List<PendingField> fields = new ArrayList<>();
    private boolean flatFinished;
    private boolean flatClosed;
    /** The merged segment's vectors, read back to build graphs from (merges only). */
    private FlatVectorsReader mergedVectors;
    private boolean finished;

    /** A field being indexed, and the flat writer's buffer of its vectors. */
    private record PendingField(FieldInfo info, FlatFieldVectorsWriter<?> vectors) {
    }

    JVectorWriter(SegmentWriteState state, FlatVectorsFormat flatFormat, FieldGraphWriter graphs) throws IOException {
        this.state = state;
        this.flatFormat = flatFormat;
        this.graphs = graphs;
        this.flatWriter = flatFormat.fieldsWriter(state);
        IndexOutput metaOut = null;
        IndexOutput dataOut = null;
        boolean success = false;
        try {
            metaOut = state.directory.createOutput(fileName(JVectorFormat.META_EXTENSION), state.context);
            dataOut = state.directory.createOutput(fileName(JVectorFormat.DATA_EXTENSION),
                    state.context.withHints(FileTypeHint.DATA, FileDataHint.KNN_VECTORS));
            CodecUtil.writeIndexHeader(metaOut, JVectorFormat.META_CODEC, JVectorFormat.VERSION_CURRENT,
                    state.segmentInfo.getId(), state.segmentSuffix);
            CodecUtil.writeIndexHeader(dataOut, JVectorFormat.DATA_CODEC, JVectorFormat.VERSION_CURRENT,
                    state.segmentInfo.getId(), state.segmentSuffix);
            success = true;
        } finally {
            if (!success) {
                IOUtils.closeWhileHandlingException(metaOut, dataOut, flatWriter);
            }
        }
        this.meta = metaOut;
        this.data = dataOut;
    }

    private String fileName(String extension) {
        return IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, extension);
    }

    @Override
    public KnnFieldVectorsWriter<?> addField(FieldInfo field) throws IOException {
        FlatFieldVectorsWriter<?> vectors = flatWriter.addField(field);
        fields.add(new PendingField(field, vectors));
        return vectors;
    }

    @Override
    public void flush(int maxDoc, Sorter.DocMap sortMap) throws IOException {
        flatWriter.flush(maxDoc, sortMap);
        for (PendingField field : fields) {
            writeField(field.info(), field.vectors().getVectors().size(), () -> bufferedVectors(field, sortMap),
                    FieldGraphWriter.AbortCheck.NEVER);
        }
    }

    @SuppressWarnings("unchecked") // only called for FLOAT32 fields, whose flat writer buffers float[]
    private static FloatVectorValues bufferedVectors(PendingField field, Sorter.DocMap sortMap) throws IOException {
        List<float[]> vectors = (List<float[]>) field.vectors().getVectors();
        if (sortMap != null) {
            // The flat writer stored the vectors in sorted-document order; the graph's nodes must follow it.
            int[] newToOld = new int[vectors.size()];
            mapOldOrdToNewOrd(field.vectors().getDocsWithFieldSet(), sortMap, null, newToOld, null);
            List<float[]> sorted = new ArrayList<>(newToOld.length);
            for (int old : newToOld) {
                sorted.add(vectors.get(old));
            }
            vectors = sorted;
        }
        return FloatVectorValues.fromFloats(vectors, field.info().getVectorDimension());
    }

    @Override
    public IORunnable mergeOneField(FieldInfo field, MergeState mergeState) throws IOException {
        flatWriter.mergeOneField(field, mergeState);
        // Deferred until every field's vectors are merged: only a finished flat file can be opened for reading.
        return () -> {
            mergeState.checkAborted();
            FlatVectorsReader merged = mergedVectors();
            writeField(field, merged.getVectorCount(field), () -> merged.getFloatVectorValues(field.name),
                    mergeState::checkAborted);
        };
    }

    private FlatVectorsReader mergedVectors() throws IOException {
        if (mergedVectors == null) {
            finishFlat();
            flatWriter.close();
            flatClosed = true;
            mergedVectors = flatFormat.fieldsReader(new SegmentReadState(state.directory, state.segmentInfo,
                    state.fieldInfos,
                    state.context.withHints(FileTypeHint.DATA, FileDataHint.KNN_VECTORS, DataAccessHint.RANDOM),
                    state.segmentSuffix));
        }
        return mergedVectors;
    }

    private void writeField(FieldInfo field, int size, IOSupplier<FloatVectorValues> vectors,
                            FieldGraphWriter.AbortCheck aborted) throws IOException {
        graphs.write(field, size, vectors, data, aborted).write(meta);
    }

    private void finishFlat() throws IOException {
        if (!flatFinished) {
            flatFinished = true;
            flatWriter.finish();
        }
    }

    @Override
    public void finish() throws IOException {
        if (finished) {
            throw new IllegalStateException("already finished");
        }
        finished = true;
        finishFlat();
        meta.writeInt(-1);
        CodecUtil.writeFooter(meta);
        CodecUtil.writeFooter(data);
    }

    /** The flat writer's buffered vectors; graphs exist only while being built inside flush or merge. */
    @Override
    public long ramBytesUsed() {
        return SHALLOW_SIZE + flatWriter.ramBytesUsed();
    }

    @Override
    public void close() throws IOException {
        IOUtils.close(meta, data, flatClosed ? null : flatWriter, mergedVectors);
    }
}
