package org.dindex.embed;

/**
 * An embedding model: where its ONNX graph and tokenizer come from and how to use it.
 *
 * @param name              the name users configure ({@code embedding.model}) and the index records
 * @param resourceBase      base name of {@code <base>.onnx} and {@code <base>-tokenizer.json} on the class path
 *                          (the langchain4j model jars), or null for a model folder
 * @param dimensions        vector length
 * @param pooling           mean or CLS pooling
 * @param queryPrefix       prepended to queries (e5: "query: ", bge: its retrieval instruction)
 * @param passagePrefix     prepended to passages (e5: "passage: ")
 * @param maxSequenceTokens the longest input the model was trained on, special tokens included
 */
public record ModelSpec(String name, String resourceBase, int dimensions, Pooling pooling, String queryPrefix,
                        String passagePrefix, int maxSequenceTokens) {
}
