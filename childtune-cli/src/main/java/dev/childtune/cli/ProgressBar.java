package dev.childtune.cli;

import dev.childtune.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Shows a run's progress: on a terminal a bar redrawn in place with ETA, loss and learning rate;
 * elsewhere (CI, a log file) a plain line every 5% of the run.
 */
final class ProgressBar implements TrainingListener {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private long startNanos;
    private int firstStep;
    private int lastReportedPercent = -1;

    ProgressBar(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public void started(int firstStep, int totalSteps) {
        this.firstStep = firstStep;
        this.startNanos = System.nanoTime();
    }

    @Override
    public void stepped(int step, int totalSteps, double epoch, double loss, double lr, double gradNorm) {
        double fraction = (double) step / totalSteps;
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double eta = step > firstStep ? elapsed / (step - firstStep) * (totalSteps - step) : Double.NaN;
        String stats = String.format(Locale.ROOT, "%d/%d  epoch %.2f  loss %.4f  lr %.2e  eta %s", step, totalSteps,
                epoch, loss, lr, duration(eta));
        if (terminal) {
            int filled = (int) Math.round(fraction * WIDTH);
            err.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + stats + "  ");
            if (step == totalSteps) {
                err.println();
            }
            err.flush();
        } else {
            int percent = (int) (fraction * 100);
            if (percent / 5 != lastReportedPercent / 5 || step == totalSteps) {
                lastReportedPercent = percent;
                err.println("step " + stats);
                err.flush();
            }
        }
    }

    @Override
    public void evaluated(int step, Map<String, Double> metrics) {
        String values = metrics.entrySet().stream()
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.4f", e.getValue()))
                .collect(Collectors.joining(", "));
        notice("evaluation at step " + step + ": " + values);
    }

    @Override
    public void notice(String message) {
        if (terminal) {
            err.print("\r" + " ".repeat(WIDTH + 70) + "\r");
        }
        err.println(message);
        err.flush();
    }

    static String duration(double seconds) {
        if (Double.isNaN(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
