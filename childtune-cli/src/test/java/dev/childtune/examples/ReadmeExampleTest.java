package dev.childtune.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The library example in the README is this package's EncodeExample, and it runs. */
class ReadmeExampleTest {
    @Test
    void readmeShowsTheExampleVerbatim() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String source = Files.readString(Path.of("src/test/java/dev/childtune/examples/EncodeExample.java"));
        String body = source.substring(source.indexOf("import "));
        assertTrue(readme.contains(body), "README.md must show EncodeExample.java (after its package line) verbatim");
    }

    @Test
    void exampleRuns() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EncodeExample.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("[CLS] a man is playing a guitar . [SEP] someone plays an instrument . [SEP]"), out);
        assertTrue(out.contains("-> 384 values"), out);
    }
}
