package dev.childtune.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskSpecTest {
    @TempDir Path dir;

    @Test
    void aBundledGlueTaskNeedsNoFolder() {
        assertEquals(Optional.empty(), new TaskSpec("rte", Map.of("task", "rte")).missingData(Map.of("CHILDTUNE_OFFLINE", "1")));
        assertEquals(Optional.empty(), new TaskSpec("sst2", Map.of("task", "sst2")).missingData(Map.of()), "downloaded later");
        assertEquals(Optional.of("task sst2: GLUE SST-2 is not shipped with ChildTune and downloads are off; give its folder as data"),
                new TaskSpec("sst2", Map.of("task", "sst2")).missingData(Map.of("CHILDTUNE_OFFLINE", "1")));
    }

    @Test
    void namedFoldersAndFilesMustExist() throws IOException {
        Path rte = Files.createDirectories(dir.resolve("RTE"));
        assertEquals(Optional.empty(), new TaskSpec("rte", Map.of("task", "rte", "data", rte.toString())).missingData(Map.of()));
        Path absent = dir.resolve("nope");
        assertEquals(Optional.of("task rte: data " + absent + " does not exist (expected a folder)"),
                new TaskSpec("rte", Map.of("task", "rte", "data", absent.toString())).missingData(Map.of()));
        Path train = Files.writeString(dir.resolve("train.csv"), "text,label\na,0\n");
        assertEquals(Optional.of("task mine: validation-file " + absent + " does not exist (expected a file)"),
                new TaskSpec("mine", Map.of("train-file", train.toString(), "validation-file", absent.toString()))
                        .missingData(Map.of()));
        assertEquals(Optional.of("task mrpc: $GLUE_DIR/MRPC = " + dir.resolve("MRPC") + " does not exist"),
                new TaskSpec("mrpc", Map.of("task", "mrpc")).missingData(Map.of("GLUE_DIR", dir.toString())));
        assertEquals(Optional.empty(), new TaskSpec("rte", Map.of("task", "rte")).missingData(Map.of("GLUE_DIR", dir.toString())));
    }
}
