package dev.childtune.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.ChildTuneException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An output folder that cannot hold the run is refused before any work starts. */
class RunDirectoryTest {
    @Test
    void anOutputFolderThatCannotBeCreatedIsNamed(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-folder"), "x");
        ChildTuneException e = assertThrows(ChildTuneException.class,
                () -> new RunDirectory(file.resolve("run")).prepare(0));
        assertTrue(e.getMessage().startsWith(file.resolve("run") + ": the output folder is not writable"), e.getMessage());
    }

    @Test
    void aDiskTooSmallForTheRunIsNamedWithTheSizes(@TempDir Path tmp) {
        ChildTuneException e = assertThrows(ChildTuneException.class,
                () -> new RunDirectory(tmp.resolve("run")).prepare(Long.MAX_VALUE / 2));
        assertTrue(e.getMessage().matches(".*run: [0-9.]+ GB free on its disk, the run needs about [0-9.]+ GB.*"),
                e.getMessage());
        assertDoesNotThrow(() -> new RunDirectory(tmp.resolve("run")).prepare(1024));
        try (var files = Files.list(tmp.resolve("run"))) {
            assertTrue(files.findAny().isEmpty(), "the write probe leaves nothing behind");
        } catch (IOException ex) {
            throw new AssertionError(ex);
        }
    }
}
