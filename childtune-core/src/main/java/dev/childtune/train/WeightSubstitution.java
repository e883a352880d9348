package dev.childtune.train;

/**
 * Forward-time weight substitution (Mixout): for the training forward and backward passes of a
 * step, some modules compute with a function of their weights instead of the weights themselves.
 * Evaluation, and everything outside {@link #install()}…{@code close()}, reads the stored weights.
 */
@FunctionalInterface
public interface WeightSubstitution {
    /** Installs the substitution until the returned handle is closed. */
    Installed install();

    /** An installed substitution; closing it restores the plain forward pass. */
    @FunctionalInterface
    interface Installed extends AutoCloseable {
        @Override
        void close();
    }
}
