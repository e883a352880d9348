package dev.childtune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import dev.childtune.train.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --output}: a folder that holds anything is refused without {@code --resume} or
 * {@code --overwrite}; {@code --overwrite} empties it first; {@code --resume} must keep the run's settings.
 */
class OutputFolderTest {
    @TempDir
    Path tmp;

    private CliRun train(Path output, String... extra) throws Exception {
        Path data = tmp.resolve("train.csv");
        if (!Files.exists(data)) {
            ToyData.writeCsv(data, 8);
        }
        List<String> args = new ArrayList<>(List.of("train", "--train-file", data.toString(), "--validation-file",
                data.toString(), "--batch-size", "4", "--max-length", "16", "--output", output.toString()));
        args.addAll(List.of(extra));
        if (!args.contains("--max-steps")) {
            args.addAll(List.of("--max-steps", "1"));
        }
        return CliRun.of(args.toArray(String[]::new));
    }

    private static void assertRefused(CliRun r, String message) {
        assertEquals(ChildTuneCli.INPUT_ERROR, r.exitCode(), r.err());
        assertEquals(List.of("childtune: error: " + message), r.err().lines().toList());
    }

    @Test
    void aFolderOfAnotherRunIsRefusedOverwrittenOrResumedWithTheSameSettings() throws Exception {
        Path run = tmp.resolve("run");
        CliRun first = train(run);
        assertEquals(0, first.exitCode(), first.err());
        Path stale = Files.writeString(run.resolve("stale.txt"), "from before");

        assertRefused(train(run, "--learning-rate", "1e-4"), "--output " + run + " is not empty: add --resume to "
                + "continue the run there, --overwrite to replace it, or choose another folder");
        assertRefused(train(run, "--resume", "--lr", "5e-5", "--seed", "1", "--method", "childtuning-f"),
                "--resume: these settings differ from the run in " + run + " (run.json): --method childtuning-f "
                        + "(was vanilla), --lr 5.0E-5 (was 2.0E-5), --seed 1 (was 42); resume with the run's settings, "
                        + "or start afresh with --overwrite or another --output");
        assertRefused(train(run, "--resume", "--overwrite"), "give --resume or --overwrite, not both: --resume "
                + "continues the run in " + run + ", --overwrite deletes it");
        assertTrue(Files.exists(stale), "nothing deleted by refused commands");

        CliRun resumed = train(run, "--resume", "--logging-steps", "1", "--save-steps", "1", "--eval-batch-size", "2");
        assertEquals(0, resumed.exitCode(), "how often a run logs and saves may change: " + resumed.err());

        CliRun overwritten = train(run, "--overwrite", "--max-steps", "2");
        assertEquals(0, overwritten.exitCode(), overwritten.err());
        assertFalse(Files.exists(stale), "--overwrite empties the folder");
        assertEquals(2, JsonParser.parseString(Files.readString(run.resolve("results.json"))).getAsJsonObject()
                .get("steps").getAsInt());
        assertEquals(2, JsonParser.parseString(Files.readString(run.resolve("run.json"))).getAsJsonObject()
                .getAsJsonObject("arguments").get("max_steps").getAsInt(), "run.json of the new run");
    }

    @Test
    void overwriteRefusesAFolderThatHoldsNoRun() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("documents"));
        Path precious = Files.writeString(folder.resolve("thesis.tex"), "precious");
        assertRefused(train(folder), "--output " + folder + " is not empty: add --resume to continue the run "
                + "there, --overwrite to replace it, or choose another folder");
        assertRefused(train(folder, "--overwrite"), "--overwrite: " + folder + " holds no run (it has no run.json); "
                + "refusing to delete its contents");
        assertTrue(Files.exists(precious));
    }

    /** RunDirectory.clear, which --overwrite calls: only a run's folder, only what is inside, links not followed. */
    @Test
    void clearingDeletesOnlyWhatIsInsideARunFolder() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path keep = Files.writeString(outside.resolve("keep.txt"), "keep");
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.createSymbolicLink(run.resolve("link"), outside);
        Files.writeString(Files.createDirectories(run.resolve("checkpoints/checkpoint-1")).resolve("x"), "x");
        RunDirectory folder = new RunDirectory(run);
        assertThrows(ChildTuneException.class, folder::clear, "no run.json: not a run's folder");
        assertTrue(Files.exists(run.resolve("checkpoints/checkpoint-1/x")));

        Files.writeString(run.resolve("run.json"), "{}");
        folder.clear();
        assertTrue(Files.isDirectory(run), "the folder itself stays");
        assertFalse(folder.hasContents());
        assertTrue(Files.exists(keep), "a link's target is not followed");
    }
}
