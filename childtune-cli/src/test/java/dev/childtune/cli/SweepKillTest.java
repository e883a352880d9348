package dev.childtune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.experiments.JvmLauncher;
import dev.childtune.experiments.ResultsDb;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole {@code childtune sweep} in a child JVM, its trials slow fakes ({@link SlowTrial}),
 * killed with SIGKILL while a trial runs (held at a gate that the test opens only for the re-run)
 * after another is done: the database holds no row marked done without its metrics, the killed
 * trial is not done, and re-running the sweep runs exactly the trials that were not done, each
 * once, and ends with all of them done with their metrics.
 */
class SweepKillTest {
    private static final List<Long> SEEDS = List.of(1L, 2L, 3L, 4L);

    @TempDir
    Path tmp;

    /** The environment variable (inherited by the sweep's trial JVMs) that names the {@link SlowTrial}s' gate folder. */
    static final String GATE = "CHILDTUNE_TEST_TRIAL_GATE";
    /** How long a wait may last before it counts as a hang: far beyond what a loaded machine needs. */
    private static final long WAIT_SECONDS = 300;

    /**
     * Stands in for {@code childtune train} in a trial's JVM: leaves a {@code launch-<pid>-*} marker
     * in its output folder; the first trial launched (the one that creates {@code first} in the gate
     * folder) goes on at once, every later one waits until the gate folder holds {@code release};
     * then it writes results.json with accuracy = seed / 100 and a {@code finished-*} marker. So the
     * first sweep is always caught with one trial done and one in flight, whatever the machine's
     * pace. Dies with the sweep, like the real trial command.
     */
    public static final class SlowTrial {
        public static void main(String[] args) throws Exception {
            if (Boolean.getBoolean(JvmLauncher.EXIT_WITH_PARENT)) {
                ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(137)));
            }
            List<String> a = List.of(args);
            long seed = Long.parseLong(a.get(a.indexOf("--seed") + 1));
            Path output = Path.of(a.get(a.indexOf("--output") + 1));
            Path gate = Path.of(System.getenv(GATE));
            Files.createDirectories(output);
            String id = ProcessHandle.current().pid() + "-" + System.nanoTime();
            Files.writeString(output.resolve("launch-" + id), "");
            boolean first;
            try {
                Files.createFile(gate.resolve("first"));
                first = true;
            } catch (FileAlreadyExistsException e) {
                first = false;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2 * WAIT_SECONDS);
            while (!first && !Files.exists(gate.resolve("release"))) {
                if (System.nanoTime() - deadline > 0) {
                    System.err.println("slow trial " + seed + ": never released");
                    System.exit(3);
                }
                Thread.sleep(20);
            }
            Files.writeString(output.resolve("results.json"),
                    "{\"metrics\": {\"accuracy\": " + seed / 100.0 + "}, \"main_metric\": \"accuracy\"}");
            Files.writeString(output.resolve("finished-" + id), "");
        }
    }

    @Test
    void aSweepKilledMidTrialRerunsExactlyTheMissingTrials() throws Exception {
        Files.createDirectories(tmp.resolve("data"));
        Files.writeString(tmp.resolve("data/train.csv"), "text,label\nw5 w6,a\n");
        Files.writeString(tmp.resolve("data/dev.csv"), "text,label\nw5 w6,a\n");
        Path config = Files.writeString(tmp.resolve("kill.yaml"), """
                name: kill
                models: [%s]
                tasks:
                  toy: {train-file: data/train.csv, validation-file: data/dev.csv}
                methods: {vanilla: }
                seeds: %s
                """.formatted(tmp.resolve("model"), SEEDS));
        String dbUrl = ResultsDb.sqliteUrl(tmp.resolve("sweep.db"));

        Path gate = Files.createDirectories(tmp.resolve("gate"));
        Process first = startSweep(config, tmp.resolve("first.log"));
        String killedHash = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (killedHash == null && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                List<ResultsDb.StoredTrial> rows;
                try {
                    rows = ResultsDb.openExisting(dbUrl).trials();
                } catch (RuntimeException notYetOrBusy) {
                    continue;
                }
                boolean oneDone = rows.stream().anyMatch(t -> t.status().equals("done"));
                // a running trial whose fake process has started (its marker is there) and not finished
                ResultsDb.StoredTrial inFlight = rows.stream()
                        .filter(t -> t.status().equals("running") && count(t.outputDir(), "launch-") == 1
                                && count(t.outputDir(), "finished-") == 0)
                        .findFirst().orElse(null);
                if (oneDone && inFlight != null) {
                    first.destroyForcibly(); // SIGKILL: no shutdown hook runs
                    killedHash = inFlight.hash();
                }
            }
        } finally {
            first.destroyForcibly();
            assertTrue(first.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the killed sweep's JVM exits");
        }
        assertNotNull(killedHash, "the sweep was caught mid-trial after a trial was done: " + Files.readString(tmp.resolve("first.log")));
        assertEquals(137, first.exitValue(), "killed by SIGKILL, not ended by itself");
        // the killed trial's JVM exits with its sweep (before the gate opens for the re-run)
        for (ProcessHandle trial : trialProcesses(tmp.resolve("runs"))) {
            try {
                trial.onExit().get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                trial.destroyForcibly();
                throw new AssertionError("trial JVM " + trial.pid() + " outlived its killed sweep");
            }
        }

        List<ResultsDb.StoredTrial> afterKill = ResultsDb.openExisting(dbUrl).trials();
        assertEquals(SEEDS.size(), afterKill.size());
        Map<Long, Integer> doneBeforeKill = new TreeMap<>();
        for (ResultsDb.StoredTrial t : afterKill) {
            if (t.status().equals("done")) {
                assertEquals(Double.valueOf(t.seed() / 100.0), metric(t), "a done row holds its metrics: " + t);
                assertEquals(1, count(t.outputDir(), "finished-"), "a done row is a finished trial: " + t);
                doneBeforeKill.put(t.seed(), 1);
            } else {
                assertTrue(t.evaluations().isEmpty(), "no metrics on a row that is not done: " + t);
            }
        }
        assertFalse(doneBeforeKill.isEmpty());
        assertTrue(doneBeforeKill.size() < SEEDS.size(), "the kill left trials to do: " + doneBeforeKill);
        String hash = killedHash;
        ResultsDb.StoredTrial killed = afterKill.stream().filter(t -> t.hash().equals(hash)).findFirst().orElseThrow();
        assertEquals("running", killed.status(), "the killed trial is not marked done");
        assertEquals(0, count(killed.outputDir(), "finished-"), "the killed trial did not finish");
        Map<Long, Integer> launchesBefore = launches(afterKill);

        Files.createFile(gate.resolve("release")); // the re-run's trials all go through
        Process second = startSweep(config, tmp.resolve("second.log"));
        if (!second.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            second.destroyForcibly();
            throw new AssertionError("the re-run did not finish in " + WAIT_SECONDS + " s: "
                    + Files.readString(tmp.resolve("second.log")));
        }
        String log = Files.readString(tmp.resolve("second.log"));
        assertEquals(0, second.exitValue(), log);
        assertTrue(log.contains("sweep kill: 4 of 4 trials done, 0 failed"), log);

        List<ResultsDb.StoredTrial> afterRerun = ResultsDb.openExisting(dbUrl).trials();
        Map<Long, Integer> launchesAfter = launches(afterRerun);
        for (ResultsDb.StoredTrial t : afterRerun) {
            assertEquals("done", t.status(), t.toString());
            assertEquals(Double.valueOf(t.seed() / 100.0), metric(t), t.toString());
            assertEquals(1, count(t.outputDir(), "finished-"), "trial " + t.seed() + " finished exactly once");
            int rerunLaunches = launchesAfter.get(t.seed()) - launchesBefore.getOrDefault(t.seed(), 0);
            assertEquals(doneBeforeKill.containsKey(t.seed()) ? 0 : 1, rerunLaunches,
                    "re-run launches of trial " + t.seed() + " (done before the kill: " + doneBeforeKill + ")");
        }
    }

    /** The trial JVMs that markers under {@code runs} name and that are still alive. */
    private static List<ProcessHandle> trialProcesses(Path runs) throws IOException {
        try (Stream<Path> files = Files.walk(runs)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("launch-"))
                    .map(n -> Long.parseLong(n.substring("launch-".length(), n.indexOf('-', "launch-".length()))))
                    .map(ProcessHandle::of).flatMap(Optional::stream).filter(ProcessHandle::isAlive).toList();
        }
    }

    private Process startSweep(Path config, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-D" + SweepCommand.TRIAL_MAIN_PROPERTY + "=" + SlowTrial.class.getName(),
                "-cp", System.getProperty("java.class.path"), ChildTuneCli.class.getName(), "sweep",
                "--config", config.toString(), "--db", tmp.resolve("sweep.db").toString(),
                "--runs", tmp.resolve("runs").toString(), "--parallel", "1", "--threads-per-trial", "1",
                "--java-options", "-Xmx64m")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put(GATE, tmp.resolve("gate").toString());
        return builder.start();
    }

    private static Double metric(ResultsDb.StoredTrial t) {
        return t.evaluations().containsKey("toy") ? t.evaluations().get("toy").main() : null;
    }

    private static Map<Long, Integer> launches(List<ResultsDb.StoredTrial> rows) {
        Map<Long, Integer> launches = new TreeMap<>();
        rows.forEach(t -> launches.put(t.seed(), count(t.outputDir(), "launch-")));
        return launches;
    }

    private static int count(Path dir, String prefix) {
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return (int) files.filter(f -> f.getFileName().toString().startsWith(prefix)).count();
        } catch (IOException e) {
            return 0;
        }
    }
}
