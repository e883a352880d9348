package dev.childtune.experiments;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Optional;

/**
 * Who claimed a trial: a sweep process, as {@code host:pid:startMillis}. A claim by a process of
 * this host that no longer exists is stale at once; one from elsewhere only when its heartbeat stops.
 */
public record Worker(String host, long pid, long startMillis) {
    /** This process. */
    public static Worker current() {
        ProcessHandle self = ProcessHandle.current();
        return new Worker(hostName(), self.pid(), startMillis(self).orElse(0L));
    }

    public String id() {
        return host + ":" + pid + ":" + startMillis;
    }

    /** Parses {@link #id()}; null for anything else. */
    static Worker parse(String id) {
        if (id == null) {
            return null;
        }
        String[] parts = id.split(":");
        if (parts.length != 3) {
            return null;
        }
        try {
            return new Worker(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether this worker, if it ran on {@code host}, has certainly ended (pid gone or reused). */
    boolean provablyGone(String localHost) {
        if (!host.equals(localHost)) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        return process.isEmpty() || !process.get().isAlive()
                || startMillis(process.get()).map(start -> start != startMillis).orElse(false);
    }

    private static Optional<Long> startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli);
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replace(':', '_');
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
