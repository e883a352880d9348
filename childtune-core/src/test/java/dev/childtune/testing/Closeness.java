package dev.childtune.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Elementwise {@code |actual - expected| <= atol + rtol * |expected|}, reporting the largest deviation. */
public final class Closeness {
    private Closeness() {}

    /** Asserts closeness and returns the largest absolute deviation. */
    public static double assertClose(String what, float[] actual, float[] expected, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": element count");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) actual[i] - expected[i]);
            if (!(diff <= atol + rtol * Math.abs(expected[i]))) {
                fail(what + "[" + i + "]: expected " + expected[i] + " but was " + actual[i] + " (|diff| " + diff
                        + " > atol " + atol + " + rtol " + rtol + ")");
            }
            worst = Math.max(worst, diff);
        }
        return worst;
    }
}
