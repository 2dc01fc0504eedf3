package org.dindex.extract;

import java.util.ArrayList;
import java.util.List;

/**
 * The heading path at the current point of a document, shared by markdown and HTML.
 *
 * <p>A heading closes every open heading of the same or a deeper level, then opens itself. Skipped levels are not
 * padded ("# A" then "### C" gives [A, C]) because an empty entry would only add noise to the section path.
 */
final class SectionTracker {
    private final List<Integer> levels = new ArrayList<>();
    private final List<String> titles = new ArrayList<>();
    private List<String> current = List.of();

    /** Enters a heading of level 1 (outermost) to 6 with the given, already normalised, title. */
    void enter(int level, String title) {
        while (!levels.isEmpty() && levels.getLast() >= level) {
            levels.removeLast();
            titles.removeLast();
        }
        levels.add(level);
        titles.add(title);
        current = List.copyOf(titles);
    }

    /** The heading path now; an immutable snapshot that later headings do not change. */
    List<String> current() {
        return current;
    }
}
