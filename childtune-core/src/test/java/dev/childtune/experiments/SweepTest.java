package dev.childtune.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep loop and the results database, with a fake trial command: failures, resume, claims, two sweeps at once. */
class SweepTest {
    /** How long a wait may last before it counts as a hang: far beyond what a loaded machine needs. */
    private static final long WAIT_MINUTES = 5;

    @TempDir
    Path tmp;

    private final Map<Long, AtomicInteger> launches = new ConcurrentHashMap<>();

    /** Stands in for a trial's process: writes results.json with accuracy = seed / 100; seed 13 fails. */
    private final TrialLauncher fake = (args, log, threads) -> {
        long seed = Long.parseLong(args.get(args.indexOf("--seed") + 1));
        launches.computeIfAbsent(seed, k -> new AtomicInteger()).incrementAndGet();
        if (seed == 13) {
            Files.writeString(log, "step 1/5\nchildtune: error: boom at seed 13\n");
            return 1;
        }
        Path output = Path.of(args.get(args.indexOf("--output") + 1));
        Files.createDirectories(output);
        Files.writeString(output.resolve("results.json"),
                "{\"metrics\": {\"accuracy\": " + seed / 100.0 + "}, \"main_metric\": \"accuracy\"}");
        return 0;
    };

    private List<Trial> trials(long... seeds) throws IOException {
        String yaml = "name: t\ntasks: {rte: {data: x}}\nmethods: {vanilla: }\nseeds: "
                + java.util.Arrays.toString(seeds) + "\n";
        return SweepConfig.read(Files.writeString(tmp.resolve("t.yaml"), yaml), SweepConfigTest.SCHEMA).trials();
    }

    private ResultsDb db() {
        return ResultsDb.open(ResultsDb.sqliteUrl(tmp.resolve("db/sweep.db")));
    }

    private Sweep.Summary sweep(ResultsDb db, List<Trial> trials, TrialLauncher launcher, Worker worker, int parallel)
            throws InterruptedException {
        return new Sweep(db, new TrialRunner(launcher), parallel, 1, worker, SILENT).run("t", trials, tmp.resolve("runs"));
    }

    private static final Sweep.Listener SILENT = new Sweep.Listener() {
        public void started(int total, int alreadyDone, int parallel, int threadsPerTrial) {}

        public void trialStarted(ResultsDb.Claim claim, Sweep.Progress progress) {}

        public void trialFinished(ResultsDb.Claim claim, List<Evaluation> evaluations, String error, double seconds,
                Sweep.Progress progress) {}
    };

    private Map<Long, String> statusBySeed(ResultsDb db) {
        return db.trials().stream().collect(Collectors.toMap(ResultsDb.StoredTrial::seed, ResultsDb.StoredTrial::status));
    }

    @Test
    void aFailedTrialIsRecordedWithItsErrorAndTheSweepGoesOn() throws Exception {
        ResultsDb db = db();
        Sweep.Summary summary = sweep(db, trials(1, 13, 2), fake, Worker.current(), 1);
        assertEquals(new Sweep.Summary(3, 2, 1, 0), summary);
        ResultsDb.StoredTrial failed = db.trials().stream().filter(t -> t.seed() == 13).findFirst().orElseThrow();
        assertEquals("failed", failed.status());
        assertTrue(failed.error().startsWith("train exited with code 1: childtune: error: boom at seed 13 (log: "), failed.error());
        ResultsDb.StoredTrial done = db.trials().stream().filter(t -> t.seed() == 2).findFirst().orElseThrow();
        assertEquals(0.02, done.evaluations().get("rte").main());
        assertEquals("accuracy", done.evaluations().get("rte").mainMetric());
        assertEquals(tmp.resolve("runs/t").resolve(trials(2).get(0).id()).toAbsolutePath(), done.outputDir());
        assertTrue(done.seconds() >= 0);
    }

    @Test
    void reRunningSkipsFinishedTrialsAndRetriesFailedAndAbandonedOnes() throws Exception {
        ResultsDb db = db();
        List<Trial> trials = trials(1, 2, 3, 4, 13);
        sweep(db, trials, fake, Worker.current(), 1);
        launches.clear();
        // as a killed sweep leaves them: trial 3 running under a process of this host that is gone,
        // trial 4 running under a live sweep elsewhere, whose heartbeat is fresh
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        setRunning(trials.get(2).hash(), new Worker(Worker.hostName(), gone.pid(), 1).id(), System.currentTimeMillis());
        setRunning(trials.get(3).hash(), "otherhost:1:1", System.currentTimeMillis());
        Sweep.Summary summary = sweep(db, trials, fake, Worker.current(), 1);
        assertEquals(Map.of(3L, 1, 13L, 1), counts(), "only the abandoned and the failed trial ran again");
        assertEquals(new Sweep.Summary(5, 3, 1, 1), summary);
        assertEquals("running", statusBySeed(db).get(4L), "a live sweep's trial is left alone");
        // once that sweep's heartbeat is older than the lease, its trial is taken over
        setRunning(trials.get(3).hash(), "otherhost:1:1", System.currentTimeMillis() - ResultsDb.LEASE_MILLIS - 1);
        launches.clear();
        sweep(db, trials, fake, Worker.current(), 1);
        assertEquals(Map.of(4L, 1, 13L, 1), counts());
        assertEquals("done", statusBySeed(db).get(4L));
    }

    @Test
    void aTrialIsDoneOnlyWithItsMetricsAndAStoppedSweepHandsItsTrialsBack() throws Exception {
        ResultsDb db = db();
        List<Trial> trials = trials(1, 2);
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        TrialLauncher hangs = (args, log, threads) -> {
            running.countDown();
            Thread.sleep(60_000);
            return 0;
        };
        Sweep sweep = new Sweep(db, new TrialRunner(hangs), 1, 1, Worker.current(), SILENT);
        Thread thread = new Thread(() -> {
            try {
                sweep.run("t", trials, tmp.resolve("runs"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        thread.start();
        assertTrue(running.await(WAIT_MINUTES, TimeUnit.MINUTES), "the sweep launched its first trial");
        assertEquals("running", statusBySeed(db).get(1L));
        sweep.stop();
        thread.join(TimeUnit.MINUTES.toMillis(WAIT_MINUTES));
        assertFalse(thread.isAlive(), "the stopped sweep ended");
        assertEquals(Map.of(1L, "pending", 2L, "pending"), statusBySeed(db), "nothing marked done that is not");
        assertTrue(db.trials().stream().allMatch(t -> t.evaluations().isEmpty()));
    }

    @Test
    void twoSweepsOnOneDatabaseRunEachTrialOnce() throws Exception {
        List<Trial> trials = trials(1, 2, 3, 4, 5, 6, 7, 8);
        TrialLauncher slow = (args, log, threads) -> {
            Thread.sleep(30);
            return fake.run(args, log, threads);
        };
        List<Sweep.Summary> summaries = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (String host : List.of("a", "b")) {
            Thread t = new Thread(() -> {
                try {
                    summaries.add(sweep(db(), trials, slow, new Worker(host, 1, 1), 2));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    errors.add(e);
                } catch (RuntimeException | Error e) {
                    errors.add(e);
                }
            }, "sweep " + host);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(WAIT_MINUTES));
            assertFalse(t.isAlive(), t.getName() + " ended");
        }
        assertEquals(List.of(), errors.stream().map(Throwable::toString).toList(), "neither sweep died");
        assertEquals(2, summaries.size());
        assertEquals(8, launches.size());
        assertTrue(launches.values().stream().allMatch(n -> n.get() == 1), "each trial ran once: " + launches);
        assertTrue(statusBySeed(db()).values().stream().allMatch("done"::equals));
    }

    @Test
    void eachTrialRunsInItsOwnJvmWithItsThreadCount() throws Exception {
        ResultsDb db = db();
        JvmLauncher jvm = JvmLauncher.sameJvm(FakeTrialMain.class.getName(), List.of("-Xmx64m"));
        Sweep.Summary summary = new Sweep(db, new TrialRunner(jvm), 2, 3, Worker.current(), SILENT)
                .run("t", trials(5, 13), tmp.resolve("runs"));
        assertEquals(new Sweep.Summary(2, 1, 1, 0), summary);
        ResultsDb.StoredTrial ok = db.trials().stream().filter(t -> t.seed() == 5).findFirst().orElseThrow();
        assertEquals(0.05, ok.evaluations().get("rte").main());
        String log = Files.readString(ok.outputDir().resolve(TrialRunner.LOG_FILE));
        assertTrue(log.contains("fake trial, 3 threads, OMP 3"), log);
        ResultsDb.StoredTrial failed = db.trials().stream().filter(t -> t.seed() == 13).findFirst().orElseThrow();
        assertTrue(failed.error().contains("childtune: error: boom at seed 13"), failed.error());
    }

    private Map<Long, Integer> counts() {
        return launches.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    }

    private void setRunning(String hash, String worker, long heartbeat) throws SQLException {
        try (Connection c = DriverManager.getConnection(ResultsDb.sqliteUrl(tmp.resolve("db/sweep.db")));
                PreparedStatement s = c.prepareStatement(
                        "UPDATE trials SET status = 'running', worker = ?, heartbeat_ms = ? WHERE hash = ?")) {
            s.setString(1, worker);
            s.setLong(2, heartbeat);
            s.setString(3, hash);
            assertEquals(1, s.executeUpdate());
        }
    }
}
