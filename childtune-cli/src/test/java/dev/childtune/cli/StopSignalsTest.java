package dev.childtune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;

/** Which exit status a stop by signal gives: as shells report a process ended by it, 128 + its number. */
class StopSignalsTest {
    @Test
    void ctrlCIs130AndSigtermIs143() {
        assertEquals(130, StopSignals.exitStatus(new Signal("INT")));
        assertEquals(StopSignals.EXIT_INTERRUPTED, StopSignals.exitStatus(new Signal("INT")));
        assertEquals(143, StopSignals.exitStatus(new Signal("TERM")));
        assertEquals(StopSignals.EXIT_TERMINATED, StopSignals.exitStatus(new Signal("TERM")));
    }

    /** A signal raised in this JVM reaches the stop request and decides the exit status. */
    @Test
    void theSignalReceivedDecidesTheExitStatus() throws InterruptedException {
        for (String name : new String[] {"INT", "TERM"}) {
            CountDownLatch stopped = new CountDownLatch(1);
            try (StopSignals signals = StopSignals.install(stopped::countDown)) {
                Signal.raise(new Signal(name));
                // A JVM started with the signal ignored (a background job of a script) never installs the handler.
                assumeTrue(stopped.await(5, TimeUnit.SECONDS), "SIG" + name + " is ignored in this process");
                assertEquals(128 + new Signal(name).getNumber(), signals.exitStatus(), name);
            }
        }
    }
}
