package dev.childtune;

/**
 * The one exception the library throws for problems a user can act on: a missing file, a
 * malformed checkpoint, a bad argument. Its message is a single line naming the file, field or
 * value at fault and what was expected; the CLI prints it as is.
 */
public class ChildTuneException extends RuntimeException {
    public ChildTuneException(String message) {
        super(message);
    }

    public ChildTuneException(String message, Throwable cause) {
        super(message, cause);
    }
}
