package dev.childtune.bench;

import java.util.List;

/**
 * One reported figure: its value (the median of the repeats unless {@code note} says otherwise),
 * every repeat it came from, and the target where it has one.
 *
 * @param key a stable dotted name, e.g. {@code step.mfu}; the part before the first dot is the {@link Section} (the JSON key)
 * @param label what the text table shows
 * @param unit e.g. {@code s}, {@code GFLOP/s}, {@code %} (a fraction shown ×100), {@code x}
 * @param repeats the measurements behind the value, in order (empty for a computed constant)
 * @param target the bound, or null
 * @param note how the value was formed when it is not the median of the repeats, or null
 */
public record Figure(String key, String label, String unit, double value, List<Double> repeats, Target target,
        String note) {
    public Figure {
        repeats = List.copyOf(repeats);
    }

    /** A figure without target or note. */
    public static Figure of(String key, String label, String unit, double value, List<Double> repeats) {
        return new Figure(key, label, unit, value, repeats, null, null);
    }

    public Figure withTarget(Target newTarget) {
        return new Figure(key, label, unit, value, repeats, newTarget, note);
    }

    public Figure withNote(String newNote) {
        return new Figure(key, label, unit, value, repeats, target, newNote);
    }

    /** Whether the target is met; null when there is no target or no value. */
    public Boolean met() {
        return target == null || Double.isNaN(value) ? null : target.met(value);
    }

    /** A bound: {@code value ≥ bound} ({@code atLeast}) or {@code value ≤ bound}. */
    public record Target(boolean atLeast, double bound) {
        public static Target atLeast(double bound) {
            return new Target(true, bound);
        }

        public static Target atMost(double bound) {
            return new Target(false, bound);
        }

        public boolean met(double value) {
            return atLeast ? value >= bound : value <= bound;
        }

        /** {@code ">="} or {@code "<="}. */
        public String relation() {
            return atLeast ? ">=" : "<=";
        }
    }
}
