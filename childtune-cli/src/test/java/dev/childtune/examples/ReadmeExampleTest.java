package dev.childtune.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.childtune.data.GlueTasks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The library examples in the README are this package's EncodeExample and FineTuneExample, and they run. */
class ReadmeExampleTest {
    @ParameterizedTest
    @ValueSource(strings = {"EncodeExample", "FineTuneExample"})
    void readmeShowsTheExampleVerbatim(String example) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String source = Files.readString(Path.of("src/test/java/dev/childtune/examples/" + example + ".java"));
        String body = source.substring(source.indexOf("import "));
        assertTrue(readme.contains(body), "README.md must show " + example + ".java (after its package line) verbatim");
    }

    @Test
    void encodeExampleRuns() {
        String out = printed(() -> EncodeExample.main(new String[0]));
        assertTrue(out.startsWith("[CLS] a man is playing a guitar . [SEP] someone plays an instrument . [SEP]"), out);
        assertTrue(out.contains("-> 384 values"), out);
    }

    /** On the first 48 training and 32 dev examples of RTE, so that it takes seconds: the whole example runs. */
    @Test
    void fineTuneExampleRuns(@TempDir Path tmp) throws Exception {
        Path rte = GlueTasks.byName("rte").dataDir(null, Map.of(), tmp.resolve("cache"));
        Path small = Files.createDirectories(tmp.resolve("RTE"));
        Files.write(small.resolve("train.tsv"), Files.readAllLines(rte.resolve("train.tsv")).subList(0, 49));
        Files.write(small.resolve("dev.tsv"), Files.readAllLines(rte.resolve("dev.tsv")).subList(0, 33));
        Path output = tmp.resolve("run");

        String out = printed(() -> FineTuneExample.main(new String[] {small.toString(), output.toString()}));

        assertTrue(out.contains("ChildTuning-D: Fisher pass") && out.contains("weights kept (0.3000)"), out);
        assertTrue(out.matches("(?s).*rte accuracy = [01]\\.\\d{4} after 9 steps, model in .*"), out);
        JsonObject results = JsonParser.parseString(Files.readString(output.resolve("results.json"))).getAsJsonObject();
        assertEquals("childtuning-d", results.get("method").getAsString());
        assertEquals(0.3, results.getAsJsonObject("method_details").get("kept_fraction").getAsDouble(), 1e-3);
        assertTrue(Files.exists(output.resolve("model/model.safetensors")));
    }

    private static String printed(Runnable example) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            example.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
