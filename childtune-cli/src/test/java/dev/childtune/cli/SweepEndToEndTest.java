package dev.childtune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.testing.TinyModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real sweeps of the tiny fixture BERT on generated data, each trial in its own JVM: the four
 * protocols into one database, a re-run that has nothing left to do, and the report.
 */
class SweepEndToEndTest {
    @TempDir
    Path tmp;

    private record Result(int exitCode, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = ChildTuneCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Rows of words from the fixture's vocabulary (w5 ... w127) with labels cycling through {@code labels}. */
    private static void csv(Path file, int rows, long seed, String... labels) throws IOException {
        Random random = new Random(seed);
        StringBuilder csv = new StringBuilder("text,label\n");
        for (int i = 0; i < rows; i++) {
            int label = i % labels.length;
            csv.append("w").append(5 + label).append(" w").append(10 + random.nextInt(100)).append(" w")
                    .append(10 + random.nextInt(100)).append(',').append(labels[label]).append('\n');
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, csv.toString());
    }

    private Result sweep(String name, String protocol, String methods) throws IOException {
        Path config = Files.writeString(tmp.resolve(name + ".yaml"), """
                name: %s
                models: [%s]
                tasks:
                  toy: {train-file: data/train.csv, validation-file: data/dev.csv}
                methods: %s
                seeds: [1]
                training: {max-steps: 2, batch-size: 4, max-length: 16, logging-steps: 1}
                protocol: %s
                """.formatted(name, tmp.resolve("model"), methods, protocol));
        return run("sweep", "--config", config.toString(), "--db", tmp.resolve("sweep.db").toString(), "--runs",
                tmp.resolve("runs").toString(), "--parallel", "2", "--java-options", "-Xmx512m");
    }

    @Test
    void theFourProtocolsRunIntoOneDatabaseAndReport() throws IOException {
        TinyModels.bertWithTokenizer(tmp.resolve("model")); // skips without ../shared
        csv(tmp.resolve("data/train.csv"), 12, 1, "a", "b", "c");
        csv(tmp.resolve("data/dev.csv"), 6, 2, "a", "b", "c");
        csv(tmp.resolve("data/other.csv"), 6, 3, "x", "y", "z");
        csv(tmp.resolve("data/binary.csv"), 8, 4, "no", "yes");

        Result standard = sweep("standard", "standard", "{vanilla: {learning-rate: 1e-3}, childtuning-d: {reserve-p: 0.3}}");
        assertEquals(0, standard.exitCode(), standard.err() + standard.out());
        assertTrue(standard.out().contains("sweep standard: 2 of 2 trials done, 0 failed"), standard.out());
        assertTrue(standard.err().contains("[2/2 done, 0 failed, 0 left"), standard.err());
        Result again = sweep("standard", "standard", "{vanilla: {learning-rate: 1e-3}, childtuning-d: {reserve-p: 0.3}}");
        assertTrue(again.err().contains("2 trials, 2 already done") && !again.err().contains("started"), again.err());

        Result lowResource = sweep("low", "{type: low-resource, train-samples: 6}", "{vanilla: }");
        assertEquals(0, lowResource.exitCode(), lowResource.err());
        Result domain = sweep("domain", """
                {type: domain-transfer, targets: {other: {train-file: data/other.csv, validation-file: data/other.csv,
                    label-map: {x: a, y: b, z: c}}}}""", "{vanilla: }");
        assertEquals(0, domain.exitCode(), domain.err());
        assertTrue(domain.err().contains("toy→other accuracy"), domain.err());
        Result task = sweep("task", "{type: task-transfer, targets: {binary: {train-file: data/binary.csv, "
                + "validation-file: data/binary.csv}}, head-training: {learning-rate: 1e-2}}", "{vanilla: }");
        assertEquals(0, task.exitCode(), task.err());
        assertTrue(task.err().contains("toy→binary accuracy"), task.err());
        Path probe = Files.list(tmp.resolve("runs/task")).findFirst().orElseThrow().resolve("transfer/binary/run.json");
        assertTrue(Files.readString(probe).contains("\"freeze_base_model\": true"), "the probe trains only the head");

        Result md = run("report", "--db", tmp.resolve("sweep.db").toString());
        assertEquals(0, md.exitCode(), md.err());
        for (String study : List.of("standard", "low-resource (6 training examples)", "domain-transfer", "task-transfer")) {
            assertTrue(md.out().contains("## " + tmp.resolve("model") + " · " + study + "\n"), study + ": " + md.out());
        }
        assertTrue(md.out().contains("| method | toy (accuracy) | average |"), md.out());
        assertTrue(md.out().contains("| method | toy→other (accuracy) | average |"), md.out());
        assertTrue(md.out().lines().anyMatch(l -> l.startsWith("| childtuning-d | ")), md.out());
        Path html = tmp.resolve("report.html");
        Result page = run("report", "--db", tmp.resolve("sweep.db").toString(), "--format", "html", "--output", html.toString());
        assertEquals(0, page.exitCode(), page.err());
        String text = Files.readString(html);
        assertTrue(text.contains("<figcaption>Training loss on toy"), "learning curves from the runs' metrics.jsonl");
        assertTrue(text.contains("ChildTuning-D: share of children per layer"), "from the D run's results.json");
    }
}
