package dev.childtune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import sun.misc.Signal;

/**
 * Which exit status a stop by signal gives: as shells report a process ended by it, 128 + its
 * number. {@code CrashSafetyTest} sends both signals to a real training run.
 */
class StopSignalsTest {
    @Test
    void ctrlCIs130AndSigtermIs143() {
        assertEquals(130, StopSignals.exitStatus(new Signal("INT")));
        assertEquals(StopSignals.EXIT_INTERRUPTED, StopSignals.exitStatus(new Signal("INT")));
        assertEquals(143, StopSignals.exitStatus(new Signal("TERM")));
        assertEquals(StopSignals.EXIT_TERMINATED, StopSignals.exitStatus(new Signal("TERM")));
    }
}
