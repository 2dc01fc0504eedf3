package org.dindex.extract;

import java.util.Locale;
import java.util.Optional;

/** The document formats extraction understands, each with the file extensions that select it. */
public enum Format {
    TEXT("txt", "text"),
    MARKDOWN("md", "markdown"),
    HTML("html", "htm"),
    PDF("pdf");

    private final String[] extensions;

    Format(String... extensions) {
        this.extensions = extensions;
    }

    /** Lower-case name used in {@link ExtractedDocument#format()}, the index and the API ("markdown"). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format for an {@link #id()} or enum name, in any case; empty when unknown. */
    public static Optional<Format> of(String idOrName) {
        if (idOrName == null) {
            return Optional.empty();
        }
        for (Format f : values()) {
            if (f.name().equalsIgnoreCase(idOrName.strip())) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * The format chosen by a file name's extension (case-insensitive), or empty when the extension is not one of
     * ours and the content has to be sniffed.
     */
    public static Optional<Format> forFileName(String fileName) {
        String ext = extension(fileName);
        if (ext.isEmpty()) {
            return Optional.empty();
        }
        for (Format f : values()) {
            for (String e : f.extensions) {
                if (e.equals(ext)) {
                    return Optional.of(f);
                }
            }
        }
        return Optional.empty();
    }

    /** Lower-case extension without the dot; "" for none. A leading dot (".bashrc") is not an extension. */
    static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot <= 0 || dot == fileName.length() - 1 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** The file name without its extension ("notes.txt" gives "notes"), the title of last resort. */
    static String baseName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot <= 0 ? fileName : fileName.substring(0, dot);
    }
}
