package dev.childtune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The build picks libtorch's native jar for the platform it runs on. Each case runs this Maven on
 * the project's root POM as if on another machine ({@code os.name} and {@code os.arch} set for
 * Maven's own JVM, which is where its profile activation reads them), so the check is Maven's own
 * profile activation, and no other platform's natives are downloaded.
 */
class PlatformProfilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static Path mavenHome;
    private static Path fakeHome;

    @BeforeAll
    static void mavenWithoutItsConsoleLibrary(@TempDir Path tmp) throws IOException {
        String home = System.getProperty("maven.home");
        assertTrue(home != null && Files.isDirectory(Path.of(home, "lib")),
                "the build passes maven.home to the tests; got " + home);
        mavenHome = Path.of(home);
        // Maven's console library (Jansi) calls Windows' console API when it believes it runs on
        // Windows; a Maven home without it (its lib/ linked jar by jar) prints plain text instead.
        fakeHome = tmp.resolve("maven");
        Files.createDirectories(fakeHome.resolve("lib"));
        try (Stream<Path> jars = Files.list(mavenHome.resolve("lib"))) {
            for (Path jar : jars.filter(j -> !j.getFileName().toString().startsWith("jansi")).toList()) {
                Files.createSymbolicLink(fakeHome.resolve("lib").resolve(jar.getFileName()), jar.toRealPath());
            }
        }
        Files.createSymbolicLink(fakeHome.resolve("conf"), mavenHome.resolve("conf").toRealPath());
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "Linux, amd64, linux-x86_64",
        "Linux, x86_64, linux-x86_64",
        "Linux, aarch64, linux-aarch64",
        "Mac_OS_X, aarch64, osx-aarch64",
        "Windows_11, amd64, win-x86_64",
    })
    void eachSupportedPlatformGetsItsNativeJar(String osName, String osArch, String classifier) throws Exception {
        Run run = maven(osName, osArch, "org.apache.maven.plugins:maven-help-plugin:3.5.2:evaluate", "-Dexpression=libtorch.classifier", "-DforceStdout");
        assertEquals(0, run.exitCode, run.output);
        assertEquals(classifier, run.output.strip());
    }

    @ParameterizedTest(name = "{0} {1} is refused")
    @CsvSource({"Mac_OS_X, x86_64", "FreeBSD, amd64", "Windows_11, aarch64"})
    void anUnsupportedPlatformStopsTheBuildSayingWhichWork(String osName, String osArch) throws Exception {
        Run run = maven(osName, osArch, "validate");
        assertNotEquals(0, run.exitCode, run.output);
        assertTrue(run.output.contains("ChildTune runs on Linux (x86-64, aarch64), macOS (Apple silicon) and Windows (x86-64)")
                && run.output.contains(osName + " " + osArch), run.output);
    }

    private record Run(int exitCode, String output) {}

    /** This Maven on the root POM alone (-N), with the given platform, quiet and offline-capable. */
    private static Run maven(String osName, String osArch, String... goals) throws Exception {
        Path classworlds;
        try (Stream<Path> boot = Files.list(mavenHome.resolve("boot"))) {
            classworlds = boot.filter(j -> j.getFileName().toString().startsWith("plexus-classworlds")).findFirst()
                    .orElseThrow(() -> new AssertionError("no plexus-classworlds jar in " + mavenHome.resolve("boot")));
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dos.name=" + osName, "-Dos.arch=" + osArch,
                "-Dmaven.home=" + fakeHome, "-Dclassworlds.conf=" + mavenHome.resolve("bin").resolve("m2.conf"),
                "-Dmaven.multiModuleProjectDirectory=" + ROOT,
                "-cp", classworlds.toString(), "org.codehaus.plexus.classworlds.launcher.Launcher",
                "-B", "-q", "-N", "-f", ROOT.resolve("pom.xml").toString()));
        command.addAll(List.of(goals));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.MINUTES), "Maven did not finish");
        return new Run(process.exitValue(), output);
    }
}
