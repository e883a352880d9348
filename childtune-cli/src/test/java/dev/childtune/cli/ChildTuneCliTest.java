package dev.childtune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The real commands, run in-process with the default (embedded) model, offline. */
class ChildTuneCliTest {
    private record Result(int exitCode, String out, String err) {}

    private static Result run(String... args) {
        CommandLine cli = ChildTuneCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void inspectDescribesTheDefaultModel() {
        Result r = run("inspect");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("BertForSequenceClassification"), r.out());
        assertTrue(r.out().contains("layers:         6"), r.out());
        assertTrue(r.out().contains("hidden size:    384 (12 heads of 32, feed-forward 1536)"), r.out());
        assertTrue(r.out().contains("vocabulary 30,522"), r.out());
        assertTrue(r.out().contains("embedded all-MiniLM-L6-v2"), r.out());
    }

    @Test
    void encodeJsonPrintsTokensIdsAndVectors() {
        Result r = run("encode", "--text", "The cat sat.", "--text-pair", "A dog ran.", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("[CLS]", o.getAsJsonArray("tokens").get(0).getAsString());
        assertEquals(101, o.getAsJsonArray("input_ids").get(0).getAsInt());
        int n = o.getAsJsonArray("tokens").size();
        assertEquals(n, o.getAsJsonArray("input_ids").size());
        assertEquals(1, o.getAsJsonArray("token_type_ids").get(n - 1).getAsInt(), "the pair's segment has type 1");
        assertEquals(384, o.getAsJsonArray("cls").size());
        assertEquals(384, o.getAsJsonArray("mean").size());
        assertTrue(o.getAsJsonArray("mean").get(0).getAsDouble() != o.getAsJsonArray("cls").get(0).getAsDouble());
    }

    @Test
    void aMissingModelFolderIsOneErrorLineWithExitCodeOne(@TempDir Path tmp) {
        Result r = run("inspect", "--model", tmp.toString());
        assertEquals(ChildTuneCli.INPUT_ERROR, r.exitCode());
        assertTrue(r.err().startsWith("childtune: error: "), r.err());
        assertTrue(r.err().contains("config.json"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Result r = run("encode", "--bogus");
        assertEquals(2, r.exitCode());
    }

    @Test
    void convertImportsAnOnnxBertThatInspectThenReads(@TempDir Path tmp) throws Exception {
        Path onnx = tmp.resolve("model.onnx");
        Path tokenizer = tmp.resolve("tokenizer.json");
        ClassLoader loader = ChildTuneCliTest.class.getClassLoader();
        try (var in = loader.getResourceAsStream("all-minilm-l6-v2.onnx")) {
            java.nio.file.Files.copy(in, onnx);
        }
        try (var in = loader.getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            java.nio.file.Files.copy(in, tokenizer);
        }
        Path output = tmp.resolve("converted");
        Result r = run("convert", "--onnx", onnx.toString(), "--tokenizer", tokenizer.toString(),
                "--output", output.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("6 layers, hidden 384, 12 heads"), r.out());
        Result inspect = run("inspect", "--model", output.toString());
        assertEquals(0, inspect.exitCode(), inspect.err());
        assertTrue(inspect.out().contains("local folder"), inspect.out());
    }

    @Test
    void convertRejectsAFileThatIsNotOnnx(@TempDir Path tmp) throws Exception {
        Path bogus = java.nio.file.Files.writeString(tmp.resolve("bogus.onnx"), "{\"not\": \"onnx\"}");
        Result r = run("convert", "--onnx", bogus.toString(), "--tokenizer", bogus.toString(),
                "--output", tmp.resolve("out").toString());
        assertEquals(ChildTuneCli.INPUT_ERROR, r.exitCode());
        assertTrue(r.err().contains("bogus.onnx"), r.err());
    }
}
