package dev.childtune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training runs in a child JVM, killed the hard way (SIGKILL, at random moments, several of them
 * landing in checkpoint writes since one is written every step) or asked to stop (SIGTERM): a
 * resume always finds a consistent checkpoint and ends with exactly the metrics of an
 * uninterrupted run.
 */
class CrashSafetyTest {
    private static final int STEPS = 8;
    /** How long a wait may last before it counts as a hang: far beyond what a loaded machine needs. */
    private static final long WAIT_MINUTES = 10;

    @TempDir
    static Path shared;
    private static Path train;
    private static Path dev;
    private static JsonObject reference;

    /** One uninterrupted run, the yardstick of both tests. */
    @BeforeAll
    static void uninterruptedRun() throws Exception {
        train = shared.resolve("train.csv");
        dev = shared.resolve("dev.csv");
        ToyData.writeCsv(train, 20);
        ToyData.writeCsv(dev, 6);
        reference = finish(shared.resolve("reference"), train, dev, false);
    }

    @Test
    void killedRunsResumeToTheSameResult(@TempDir Path tmp) throws Exception {
        Path killed = tmp.resolve("killed");
        Random random = new Random(7);
        int kills = 0;
        for (int attempt = 0; attempt < 3; attempt++) {
            Process p = start(killed, train, dev, attempt > 0);
            StepWatcher watcher = StepWatcher.attach(p);
            // Let it run past loading and a step or two, then kill it at a random moment.
            if (watcher.awaitStep(1 + random.nextInt(3))) {
                Thread.sleep(random.nextInt(1500));
                p.destroyForcibly(); // SIGKILL: no shutdown hook, no handler runs
                kills++;
            }
            // never two runs on one folder: this one is gone (killed, or ended) before the next starts
            awaitExit(p, watcher, "attempt " + attempt);
        }
        assertTrue(kills >= 2, "the runs were killed while training: " + kills);
        JsonObject resumed = finish(killed, train, dev, true);
        assertEquals(reference.get("metrics"), resumed.get("metrics"), "metrics after kills and resumes");
        assertEquals(STEPS, resumed.get("steps").getAsInt());
        try (var leftovers = Files.list(killed)) {
            assertTrue(leftovers.noneMatch(f -> f.getFileName().toString().startsWith(".")),
                    "no temporary files left beside the run's files");
        }
    }

    @Test
    void sigtermSavesACheckpointAndExitsCleanly(@TempDir Path tmp) throws Exception {
        Path stopped = tmp.resolve("stopped");
        String printed = stopAfterTwoSteps(stopped, "TERM", StopSignals.EXIT_TERMINATED);
        assertTrue(!printed.contains("Exception"), "no stack trace: " + printed);
        JsonObject resumed = finish(stopped, train, dev, true);
        assertEquals(reference.get("metrics"), resumed.get("metrics"), "metrics after SIGTERM and resume");
    }

    /** Ctrl-C stops like SIGTERM, checkpoint first, but exits 130 as shells report a run ended by SIGINT. */
    @Test
    void ctrlCSavesACheckpointAndExits130(@TempDir Path tmp) throws Exception {
        Path stopped = tmp.resolve("interrupted");
        String printed = stopAfterTwoSteps(stopped, "INT", StopSignals.EXIT_INTERRUPTED);
        assertTrue(printed.contains("stop requested"), printed);
        try (var checkpoints = Files.list(stopped.resolve("checkpoints"))) {
            assertTrue(checkpoints.findAny().isPresent(), "a checkpoint to resume from");
        }
    }

    /**
     * Starts a run, sends it {@code signal} once it has made two steps, and checks that it wrote a
     * checkpoint and exited with {@code exitStatus}; returns what it printed.
     */
    private static String stopAfterTwoSteps(Path output, String signal, int exitStatus) throws Exception {
        Process p = start(output, train, dev, false);
        StepWatcher watcher = StepWatcher.attach(p);
        assertTrue(watcher.awaitStep(2), "the run got going: " + watcher.text());
        // Not Process.destroy(): it sends SIGTERM too, but closes our end of the child's output first.
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
        awaitExit(p, watcher, "the run sent SIG" + signal);
        assertEquals(exitStatus, p.exitValue(), watcher.text());
        assertTrue(watcher.text().contains("checkpoint saved in"), watcher.text());
        return watcher.text();
    }

    private static JsonObject finish(Path output, Path train, Path dev, boolean resume) throws Exception {
        Process p = start(output, train, dev, resume);
        StepWatcher watcher = StepWatcher.attach(p);
        awaitExit(p, watcher, "the run");
        assertEquals(0, p.exitValue(), watcher.text());
        return JsonParser.parseString(Files.readString(output.resolve("results.json"))).getAsJsonObject();
    }

    /**
     * Waits for the child to exit and for its output to be read to the end; a child still running
     * after {@link #WAIT_MINUTES} is killed and fails the test with what it printed.
     */
    private static void awaitExit(Process p, StepWatcher watcher, String what) throws InterruptedException {
        if (!p.waitFor(WAIT_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(what + " did not end in " + WAIT_MINUTES + " minutes: " + watcher.text());
        }
        assertTrue(watcher.done.await(WAIT_MINUTES, TimeUnit.MINUTES), what + ": its output was not read to the end");
    }

    /**
     * A training run in its own JVM. Perl starts it with SIGINT at its default: a JVM whose parent
     * ignored SIGINT (any background job of a script, such as a CI run) could never see Ctrl-C.
     */
    private static Process start(Path output, Path train, Path dev, boolean resume) throws IOException {
        List<String> command = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"$!\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                ChildTuneCli.class.getName(), "train", "--train-file", train.toString(), "--validation-file",
                dev.toString(), "--max-steps", Integer.toString(STEPS), "--batch-size", "4", "--learning-rate", "1e-4",
                "--save-steps", "1", "--max-length", "16", "--output", output.toString()));
        if (resume) {
            command.add("--resume");
        }
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Reads a child's output as it comes and signals when a given step has been reached. */
    private static final class StepWatcher {
        private final StringBuffer text = new StringBuffer();
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile int step;

        static StepWatcher attach(Process p) {
            StepWatcher w = new StepWatcher();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        w.text.append(line).append('\n');
                        if (line.startsWith("step ")) {
                            w.step = Integer.parseInt(line.substring(5, line.indexOf('/')));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    w.text.append("(reader: ").append(e).append(")\n");
                } finally {
                    w.done.countDown();
                }
            });
            reader.setDaemon(true);
            reader.start();
            return w;
        }

        boolean awaitStep(int wanted) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(WAIT_MINUTES);
            while (step < wanted && done.getCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            return step >= wanted;
        }

        String text() {
            return text.toString();
        }
    }
}
