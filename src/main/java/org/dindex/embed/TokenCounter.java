package org.dindex.embed;

import java.util.List;

/** The model's tokenizer as the chunker needs it: token counts and token boundaries as character offsets. */
public interface TokenCounter {
    /** Tokens of {@code text} without special tokens. */
    int count(String text);

    /** Character end offsets of each token of {@code text}, in order (without special tokens). */
    List<Integer> tokenEnds(String text);

    /** Special tokens the model adds around every input ([CLS] and [SEP]: 2). */
    int specialTokens();
}
