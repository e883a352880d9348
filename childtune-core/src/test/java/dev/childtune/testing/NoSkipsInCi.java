package dev.childtune.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * With {@code CHILDTUNE_NO_SKIPS=1} (set by {@code .ci/run}), a test that would skip itself because
 * something it needs is absent fails instead: CI must not pass with checks quietly left out.
 * Registered for every test of both modules through JUnit's extension auto-detection.
 */
public final class NoSkipsInCi implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    /** The environment variable that turns skips into failures. */
    public static final String SWITCH = "CHILDTUNE_NO_SKIPS";

    private final boolean enabled;

    /** As JUnit creates it: on when the environment says so. */
    public NoSkipsInCi() {
        this("1".equals(System.getenv(SWITCH)));
    }

    NoSkipsInCi(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw failIfSkip(throwable);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw failIfSkip(throwable);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw failIfSkip(throwable);
    }

    private Throwable failIfSkip(Throwable throwable) {
        if (throwable instanceof TestAbortedException && enabled) {
            return new AssertionError(SWITCH + "=1: this test may not skip here, but it did: "
                    + throwable.getMessage(), throwable);
        }
        return throwable;
    }
}
