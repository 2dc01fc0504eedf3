package org.dindex.embed;

/** How token vectors become one sentence vector: the model was trained with one of these, and only that one works. */
public enum Pooling {
    /** Mean of the token vectors under the attention mask (MiniLM, e5). */
    MEAN,
    /** The first ([CLS]) token's vector (bge). */
    CLS
}
