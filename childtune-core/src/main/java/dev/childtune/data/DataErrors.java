package dev.childtune.data;

import dev.childtune.ChildTuneException;

import java.nio.file.Path;
import java.util.Collection;

/**
 * Builds the one-line {@link ChildTuneException}s of this package: "{@code <file>:<line>:
 * <problem>}", the line 1-based as an editor shows it, or "{@code <file>: <problem>}" when no line
 * applies.
 */
final class DataErrors {
    private static final int MAX_QUOTED = 60;
    private static final int MAX_LISTED = 20;

    private DataErrors() {}

    /** A problem at {@code line} of {@code file}. */
    static ChildTuneException at(Path file, int line, String problem) {
        return new ChildTuneException(oneLine(file + ":" + line + ": " + problem));
    }

    /** A problem with {@code file} as a whole. */
    static ChildTuneException inFile(Path file, String problem, Throwable cause) {
        return new ChildTuneException(oneLine(file + ": " + problem), cause);
    }

    /** {@code value} in double quotes, shortened and with line breaks and tabs made visible. */
    static String quote(String value) {
        String shown = value.length() > MAX_QUOTED ? value.substring(0, MAX_QUOTED) + "..." : value;
        return '"' + shown.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t") + '"';
    }

    /** The names, comma separated, each {@linkplain #quote quoted}; long lists are cut short. */
    static String list(Collection<String> names) {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (String name : names) {
            if (shown == MAX_LISTED) {
                return out.append(", ... (").append(names.size()).append(" in all)").toString();
            }
            out.append(shown++ == 0 ? "" : ", ").append(quote(name));
        }
        return out.toString();
    }

    private static String oneLine(String message) {
        return message.replaceAll("\\s*\\R\\s*", " ");
    }
}
