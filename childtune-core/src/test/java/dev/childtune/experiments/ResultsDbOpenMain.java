package dev.childtune.experiments;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One of several processes that open one fresh SQLite results database at the same moment, for
 * {@link ResultsDbConcurrencyTest}. Arguments: a work folder, this process's index, the number of
 * rounds, the sweep file. For each round {@code r} it prints {@code ready r}, waits for the file
 * {@code go-r} in the work folder (the start barrier all processes share), then opens
 * {@code r/results.db}, registers the sweep's trials, claims one and finishes it with a metric, and
 * prints {@code ok r <hash>}. Any error prints {@code error r <message>} (its stack trace on stderr)
 * and exits with 1.
 */
public final class ResultsDbOpenMain {
    /** How long a process waits at the barrier before giving up: far beyond any loaded machine's start-up. */
    static final long BARRIER_MILLIS = 300_000;

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int index = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        List<Trial> trials = SweepConfig.read(Path.of(args[3]), SweepConfigTest.SCHEMA).trials();
        Worker me = new Worker("process" + index, ProcessHandle.current().pid(), index);
        PrintStream out = System.out;
        for (int round = 0; round < rounds; round++) {
            out.println("ready " + round);
            out.flush();
            try {
                awaitFile(work.resolve("go-" + round));
                ResultsDb db = ResultsDb.open(ResultsDb.sqliteUrl(work.resolve(round + "/results.db")));
                db.register("s", trials, work.resolve(round + "/runs"));
                Optional<ResultsDb.Claim> claim = db.claim(trials, Set.of(), me);
                if (claim.isEmpty()) {
                    throw new IllegalStateException("no trial left to claim");
                }
                String hash = claim.get().trial().hash();
                Evaluation evaluation = new Evaluation("rte", "accuracy", Map.of("accuracy", index / 100.0));
                if (!db.finish(hash, me, List.of(evaluation), 0.0)) {
                    throw new IllegalStateException("lost the claim on " + hash);
                }
                out.println("ok " + round + " " + hash);
                out.flush();
            } catch (Exception | Error e) {
                out.println("error " + round + " " + String.valueOf(e).replace('\n', ' '));
                out.flush();
                e.printStackTrace();
                System.exit(1);
            }
        }
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + BARRIER_MILLIS * 1_000_000;
        while (!Files.exists(file)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the start barrier " + file + " never opened");
            }
            Thread.sleep(1);
        }
    }
}
