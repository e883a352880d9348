package dev.childtune.experiments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A stand-in for {@code childtune train} in its own JVM: seed 13 fails as the CLI does (an error
 * line, exit code 1); any other seed writes a results.json with accuracy = seed / 100.
 */
public final class FakeTrialMain {
    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        long seed = Long.parseLong(a.get(a.indexOf("--seed") + 1));
        System.out.println("fake trial, " + System.getProperty("ai.djl.pytorch.num_threads") + " threads, OMP "
                + System.getenv("OMP_NUM_THREADS"));
        if (seed == 13) {
            System.err.println("childtune: error: boom at seed 13");
            System.exit(1);
        }
        Path output = Path.of(a.get(a.indexOf("--output") + 1));
        Files.createDirectories(output);
        Files.writeString(output.resolve("results.json"), "{\"metrics\": {\"accuracy\": " + seed / 100.0
                + "}, \"main_metric\": \"accuracy\"}");
    }
}
