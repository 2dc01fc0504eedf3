package org.dindex.config;

/**
 * Renders {@code docs/configuration.md} from {@link Settings#ALL}, so the reference cannot drift from the code
 * (a test compares the file with this output). Regenerate with
 * {@code java -cp target/classes org.dindex.config.ConfigDocs > docs/configuration.md}.
 */
public final class ConfigDocs {
    private ConfigDocs() {
    }

    public static String render() {
        StringBuilder sb = new StringBuilder("""
                # Configuration reference

                <!-- Generated from Settings by ConfigDocs; do not edit by hand. -->

                Every setting has a default and can be set, from lowest to highest precedence:
                1. in the YAML file (`--config FILE`, `DINDEX_CONFIG`, or `$XDG_CONFIG_HOME/dindex/dindex.yaml` when it
                   exists; `conf/dindex.yaml` is a commented copy of every default), as `section:` then `key: value`;
                2. by an environment variable: `DINDEX_` + the key upper-cased with dots as underscores
                   (`bridge.max_frame_bytes` is `DINDEX_BRIDGE_MAX_FRAME_BYTES`);
                3. by CLI flags, where a command offers one.

                An unparsable file, an unknown key or an invalid value stops the daemon from starting with a list of
                every problem (and a "did you mean" for misspelt keys); dindex never falls back to defaults silently.

                Paths are not settings: `--data-dir`/`DINDEX_DATA_DIR`, `--socket`/`DINDEX_SOCKET` and
                `--config`/`DINDEX_CONFIG` choose them (see the README).

                | key | environment variable | default | allowed | meaning |
                |---|---|---|---|---|
                """);
        for (Setting s : Settings.ALL) {
            String allowed = switch (s.type()) {
                case INT -> s.min() + " to " + s.max();
                case DECIMAL -> s.min() / 1000.0 + " to " + s.max() / 1000.0;
                case BOOLEAN -> "true, false";
                case STRING -> "text";
                case CHOICE -> String.join(", ", s.choices());
            };
            sb.append("| `").append(s.key()).append("` | `").append(s.envName()).append("` | `")
                    .append(s.defaultValue()).append("` | ").append(allowed).append(" | ")
                    .append(s.description()).append(" |\n");
        }
        return sb.toString();
    }

    public static void main(String[] args) {
        System.out.print(render());
    }
}
