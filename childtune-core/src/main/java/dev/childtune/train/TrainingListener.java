package dev.childtune.train;

import java.util.Map;

/**
 * What a run reports while it goes: the library never prints; a caller (the CLI's progress bar,
 * a test, a notebook) listens.
 */
public interface TrainingListener {
    TrainingListener SILENT = new TrainingListener() {};

    /** Called once before the first step (or the first step after a resume). */
    default void started(int firstStep, int totalSteps) {}

    /** Called after every optimizer step. */
    default void stepped(int step, int totalSteps, double epoch, double loss, double lr, double gradNorm) {}

    /** Called after every evaluation of the dev set. */
    default void evaluated(int step, Map<String, Double> metrics) {}

    /** A one-line notice (resumed from a checkpoint, stopped early, saved a model). */
    default void notice(String message) {}
}
