package dev.childtune.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.ChildTuneException;

import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small data files and checks of error messages for the tests of this package. */
final class DataTestSupport {
    private DataTestSupport() {}

    /** Writes {@code text} as UTF-8 to {@code dir/name}. */
    static Path write(Path dir, String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    /**
     * Asserts that {@code action} throws a one-line {@link ChildTuneException} whose message
     * contains each of {@code fragments}; returns the message.
     */
    static String assertError(Executable action, String... fragments) {
        String message = assertThrows(ChildTuneException.class, action).getMessage();
        assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "expected \"" + fragment + "\" in: " + message);
        }
        return message;
    }

    /** Same, and the message starts with "{@code <file>:<line>: }". */
    static String assertErrorAt(Executable action, Path file, int line, String... fragments) {
        String message = assertError(action, fragments);
        assertTrue(
                message.startsWith(file + ":" + line + ": "),
                "expected " + file.getFileName() + ":" + line + " in: " + message);
        return message;
    }
}
