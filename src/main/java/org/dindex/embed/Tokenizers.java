package org.dindex.embed;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;

/**
 * The one way dindex creates DJL tokenizers, so that DJL never phones home.
 *
 * <p>Why: loading DJL's native tokenizer calls {@code Ec2Utils.callHome}, which asks the cloud metadata service
 * (169.254.169.254) for the instance id and reports usage to a telemetry host, unless DJL is offline or tracking is
 * opted out. dindex promises no network use with the embedded model, so both switches are set here, in code, before
 * the first tokenizer is made, instead of relying on the user's environment.
 */
final class Tokenizers {
    static {
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.offline", "true");
    }

    private Tokenizers() {
    }

    /** A tokenizer from a {@code tokenizer.json} held in memory, with DJL's options (truncation, padding...). */
    static HuggingFaceTokenizer fromJson(byte[] tokenizerJson, Map<String, String> options) throws IOException {
        return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), options);
    }
}
