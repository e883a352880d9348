package dev.childtune.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class NoSkipsInCiTest {
    private final TestAbortedException skip = new TestAbortedException("fixture missing");

    @Test
    void switchedOnASkipBecomesAFailureNamingWhy() {
        NoSkipsInCi handler = new NoSkipsInCi(true);
        for (Throwable thrown : new Throwable[] {
            assertThrows(Throwable.class, () -> handler.handleTestExecutionException(null, skip)),
            assertThrows(Throwable.class, () -> handler.handleBeforeAllMethodExecutionException(null, skip))}) {
            assertInstanceOf(AssertionError.class, thrown);
            assertTrue(thrown.getMessage().contains("CHILDTUNE_NO_SKIPS=1") && thrown.getMessage().contains("fixture missing"),
                    thrown.getMessage());
        }
    }

    @Test
    void switchedOffASkipStaysASkipAndFailuresPassThrough() {
        assertSame(skip, assertThrows(Throwable.class, () -> new NoSkipsInCi(false).handleTestExecutionException(null, skip)));
        IllegalStateException failure = new IllegalStateException("a real failure");
        assertSame(failure, assertThrows(Throwable.class,
                () -> new NoSkipsInCi(true).handleBeforeEachMethodExecutionException(null, failure)));
    }

    /** JUnit registers it for every test of both modules: found by the service loader, auto-detection on. */
    @Test
    void everyTestRunsWithIt() {
        assertEquals("true", System.getProperty("junit.jupiter.extensions.autodetection.enabled"),
                "the build turns JUnit's extension auto-detection on");
        assertTrue(java.util.ServiceLoader.load(org.junit.jupiter.api.extension.Extension.class).stream()
                .anyMatch(provider -> provider.type() == NoSkipsInCi.class), "listed in META-INF/services");
    }
}
