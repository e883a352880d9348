package dev.childtune.checkpoint;

import dev.childtune.ChildTuneException;

/** Builds the one-line {@link ChildTuneException}s of this package: "{@code <file>: <problem>}". */
final class CheckpointErrors {
    private CheckpointErrors() {
    }

    /** A problem found in {@code file}; line breaks in {@code problem} are flattened to spaces. */
    static ChildTuneException inFile(Object file, String problem) {
        return new ChildTuneException(oneLine(file + ": " + problem));
    }

    /** Same, keeping the underlying exception as the cause. */
    static ChildTuneException inFile(Object file, String problem, Throwable cause) {
        return new ChildTuneException(oneLine(file + ": " + problem), cause);
    }

    private static String oneLine(String message) {
        return message.replaceAll("\\s*\\R\\s*", " ");
    }
}
