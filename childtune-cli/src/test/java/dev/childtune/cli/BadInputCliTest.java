package dev.childtune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad inputs through the command line (issue 9): exit code 1, exactly one error line on stderr
 * naming the file, no stack trace, unless {@code --debug} asks for one.
 */
class BadInputCliTest {
    private static final String TINY_CONFIG = "{\"model_type\": \"bert\", \"vocab_size\": 10, \"hidden_size\": 8,"
            + " \"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"intermediate_size\": 16,"
            + " \"max_position_embeddings\": 16}";

    @TempDir
    Path tmp;

    /** Exit code 1 and one line "childtune: error: <file>:[<line>:] <problem...>" on stderr, nothing else. */
    private static void assertOneErrorLine(CliRun r, Path file, String fragment) {
        assertEquals(ChildTuneCli.INPUT_ERROR, r.exitCode(), r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("childtune: error: " + file + ":"), r.err());
        assertTrue(lines.get(0).contains(fragment), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
    }

    private Path modelFolder(String name) throws IOException {
        Path folder = Files.createDirectories(tmp.resolve(name));
        Files.writeString(folder.resolve("config.json"), TINY_CONFIG);
        return folder;
    }

    @Test
    void truncatedWeightsWithAndWithoutDebug() throws IOException {
        Path folder = modelFolder("truncated");
        Path weights = Files.write(folder.resolve("model.safetensors"), new byte[] {1, 2, 3, 4, 5});
        assertOneErrorLine(CliRun.of("inspect", "--model", folder.toString()), weights, "file is 5 bytes, too short");

        for (String[] args : new String[][] {
                {"inspect", "--debug", "--model", folder.toString()}, {"--debug", "inspect", "--model", folder.toString()}}) {
            CliRun debug = CliRun.of(args);
            assertEquals(ChildTuneCli.INPUT_ERROR, debug.exitCode(), debug.err());
            List<String> lines = debug.err().lines().toList();
            assertTrue(lines.get(0).startsWith("childtune: error: " + weights + ": file is 5 bytes"), debug.err());
            assertTrue(lines.size() > 3, debug.err());
            assertTrue(debug.err().contains("dev.childtune.ChildTuneException: " + weights), debug.err());
            assertTrue(debug.err().contains("\tat dev.childtune.checkpoint.SafeTensorsFile.open"), debug.err());
        }
    }

    @Test
    void picklesAskingForOsSystemAreRefused() throws IOException {
        Path folder = modelFolder("hostile");
        Path marker = tmp.resolve("pwned");
        Path weights = folder.resolve("pytorch_model.bin");
        try (OutputStream stream = Files.newOutputStream(weights); ZipOutputStream zip = new ZipOutputStream(stream)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            byte[] command = ("touch " + marker).getBytes(StandardCharsets.UTF_8);
            zip.write(new byte[] {(byte) 0x80, 2, 'c'});
            zip.write("os\nsystem\n".getBytes(StandardCharsets.US_ASCII));
            zip.write(new byte[] {(byte) 0x8c, (byte) command.length});
            zip.write(command);
            zip.write(new byte[] {(byte) 0x85, 'R', '.'});
        }
        assertOneErrorLine(CliRun.of("inspect", "--model", folder.toString()), weights,
                "refusing to load global 'os.system' from archive/data.pkl");
        assertFalse(Files.exists(marker), "the pickle's command was executed");
    }

    @Test
    void invalidConfigJson() throws IOException {
        Path folder = modelFolder("config");
        Path config = Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"bert\", \"hidden_size\": }");
        assertOneErrorLine(CliRun.of("inspect", "--model", folder.toString()), config,
                "the model configuration is not valid JSON");
    }

    @Test
    void aFileThatIsNotATokenizer() throws IOException {
        Path folder = modelFolder("tokenizer");
        Files.write(folder.resolve("model.safetensors"), new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ',
            ' ', ' ', ' '});
        Path tokenizer = Files.writeString(folder.resolve("tokenizer.json"), "{\"model_max_length\": 512}");
        assertOneErrorLine(CliRun.of("inspect", "--model", folder.toString()), tokenizer, "no \"model\" object");
    }

    @Test
    void aHeaderFromAnotherGlueTask() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("RTE"));
        Files.writeString(data.resolve("train.tsv"), "sentence\tlabel\nfine .\t1\n");
        Path dev = Files.writeString(data.resolve("dev.tsv"), "sentence\tlabel\nfine .\t1\n");
        CliRun r = CliRun.of("train", "--task", "rte", "--data", data.toString(), "--output", tmp.resolve("run").toString());
        assertOneErrorLine(r, dev, "1: no column \"sentence1\" in the header; expected it among the header's columns"
                + " \"sentence\", \"label\" (the columns of the GLUE SST-2 (task sst2) files, not of RTE)");
        assertFalse(Files.exists(tmp.resolve("run")), "nothing written for rejected input");
    }

    /** A device the engine does not have, or not a device at all: one clear line before any training. */
    @Test
    void devicesTheEngineDoesNotHave() throws IOException {
        Path train = tmp.resolve("train.csv");
        ToyData.writeCsv(train, 8);
        for (String[] device : new String[][] {{"gpu", "device gpu: the engine sees no GPU"},
                {"gpu:1", "device gpu:1: the engine sees no GPU"},
                {"tpu", "device: expected cpu, gpu or gpu:N (N a GPU index) or auto, got 'tpu'"}}) {
            CliRun r = CliRun.of("train", "--device", device[0], "--train-file", train.toString(),
                    "--validation-file", train.toString(), "--max-steps", "1", "--output", tmp.resolve("run").toString());
            assertEquals(ChildTuneCli.INPUT_ERROR, r.exitCode(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("childtune: error: " + device[1]), r.err());
            assertFalse(Files.exists(tmp.resolve("run/results.json")));
        }
    }
}
