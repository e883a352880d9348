package dev.childtune.experiments;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The results database: one row per trial (its configuration and hash, status, timings, error,
 * folder) and one per metric. SQLite by default, any JDBC database whose driver is on the class
 * path otherwise; the SQL is portable.
 *
 * <p>Every change is one transaction. A trial moves {@code pending → running → done | failed}; a
 * sweep claims a trial by a conditional update (it takes the row only in the state it saw), so two
 * sweeps on one database never run the same trial, and a trial becomes {@code done} only together
 * with its metrics, after its process exited cleanly. A {@code running} row whose sweep has died
 * (on this host: its process is gone; elsewhere: its heartbeat is older than the lease) is taken
 * over. SQLite runs in WAL mode with a busy timeout and immediate transactions.
 */
public final class ResultsDb {
    /** A claim not renewed for this long belongs to a dead sweep. */
    public static final long LEASE_MILLIS = 90_000;

    private static final String SCHEMA_TRIALS = """
            CREATE TABLE IF NOT EXISTS trials (
              hash TEXT PRIMARY KEY,
              sweep TEXT NOT NULL,
              study TEXT NOT NULL,
              model TEXT NOT NULL,
              task TEXT NOT NULL,
              method TEXT NOT NULL,
              grid TEXT NOT NULL,
              seed BIGINT NOT NULL,
              protocol TEXT NOT NULL,
              config TEXT NOT NULL,
              output_dir TEXT NOT NULL,
              position BIGINT NOT NULL,
              status TEXT NOT NULL,
              attempts INTEGER NOT NULL,
              worker TEXT,
              heartbeat_ms BIGINT,
              started_at TEXT,
              finished_at TEXT,
              seconds DOUBLE PRECISION,
              error TEXT)""";
    private static final String SCHEMA_METRICS = """
            CREATE TABLE IF NOT EXISTS metrics (
              hash TEXT NOT NULL,
              evaluation TEXT NOT NULL,
              metric TEXT NOT NULL,
              value DOUBLE PRECISION,
              main INTEGER NOT NULL,
              PRIMARY KEY (hash, evaluation, metric))""";

    /**
     * How long an SQLite statement waits for another connection's lock before it fails with
     * SQLITE_BUSY. The driver installs it at {@code sqlite3_open}, before any pragma or statement
     * runs on the connection.
     */
    static final int BUSY_TIMEOUT_MILLIS = 60_000;
    /** How many times {@link #open} tries to switch the database to WAL and create its tables. */
    static final int OPEN_ATTEMPTS = 10;
    private static final long FIRST_BACKOFF_MILLIS = 20;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final String url;
    private final boolean sqlite;
    private final Properties properties = new Properties();
    private final String localHost = Worker.hostName();

    private ResultsDb(String url, int busyTimeoutMillis) {
        this.url = url;
        this.sqlite = url.startsWith("jdbc:sqlite:");
        if (sqlite) {
            // No journal_mode here: run at every connection's set-up, the switch to WAL fails with
            // SQLITE_BUSY when two processes open a fresh file together. open() switches once, with
            // retries; WAL mode is then a property of the file that every later connection finds.
            properties.setProperty("busy_timeout", Integer.toString(busyTimeoutMillis));
            properties.setProperty("transaction_mode", "IMMEDIATE");
        }
    }

    /** The JDBC URL of an SQLite file. */
    public static String sqliteUrl(Path file) {
        return "jdbc:sqlite:" + file.toAbsolutePath().normalize();
    }

    /**
     * Opens (creating the SQLite file's folder and the tables when missing) the database at {@code url}.
     * Several processes may open one database at the same moment: an SQLite file is switched to WAL
     * mode and given its tables by whichever gets there first, and the others retry (a bounded number
     * of times, with growing pauses) what they lost to it.
     */
    public static ResultsDb open(String url) {
        return open(url, BUSY_TIMEOUT_MILLIS, OPEN_ATTEMPTS);
    }

    static ResultsDb open(String url, int busyTimeoutMillis, int attempts) {
        String where = url;
        if (url.startsWith("jdbc:sqlite:") && !url.contains(":memory:")) {
            Path file = Path.of(url.substring("jdbc:sqlite:".length()).replaceFirst("\\?.*", ""));
            where = file.toString();
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
            } catch (IOException e) {
                throw new ChildTuneException(file + ": cannot create the database's folder: " + e.getMessage(), e);
            }
        }
        ResultsDb db = new ResultsDb(url, busyTimeoutMillis);
        if (!db.sqlite) {
            where = db.url();
        }
        for (int attempt = 1; ; attempt++) {
            long start = System.nanoTime();
            try {
                db.initialize();
                return db;
            } catch (SQLException e) {
                if (!db.contention(e)) {
                    throw new ChildTuneException(where + ": database error: " + oneLine(e), e);
                }
                // an attempt that waited out the whole busy timeout met a lock held for long, not another opener
                boolean waitedOut = System.nanoTime() - start >= busyTimeoutMillis * 1_000_000L;
                if (attempt >= attempts || waitedOut) {
                    throw new ChildTuneException(where + ": the results database stayed locked by another process;"
                            + " gave up opening it after " + attempt + (attempt == 1 ? " attempt" : " attempts")
                            + " (" + oneLine(e) + ")", e);
                }
                long backoff = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(attempt - 1, 20));
                try {
                    // jittered, so that openers that collided once do not collide again in step
                    Thread.sleep(backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new ChildTuneException(where + ": interrupted while waiting to open the results database", e);
                }
            }
        }
    }

    /**
     * Switches an SQLite file to WAL (in autocommit mode, as SQLite requires; a no-op when it is in WAL
     * already) and creates the tables in one transaction. Both steps are idempotent, so a failed
     * attempt, rolled back, may simply be made again.
     */
    private void initialize() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, properties)) {
            if (sqlite) {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA journal_mode=WAL");
                }
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(SCHEMA_TRIALS);
                s.execute(SCHEMA_METRICS);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        }
    }

    /**
     * Whether {@code e} is another connection getting in the way of {@link #initialize}, which a
     * later attempt can get past: SQLite's SQLITE_BUSY or SQLITE_LOCKED (switching to WAL reports
     * SQLITE_BUSY at once, busy timeout or not, when another connection holds a lock: waiting could
     * deadlock); elsewhere a serialization failure or deadlock (SQLState class 40), or a concurrent
     * {@code CREATE TABLE IF NOT EXISTS} that lost the race for the table's name (PostgreSQL reports
     * 23505 or 42P07).
     */
    private boolean contention(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (!(t instanceof SQLException s)) {
                continue;
            }
            if (sqlite) {
                int code = s.getErrorCode() & 0xff;
                if (code == 5 || code == 6) { // SQLITE_BUSY, SQLITE_LOCKED
                    return true;
                }
            } else if (s instanceof SQLTransientException || (s.getSQLState() != null
                    && (s.getSQLState().startsWith("40") || s.getSQLState().equals("23505") || s.getSQLState().equals("42P07")))) {
                return true;
            }
        }
        return false;
    }

    private static String oneLine(Throwable e) {
        return String.valueOf(e.getMessage()).replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** Opens an existing database for reading; a missing SQLite file is an error, not a new database. */
    public static ResultsDb openExisting(String url) {
        if (url.startsWith("jdbc:sqlite:")) {
            Path file = Path.of(url.substring("jdbc:sqlite:".length()).replaceFirst("\\?.*", ""));
            if (!Files.isRegularFile(file)) {
                throw new ChildTuneException(file + ": no such results database (run 'childtune sweep' first)");
            }
        }
        return open(url);
    }

    /** The URL as it may be shown: a password in it is masked. */
    public String url() {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /** Adds the trials that are not in the database yet as {@code pending}; known trials keep their state. */
    public void register(String sweep, List<Trial> trials, Path runsDir) {
        transaction(c -> {
            Set<String> known = new HashSet<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT hash FROM trials")) {
                while (rs.next()) {
                    known.add(rs.getString(1));
                }
            }
            long position = System.currentTimeMillis() * 10_000;
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO trials (hash, sweep, study, model, task, method, grid, seed, protocol, config, output_dir,
                      position, status, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0)""")) {
                for (Trial trial : trials) {
                    String hash = trial.hash();
                    if (!known.add(hash)) {
                        continue;
                    }
                    insert.setString(1, hash);
                    insert.setString(2, sweep);
                    insert.setString(3, trial.study());
                    insert.setString(4, trial.model());
                    insert.setString(5, trial.task().name());
                    insert.setString(6, trial.method());
                    insert.setString(7, Trial.json(trial.grid()).toString());
                    insert.setLong(8, trial.seed());
                    insert.setString(9, trial.protocol());
                    insert.setString(10, trial.config().toString());
                    insert.setString(11, runsDir.resolve(sweep).resolve(trial.id()).toAbsolutePath().normalize().toString());
                    insert.setLong(12, position++);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    /** A trial this sweep now owns, with the folder it runs in. */
    public record Claim(Trial trial, Path outputDir, int attempt) {}

    /**
     * Claims the first trial of {@code order} that is pending, failed, or running under a dead
     * sweep, skipping {@code exclude} (the trials this sweep already tried).
     */
    public Optional<Claim> claim(List<Trial> order, Set<String> exclude, Worker me) {
        return transaction(c -> {
            Map<String, String[]> open = new HashMap<>(); // hash -> status, worker, heartbeat, output_dir, attempts
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT hash, status, worker, heartbeat_ms, output_dir, attempts FROM trials WHERE status <> 'done'")) {
                while (rs.next()) {
                    open.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6)});
                }
            }
            long now = System.currentTimeMillis();
            for (Trial trial : order) {
                String hash = trial.hash();
                String[] row = open.get(hash);
                if (row == null || exclude.contains(hash) || (row[0].equals("running") && !stale(row[1], row[2], now))) {
                    continue;
                }
                try (PreparedStatement update = c.prepareStatement("""
                        UPDATE trials SET status = 'running', worker = ?, heartbeat_ms = ?, started_at = ?,
                          attempts = attempts + 1, error = NULL, finished_at = NULL, seconds = NULL
                        WHERE hash = ? AND status = ? AND COALESCE(worker, '') = ?""")) {
                    update.setString(1, me.id());
                    update.setLong(2, now);
                    update.setString(3, Instant.ofEpochMilli(now).toString());
                    update.setString(4, hash);
                    update.setString(5, row[0]);
                    update.setString(6, row[1] == null ? "" : row[1]);
                    if (update.executeUpdate() == 1) {
                        return Optional.of(new Claim(trial, Path.of(row[3]), Integer.parseInt(row[4]) + 1));
                    }
                }
            }
            return Optional.<Claim>empty();
        });
    }

    private boolean stale(String workerId, String heartbeat, long now) {
        Worker worker = Worker.parse(workerId);
        if (worker != null && worker.provablyGone(localHost)) {
            return true;
        }
        return heartbeat == null || now - Long.parseLong(heartbeat) > LEASE_MILLIS;
    }

    /** Renews this sweep's claims. */
    public void heartbeat(Worker me) {
        transaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE trials SET heartbeat_ms = ? WHERE worker = ? AND status = 'running'")) {
                s.setLong(1, System.currentTimeMillis());
                s.setString(2, me.id());
                return s.executeUpdate();
            }
        });
    }

    /**
     * Marks a claimed trial done with its metrics, in one transaction.
     *
     * @return false when the claim was lost (another sweep took the trial over), nothing written
     */
    public boolean finish(String hash, Worker me, List<Evaluation> evaluations, double seconds) {
        return transaction(c -> {
            try (PreparedStatement done = c.prepareStatement("""
                    UPDATE trials SET status = 'done', finished_at = ?, seconds = ?, error = NULL
                    WHERE hash = ? AND worker = ? AND status = 'running'""")) {
                done.setString(1, Instant.now().toString());
                done.setDouble(2, seconds);
                done.setString(3, hash);
                done.setString(4, me.id());
                if (done.executeUpdate() != 1) {
                    c.rollback();
                    return false;
                }
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM metrics WHERE hash = ?")) {
                delete.setString(1, hash);
                delete.executeUpdate();
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO metrics (hash, evaluation, metric, value, main) VALUES (?, ?, ?, ?, ?)")) {
                for (Evaluation e : evaluations) {
                    for (var metric : e.metrics().entrySet()) {
                        insert.setString(1, hash);
                        insert.setString(2, e.name());
                        insert.setString(3, metric.getKey());
                        if (Double.isFinite(metric.getValue())) {
                            insert.setDouble(4, metric.getValue());
                        } else {
                            insert.setNull(4, Types.DOUBLE);
                        }
                        insert.setInt(5, metric.getKey().equals(e.mainMetric()) ? 1 : 0);
                        insert.addBatch();
                    }
                }
                insert.executeBatch();
            }
            return true;
        });
    }

    /** Marks a claimed trial failed with its error. */
    public void fail(String hash, Worker me, String error, double seconds) {
        transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE trials SET status = 'failed', finished_at = ?, seconds = ?, error = ?
                    WHERE hash = ? AND worker = ? AND status = 'running'""")) {
                s.setString(1, Instant.now().toString());
                s.setDouble(2, seconds);
                s.setString(3, error);
                s.setString(4, hash);
                s.setString(5, me.id());
                return s.executeUpdate();
            }
        });
    }

    /** Hands this sweep's running trials back as pending (an orderly stop). */
    public int release(Worker me) {
        return transaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE trials SET status = 'pending', worker = NULL, heartbeat_ms = NULL WHERE worker = ? AND status = 'running'")) {
                s.setString(1, me.id());
                return s.executeUpdate();
            }
        });
    }

    /** The status of each of the given trials that the database holds. */
    public Map<String, String> statuses(Collection<String> hashes) {
        Set<String> wanted = Set.copyOf(hashes);
        return transaction(c -> {
            Map<String, String> statuses = new HashMap<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT hash, status FROM trials")) {
                while (rs.next()) {
                    if (wanted.contains(rs.getString(1))) {
                        statuses.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            return statuses;
        });
    }

    /** A trial as stored, for reports. */
    public record StoredTrial(String hash, String study, String model, String task, String method,
            Map<String, String> grid, long seed, String protocol, JsonObject config, String status, Path outputDir,
            Double seconds, String error, Map<String, Evaluation> evaluations) {
        /** The grid point as one line: {@code learning-rate=2e-05, reserve-p=0.1}; "default" when empty. */
        public String gridLabel() {
            if (grid.isEmpty()) {
                return "default";
            }
            StringBuilder b = new StringBuilder();
            grid.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v));
            return b.toString();
        }
    }

    /** Every trial with its metrics, in the order the sweeps registered them. */
    public List<StoredTrial> trials() {
        return transaction(c -> {
            Map<String, Map<String, Map<String, Double>>> metrics = new HashMap<>();
            Map<String, Map<String, String>> mains = new HashMap<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT hash, evaluation, metric, value, main FROM metrics ORDER BY hash, evaluation, metric")) {
                while (rs.next()) {
                    double value = rs.getDouble(4);
                    if (rs.wasNull()) {
                        value = Double.NaN;
                    }
                    metrics.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                            .computeIfAbsent(rs.getString(2), k -> new LinkedHashMap<>()).put(rs.getString(3), value);
                    if (rs.getInt(5) == 1) {
                        mains.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), rs.getString(3));
                    }
                }
            }
            List<StoredTrial> trials = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                    SELECT hash, study, model, task, method, grid, seed, protocol, config, status, output_dir, seconds, error
                    FROM trials ORDER BY position""")) {
                while (rs.next()) {
                    String hash = rs.getString(1);
                    Map<String, String> grid = new TreeMap<>();
                    JsonParser.parseString(rs.getString(6)).getAsJsonObject().asMap()
                            .forEach((k, v) -> grid.put(k, v.getAsString()));
                    Map<String, Evaluation> evaluations = new LinkedHashMap<>();
                    metrics.getOrDefault(hash, Map.of()).forEach((name, values) -> evaluations.put(name,
                            new Evaluation(name, mains.getOrDefault(hash, Map.of()).get(name), values)));
                    Double seconds = rs.getObject(12) == null ? null : rs.getDouble(12);
                    trials.add(new StoredTrial(hash, rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            grid, rs.getLong(7), rs.getString(8), JsonParser.parseString(rs.getString(9)).getAsJsonObject(),
                            rs.getString(10), Path.of(rs.getString(11)), seconds, rs.getString(13),
                            evaluations));
                }
            }
            return trials;
        });
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in one transaction on a fresh connection: committed if it returns, rolled back if it throws. */
    private <T> T transaction(Work<T> work) {
        try (Connection c = DriverManager.getConnection(url, properties)) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new ChildTuneException(url() + ": database error: " + e.getMessage(), e);
        }
    }
}
