package dev.childtune.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which columns of a data file hold the text, the optional second text of a pair, and the label (a
 * class label or, for regression, a number). Columns are named as in the file's header line (CSV,
 * TSV) or as the keys of its objects (JSON Lines).
 *
 * @param text the column with the first (or only) text
 * @param textPair the column with the second text of a pair, or null for single-text tasks
 * @param label the column with the class label or regression target
 */
public record Columns(String text, String textPair, String label) {
    public Columns {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(label, "label");
    }

    /** The named columns in the order text, text pair (when present), label. */
    List<String> names() {
        List<String> names = new ArrayList<>(List.of(text));
        if (textPair != null) {
            names.add(textPair);
        }
        names.add(label);
        return names;
    }
}
