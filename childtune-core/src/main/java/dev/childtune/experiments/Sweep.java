package dev.childtune.experiments;

import dev.childtune.ChildTuneException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Runs the trials of a sweep that are not done yet, {@code parallel} at a time: each worker
 * claims the next trial in the database, runs it through the {@link TrialRunner} and records
 * its metrics or its error, then claims the next. A failed trial does not stop the sweep; it is
 * tried again by the next sweep over the same database. While the sweep runs, a heartbeat
 * renews its claims; {@link #stop()} ends the running trials and hands them back as pending.
 */
public final class Sweep {
    /** What the sweep reports as it goes. */
    public interface Listener {
        void started(int total, int alreadyDone, int parallel, int threadsPerTrial);

        void trialStarted(ResultsDb.Claim claim, Progress progress);

        /** @param evaluations the trial's metrics, or null when it failed with {@code error} */
        void trialFinished(ResultsDb.Claim claim, List<Evaluation> evaluations, String error, double seconds,
                Progress progress);
    }

    /**
     * @param done trials done (in earlier sweeps too)
     * @param failed trials that failed in this sweep
     * @param running trials running now, in this sweep or another
     * @param left trials neither done nor failed in this sweep (running ones included)
     * @param etaSeconds the time the trials left should take at this sweep's pace; NaN before one finished
     */
    public record Progress(int total, int done, int failed, int running, int left, double etaSeconds) {}

    /** @param elsewhere trials left running in another sweep on the same database */
    public record Summary(int total, int done, int failed, int elsewhere) {}

    private final ResultsDb db;
    private final TrialRunner runner;
    private final int parallel;
    private final int threadsPerTrial;
    private final Worker me;
    private final Listener listener;
    private final Set<String> attempted = ConcurrentHashMap.newKeySet();
    private final Set<String> failedHere = ConcurrentHashMap.newKeySet();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicReference<RuntimeException> crash = new AtomicReference<>();
    private volatile boolean stopping;
    private final DoubleAdder secondsFinished = new DoubleAdder();

    public Sweep(ResultsDb db, TrialRunner runner, int parallel, int threadsPerTrial, Worker me, Listener listener) {
        if (parallel < 1 || threadsPerTrial < 1) {
            throw new ChildTuneException("--parallel and the threads per trial must be at least 1");
        }
        this.db = db;
        this.runner = runner;
        this.parallel = parallel;
        this.threadsPerTrial = threadsPerTrial;
        this.me = me;
        this.listener = listener;
    }

    /** Registers the trials in the database and runs those not done; returns when none is left to claim. */
    public Summary run(String sweepName, List<Trial> trials, Path runsDir) throws InterruptedException {
        db.register(sweepName, trials, runsDir);
        List<String> hashes = trials.stream().map(Trial::hash).toList();
        Map<String, String> statuses = db.statuses(hashes);
        int alreadyDone = (int) statuses.values().stream().filter("done"::equals).count();
        listener.started(trials.size(), alreadyDone, parallel, threadsPerTrial);
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sweep-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long period = ResultsDb.LEASE_MILLIS / 6;
        heartbeat.scheduleAtFixedRate(() -> {
            try {
                db.heartbeat(me);
            } catch (RuntimeException e) {
                // a busy or unreachable database: the next beat tries again (a scheduled task that throws never runs again)
            }
        }, period, period, TimeUnit.MILLISECONDS);
        try {
            synchronized (workers) {
                for (int i = 0; i < parallel; i++) {
                    Thread worker = new Thread(() -> {
                        try {
                            work(trials, hashes);
                        } catch (RuntimeException e) { // the database failed: the sweep cannot go on
                            crash.compareAndSet(null, e);
                        }
                    }, "sweep-worker-" + i);
                    workers.add(worker);
                    worker.start();
                }
            }
            for (Thread worker : List.copyOf(workers)) {
                worker.join();
            }
        } finally {
            heartbeat.shutdownNow();
        }
        if (crash.get() != null) {
            db.release(me);
            throw crash.get();
        }
        statuses = db.statuses(hashes);
        int done = (int) statuses.values().stream().filter("done"::equals).count();
        int running = (int) statuses.values().stream().filter("running"::equals).count();
        return new Summary(trials.size(), done, failedHere.size(), running);
    }

    private void work(List<Trial> trials, List<String> hashes) {
        while (!stopping) {
            Optional<ResultsDb.Claim> next = db.claim(trials, attempted, me);
            if (next.isEmpty()) {
                return;
            }
            ResultsDb.Claim claim = next.get();
            String hash = claim.trial().hash();
            attempted.add(hash);
            listener.trialStarted(claim, progress(hashes));
            long started = System.nanoTime();
            List<Evaluation> evaluations = null;
            String error;
            try {
                evaluations = runner.run(claim.trial(), claim.outputDir(), threadsPerTrial);
                error = null;
            } catch (InterruptedException e) {
                return; // stop(): the claim is handed back
            } catch (ChildTuneException e) {
                error = e.getMessage();
            } catch (RuntimeException e) {
                error = "internal error: " + e;
            }
            if (stopping) {
                return;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            if (evaluations != null && !db.finish(hash, me, evaluations, seconds)) {
                error = "another sweep took this trial over (this sweep's heartbeat was late); its result was dropped";
                evaluations = null;
            } else if (evaluations == null) {
                db.fail(hash, me, error, seconds);
                failedHere.add(hash);
            }
            secondsFinished.add(seconds);
            finished.incrementAndGet();
            listener.trialFinished(claim, evaluations, error, seconds, progress(hashes));
        }
    }

    private Progress progress(List<String> hashes) {
        Map<String, String> statuses = db.statuses(hashes);
        int done = (int) statuses.values().stream().filter("done"::equals).count();
        int running = (int) statuses.values().stream().filter("running"::equals).count();
        int left = hashes.size() - done - failedHere.size();
        int n = finished.get();
        double eta = n == 0 ? Double.NaN : secondsFinished.sum() / n * left / parallel;
        return new Progress(hashes.size(), done, failedHere.size(), running, left, eta);
    }

    /**
     * Stops the sweep (from a shutdown hook or another thread): running trials are interrupted,
     * their processes ended, and their rows handed back as pending for the next sweep.
     */
    public void stop() {
        stopping = true;
        List<Thread> running;
        synchronized (workers) {
            running = List.copyOf(workers);
        }
        running.forEach(Thread::interrupt);
        for (Thread worker : running) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        db.release(me);
    }
}
