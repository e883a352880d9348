package dev.childtune.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.childtune.ChildTuneException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several sweeps that start together open one SQLite results database at the same moment: the
 * first of them creates the file, switches it to WAL and creates the tables while the others do the
 * same. Every one of them must get the database, and the database must come out whole.
 *
 * <p>No assertion depends on how fast anything ran: the processes and threads are released together
 * by a barrier, and the waits only bound a hang (minutes, with a message saying who hung).
 */
class ResultsDbConcurrencyTest {
    /** Trials registered by every opener; more than openers, so each can claim one of its own. */
    private static final int TRIALS = 6;
    /** How long the test waits for a child's next line before calling it hung. */
    private static final long CHILD_SILENCE_MINUTES = 5;

    @TempDir
    Path tmp;

    private Path sweepFile() throws IOException {
        String seeds = IntStream.rangeClosed(1, TRIALS).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        return Files.writeString(tmp.resolve("sweep.yaml"),
                "name: s\ntasks: {rte: {data: x}}\nmethods: {vanilla: }\nseeds: [" + seeds + "]\n");
    }

    @Test
    void severalProcessesOpenOneFreshDatabaseAtOnce() throws Exception {
        int processes = 4;
        int rounds = 25;
        Path sweepFile = sweepFile();
        List<Trial> trials = SweepConfig.read(sweepFile, SweepConfigTest.SCHEMA).trials();
        Path work = Files.createDirectories(tmp.resolve("work"));
        List<Process> children = new ArrayList<>();
        List<BlockingQueue<String>> lines = new ArrayList<>();
        try {
            for (int i = 0; i < processes; i++) {
                ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                        ResultsDbOpenMain.class.getName(), work.toString(), Integer.toString(i), Integer.toString(rounds),
                        sweepFile.toString());
                builder.redirectError(tmp.resolve("child-" + i + ".err").toFile());
                Process child = builder.start();
                child.getOutputStream().close();
                children.add(child);
                lines.add(lines(child));
            }
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < processes; i++) {
                    expect(lines.get(i), "ready " + round, i);
                }
                // every process is at the barrier: open it for all at once
                Files.createFile(work.resolve("go-" + round));
                Map<Integer, String> claimed = new HashMap<>();
                for (int i = 0; i < processes; i++) {
                    String line = expect(lines.get(i), "ok " + round + " ", i);
                    claimed.put(i, line.substring(("ok " + round + " ").length()));
                }
                assertConsistent(work.resolve(round + "/results.db"), trials, claimed, "process", "round " + round);
            }
            for (int i = 0; i < processes; i++) {
                Process child = children.get(i);
                assertTrue(child.waitFor(CHILD_SILENCE_MINUTES, TimeUnit.MINUTES), "process " + i + " did not exit");
                assertEquals(0, child.exitValue(), "process " + i + ": " + stderr(i));
            }
        } finally {
            for (Process child : children) { // gone before the temporary folder is deleted
                child.destroyForcibly();
                child.waitFor(CHILD_SILENCE_MINUTES, TimeUnit.MINUTES);
            }
        }
    }

    @Test
    void severalThreadsOpenOneFreshDatabaseAtOnce() throws Exception {
        int threads = 6;
        int rounds = 30;
        List<Trial> trials = SweepConfig.read(sweepFile(), SweepConfigTest.SCHEMA).trials();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < rounds; round++) {
                Path file = tmp.resolve(round + "/results.db");
                CyclicBarrier barrier = new CyclicBarrier(threads);
                List<Future<String>> futures = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    Worker me = new Worker("thread" + i, ProcessHandle.current().pid(), i);
                    futures.add(pool.submit(() -> {
                        barrier.await(CHILD_SILENCE_MINUTES, TimeUnit.MINUTES);
                        ResultsDb db = ResultsDb.open(ResultsDb.sqliteUrl(file));
                        db.register("s", trials, file.resolveSibling("runs"));
                        Optional<ResultsDb.Claim> claim = db.claim(trials, Set.of(), me);
                        String hash = claim.orElseThrow(() -> new AssertionError(me + " claimed nothing")).trial().hash();
                        assertTrue(db.finish(hash, me, List.of(new Evaluation("rte", "accuracy",
                                Map.of("accuracy", me.startMillis() / 100.0))), 0.0), me + " lost its claim");
                        return hash;
                    }));
                }
                Map<Integer, String> claimed = new HashMap<>();
                for (int i = 0; i < threads; i++) {
                    try {
                        claimed.put(i, futures.get(i).get(CHILD_SILENCE_MINUTES, TimeUnit.MINUTES));
                    } catch (ExecutionException e) {
                        throw new AssertionError("round " + round + ", thread " + i + ": " + e.getCause(), e.getCause());
                    }
                }
                assertConsistent(file, trials, claimed, "thread", "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void openingGivesUpAfterItsAttemptsWithOneLineNamingTheFile() throws Exception {
        Path file = tmp.resolve("held.db");
        String url = ResultsDb.sqliteUrl(file);
        try (Connection holder = DriverManager.getConnection(url); Statement s = holder.createStatement()) {
            s.execute("CREATE TABLE other (x INTEGER)"); // the file exists, in rollback-journal mode
            // a reserved lock: others may read the file but not switch it to WAL, and SQLite tells them
            // so at once (SQLITE_BUSY without waiting), since waiting could deadlock
            s.execute("BEGIN IMMEDIATE");
            ChildTuneException e = assertThrows(ChildTuneException.class,
                    () -> ResultsDb.open(url, ResultsDb.BUSY_TIMEOUT_MILLIS, 3));
            assertTrue(e.getMessage().startsWith(file.toAbsolutePath().normalize()
                    + ": the results database stayed locked by another process; gave up opening it after 3 attempts ("),
                    e.getMessage());
            assertTrue(e.getMessage().contains("SQLITE_BUSY"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            s.execute("COMMIT");
        }
        // the lock gone, the same file opens, in WAL mode, with its tables
        ResultsDb db = ResultsDb.open(url);
        assertEquals(List.of(), db.trials());
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertEquals("wal", single(s, "PRAGMA journal_mode"));
        }
    }

    @Test
    void anErrorThatIsNotContentionIsNotRetried() throws Exception {
        Path file = Files.writeString(tmp.resolve("text.db"), "not an SQLite database, ".repeat(100));
        ChildTuneException e = assertThrows(ChildTuneException.class, () -> ResultsDb.open(ResultsDb.sqliteUrl(file)));
        assertTrue(e.getMessage().startsWith(file.toAbsolutePath().normalize() + ": database error: "), e.getMessage());
        assertTrue(e.getMessage().contains("SQLITE_NOTADB"), e.getMessage());
        assertFalse(e.getMessage().contains("attempt"), e.getMessage());
    }

    /**
     * The database holds every trial once; exactly the claimed ones are done, each by the opener that
     * claimed it, in one attempt, with its metric; the rest are pending; it is in WAL mode and intact.
     */
    private static void assertConsistent(Path file, List<Trial> trials, Map<Integer, String> claimed, String host,
            String what) throws SQLException {
        assertEquals(claimed.size(), Set.copyOf(claimed.values()).size(), what + ": each opener claimed a trial of its own: " + claimed);
        Map<String, Integer> byHash = new HashMap<>();
        claimed.forEach((i, hash) -> byHash.put(hash, i));
        try (Connection c = DriverManager.getConnection(ResultsDb.sqliteUrl(file)); Statement s = c.createStatement()) {
            assertEquals("ok", single(s, "PRAGMA integrity_check"), what);
            assertEquals("wal", single(s, "PRAGMA journal_mode"), what);
            assertEquals(Integer.toString(TRIALS), single(s, "SELECT COUNT(*) FROM trials"), what);
            assertEquals(trials.stream().map(Trial::hash).collect(Collectors.toSet()),
                    Set.copyOf(column(s, "SELECT hash FROM trials")), what);
            assertEquals(Integer.toString(claimed.size()), single(s, "SELECT COUNT(*) FROM metrics"), what);
            try (ResultSet rs = s.executeQuery("SELECT hash, status, worker, attempts FROM trials")) {
                while (rs.next()) {
                    Integer opener = byHash.get(rs.getString(1));
                    if (opener == null) {
                        assertEquals("pending", rs.getString(2), what + ": an unclaimed trial");
                        assertEquals(0, rs.getInt(4), what);
                    } else {
                        assertEquals("done", rs.getString(2), what + ": " + host + " " + opener + "'s trial");
                        assertTrue(rs.getString(3).startsWith(host + opener + ":"), what + ": " + rs.getString(3));
                        assertEquals(1, rs.getInt(4), what + ": claimed once");
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT hash, value FROM metrics")) {
                while (rs.next()) {
                    assertTrue(byHash.containsKey(rs.getString(1)), what + ": metrics of a trial nobody finished");
                }
            }
        }
    }

    private static String single(Statement s, String sql) throws SQLException {
        List<String> values = column(s, sql);
        assertEquals(1, values.size(), sql + ": " + values);
        return values.get(0);
    }

    private static List<String> column(Statement s, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    /** The child's stdout, line by line, as a reader thread sees it; {@code "EOF"} when it ends. */
    private static BlockingQueue<String> lines(Process child) {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    queue.add(line);
                }
            } catch (IOException e) {
                queue.add("read error: " + e);
            }
            queue.add("EOF");
        }, "child " + child.pid() + " stdout");
        reader.setDaemon(true);
        reader.start();
        return queue;
    }

    private String expect(BlockingQueue<String> lines, String prefix, int child) throws InterruptedException, IOException {
        String line = lines.poll(CHILD_SILENCE_MINUTES, TimeUnit.MINUTES);
        if (line == null) {
            fail("process " + child + " said nothing for " + CHILD_SILENCE_MINUTES + " minutes (expected '" + prefix
                    + "...'): " + stderr(child));
        }
        if (!line.startsWith(prefix)) {
            fail("process " + child + ": expected '" + prefix + "...', got '" + line + "': " + stderr(child));
        }
        return line;
    }

    private String stderr(int child) throws IOException {
        Path err = tmp.resolve("child-" + child + ".err");
        return Files.exists(err) ? Files.readString(err) : "";
    }
}
