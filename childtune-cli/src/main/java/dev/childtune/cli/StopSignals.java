package dev.childtune.cli;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and Ctrl-C (SIGINT) during training: the first asks the run to stop cleanly (finish the
 * step, write a checkpoint, exit); a second one exits at once, for when the clean stop takes too
 * long (the Fisher pass has no checkpoint to write).
 */
final class StopSignals implements AutoCloseable {
    /** The exit status of a process ended by a signal, as shells report it (128 + the signal number). */
    static final int EXIT_TERMINATED = 143;

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private volatile boolean received;

    private StopSignals() {}

    /** Routes TERM and INT to {@code stop} until closed. */
    static StopSignals install(Runnable stop) {
        StopSignals installed = new StopSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal signal = new Signal(name);
            installed.signals.add(signal);
            installed.previous.add(Signal.handle(signal, s -> {
                if (installed.received) {
                    Runtime.getRuntime().halt(128 + s.getNumber());
                }
                installed.received = true;
                stop.run();
            }));
        }
        return installed;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
