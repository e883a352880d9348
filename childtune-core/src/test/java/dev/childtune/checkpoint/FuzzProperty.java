package dev.childtune.checkpoint;

import dev.childtune.ChildTuneException;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;

/**
 * The property every checkpoint-reader fuzz target checks: any input either loads or fails with a
 * one-line {@link ChildTuneException}; no other exception or error, and no allocation out of
 * proportion to the input (a length field that lies must not make the reader allocate what it
 * claims). Anything else propagates, and Jazzer reports it as a finding with the input that caused
 * it.
 */
final class FuzzProperty {
    /** Fixed allowance: buffers, error messages, the first use of a code path. */
    private static final long BASE_ALLOWANCE = 16L << 20;
    /** Allowance per input byte: JSON trees and pickle values cost a few dozen bytes per input byte. */
    private static final long PER_INPUT_BYTE = 512;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();

    private FuzzProperty() {
    }

    interface Reader {
        void read() throws Exception;
    }

    /** Runs {@code reader} on an input of {@code inputSize} bytes and checks the property. */
    static void check(int inputSize, Reader reader) throws Exception {
        long thread = Thread.currentThread().getId();
        long classesBefore = CLASSES.getTotalLoadedClassCount();
        long before = THREADS.getThreadAllocatedBytes(thread);
        try {
            reader.read();
        } catch (ChildTuneException e) {
            String message = e.getMessage();
            if (message == null || message.isBlank() || message.contains("\n") || message.contains("\r")) {
                throw new AssertionError("error message is not one non-empty line: " + message, e);
            }
        }
        long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
        if (CLASSES.getTotalLoadedClassCount() != classesBefore) {
            return; // loading and instrumenting classes allocates megabytes on this thread: not the reader's doing
        }
        long allowed = BASE_ALLOWANCE + PER_INPUT_BYTE * inputSize;
        if (allocated > allowed) {
            throw new AssertionError("reading a " + inputSize + "-byte input allocated " + allocated
                    + " bytes (allowed " + allowed + ")");
        }
    }
}
