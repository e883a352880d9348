package dev.childtune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sweep --dry-run} lists the trials and checks that every data set can be found. */
class SweepDryRunTest {
    @Test
    void theShippedExamplesNeedNoDataFolder(@TempDir Path tmp) {
        for (String example : new String[] {"small", "paper"}) {
            CliRun r = CliRun.of("sweep", "--config", Path.of("..", "examples", example + ".yaml").toString(),
                    "--dry-run", "--db", tmp.resolve(example + ".db").toString());
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.out().contains(example.equals("small") ? "18 trials" : "trials"), r.out());
        }
    }

    @Test
    void aMissingDataFolderIsNamedAndFailsTheDryRun(@TempDir Path tmp) throws Exception {
        Path config = Files.writeString(tmp.resolve("sweep.yaml"), """
                name: missing
                models: [minilm]
                tasks:
                  rte: {}
                  mrpc: {data: ../elsewhere/MRPC}
                methods:
                  vanilla: {learning-rate: 5e-5}
                seeds: [1]
                """);
        CliRun r = CliRun.of("sweep", "--config", config.toString(), "--dry-run", "--db", tmp.resolve("s.db").toString());
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.out().contains("2 trials"), r.out());
        Path missing = tmp.getParent().resolve("elsewhere").resolve("MRPC").toAbsolutePath().normalize();
        assertEquals("childtune: error: " + config + ": task mrpc: data " + missing
                + " does not exist (expected a folder)", r.err().strip());

        CliRun run = CliRun.of("sweep", "--config", config.toString(), "--db", tmp.resolve("s.db").toString());
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().contains("task mrpc: data " + missing + " does not exist"), run.err());
    }
}
