package dev.childtune.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code ../shared} (fixtures, GLUE) beside the repository; tests skip when it is absent. */
public final class SharedData {
    private SharedData() {}

    /** The shared folder, found from the module or the repository root, or null. */
    public static Path sharedRoot() {
        for (Path candidate : new Path[] {Path.of("..", "..", "shared"), Path.of("..", "shared")}) {
            if (Files.isDirectory(candidate.resolve("fixtures"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        return null;
    }

    /** {@code ../shared/fixtures/<relative>}; skips the test with a message when it is missing. */
    public static Path fixture(String relative) {
        Path root = sharedRoot();
        assumeTrue(root != null, "skipped: ../shared/fixtures not found beside the repository");
        Path path = root.resolve("fixtures").resolve(relative);
        assumeTrue(Files.exists(path), "skipped: fixture " + path + " is missing");
        return path;
    }
}
