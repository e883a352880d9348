package dev.childtune.cli;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and Ctrl-C (SIGINT) during training: the first asks the run to stop cleanly (finish the
 * step, write a checkpoint, exit with {@link #exitStatus()}); a second one exits at once, for when
 * the clean stop takes too long (the Fisher pass has no checkpoint to write).
 */
final class StopSignals implements AutoCloseable {
    /** The exit status of a run stopped by Ctrl-C (SIGINT), as shells report it: 128 + 2. */
    static final int EXIT_INTERRUPTED = 130;
    /** The exit status of a run stopped by SIGTERM, as shells report it: 128 + 15. */
    static final int EXIT_TERMINATED = 143;

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private volatile Signal received;

    private StopSignals() {}

    /** Routes TERM and INT to {@code stop} until closed. */
    static StopSignals install(Runnable stop) {
        StopSignals installed = new StopSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal signal = new Signal(name);
            installed.signals.add(signal);
            installed.previous.add(Signal.handle(signal, s -> {
                if (installed.received != null) {
                    Runtime.getRuntime().halt(exitStatus(s));
                }
                installed.received = s;
                stop.run();
            }));
        }
        return installed;
    }

    /** The exit status of a process ended by {@code signal}: 128 + its number, as shells report it. */
    static int exitStatus(Signal signal) {
        return 128 + signal.getNumber();
    }

    /** The exit status for the stop the first signal asked for ({@link #EXIT_TERMINATED} if none came). */
    int exitStatus() {
        Signal signal = received;
        return signal == null ? EXIT_TERMINATED : exitStatus(signal);
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
