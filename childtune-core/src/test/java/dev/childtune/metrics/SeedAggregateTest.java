package dev.childtune.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.ChildTuneException;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

class SeedAggregateTest {
    private static final double EPS = 1e-12;

    @Test
    void meanSampleStdMinMax() {
        SeedAggregate aggregate = SeedAggregate.of(2, 4, 4, 4, 5, 5, 7, 9);
        // mean = 40 / 8 = 5
        // squared deviations: 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32; std = sqrt(32 / 7) = 2.1380899
        assertEquals(8, aggregate.n());
        assertEquals(5.0, aggregate.mean(), EPS);
        assertEquals(Math.sqrt(32.0 / 7), aggregate.std(), EPS);
        assertEquals(2.1380899, aggregate.std(), 1e-7);
        assertEquals(2.0, aggregate.min());
        assertEquals(9.0, aggregate.max());
        assertEquals(aggregate, SeedAggregate.of(List.of(2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0)));
    }

    @Test
    void oneRunHasNoStd() {
        SeedAggregate aggregate = SeedAggregate.of(0.8);
        assertEquals(1, aggregate.n());
        assertEquals(0.8, aggregate.mean());
        assertTrue(Double.isNaN(aggregate.std()));
        assertThrows(ChildTuneException.class, SeedAggregate::of);
    }

    @Test
    void aggregatesEveryMetricOfSeveralRuns() {
        Map<String, SeedAggregate> aggregates =
                SeedAggregate.byMetric(
                        List.of(
                                Map.of("accuracy", 0.8, "f1", 0.9),
                                Map.of("f1", 0.7, "accuracy", 0.6)));
        // accuracy: mean 0.7, std = sqrt((0.1^2 + 0.1^2) / 1) = sqrt(0.02)
        SeedAggregate accuracy = aggregates.get("accuracy");
        assertEquals(0.7, accuracy.mean(), EPS);
        assertEquals(Math.sqrt(0.02), accuracy.std(), EPS);
        assertEquals(0.6, accuracy.min());
        assertEquals(0.8, accuracy.max());
        assertEquals(0.8, aggregates.get("f1").mean(), EPS);
    }

    @Test
    void runsMustReportTheSameMetrics() {
        assertThrows(
                ChildTuneException.class,
                () -> SeedAggregate.byMetric(List.of(Map.of("accuracy", 0.8), Map.of("f1", 0.7))));
        assertThrows(ChildTuneException.class, () -> SeedAggregate.byMetric(List.of()));
    }
}
