package dev.childtune.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The parity fixtures that ship with the repository in {@code childtune-core/src/test/fixtures}
 * (Hugging Face checkpoints with the outputs, losses and gradients Hugging Face computed, and the
 * ChildTuning reference values; see its README). They are part of every clone, so a missing one
 * fails the test instead of skipping it.
 */
public final class Fixtures {
    /** Set by the build for both modules' tests; the fallbacks serve runs from an IDE. */
    private static final String PROPERTY = "childtune.fixtures";

    private Fixtures() {}

    /** The fixtures folder. */
    public static Path root() {
        String configured = System.getProperty(PROPERTY);
        Path[] candidates = configured != null
                ? new Path[] {Path.of(configured)}
                : new Path[] {Path.of("src", "test", "fixtures"), Path.of("..", "childtune-core", "src", "test", "fixtures")};
        for (Path candidate : candidates) {
            if (Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new AssertionError("the test fixtures are missing: looked for " + String.join(", ",
                java.util.Arrays.stream(candidates).map(Path::toString).toList()));
    }

    /** {@code fixtures/<relative>}, which must exist. */
    public static Path fixture(String relative) {
        Path path = root().resolve(relative);
        assertTrue(Files.exists(path), "fixture " + path + " is missing");
        return path;
    }
}
