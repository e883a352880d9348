package dev.childtune.data;

import dev.childtune.ChildTuneException;

import java.nio.file.Path;
import java.util.Locale;

/** The layouts a data file may have, told apart by the file name's extension. */
public enum FileFormat {
    /** Comma-separated values with a header line and RFC 4180 quoting ({@code .csv}). */
    CSV,
    /** Tab-separated values, split on tabs only, no quoting ({@code .tsv}). */
    TSV,
    /** JSON Lines: one JSON object per line ({@code .jsonl}, {@code .json}). */
    JSONL;

    /**
     * The format of {@code file}, from its extension.
     *
     * @throws ChildTuneException when the extension is none of .csv, .tsv, .jsonl, .json
     */
    public static FileFormat of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".tsv")) {
            return TSV;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return JSONL;
        }
        throw DataErrors.inFile(
                file,
                "unknown data file type; expected a name ending in .csv, .tsv, .jsonl or .json"
                        + " (JSON Lines)",
                null);
    }
}
