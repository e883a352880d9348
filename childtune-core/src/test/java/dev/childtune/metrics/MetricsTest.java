package dev.childtune.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.childtune.ChildTuneException;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/** Every expected value is worked out by hand in the comments. */
class MetricsTest {
    private static final double EPS = 1e-12;

    /** tp = 3 (0-2), fp = 1 (3), fn = 2 (4, 5), tn = 1 (6). */
    private static final int[] PREDICTED = {1, 1, 1, 1, 0, 0, 0};

    private static final int[] GOLD = {1, 1, 1, 0, 1, 1, 0};

    @Test
    void accuracyIsTheFractionOfEqualPredictions() {
        // equal at 0, 1 and 3: 3 / 5
        assertEquals(0.6, Metrics.accuracy(new int[] {0, 1, 1, 0, 2}, new int[] {0, 1, 0, 0, 1}));
        // correct at 0, 1, 2, 6: 4 / 7
        assertEquals(4.0 / 7, Metrics.accuracy(PREDICTED, GOLD), EPS);
    }

    @Test
    void f1FromTheConfusionMatrix() {
        // 2 tp / (2 tp + fp + fn) = 6 / (6 + 1 + 2) = 2/3
        // (precision 3/4, recall 3/5: 2 * 0.75 * 0.6 / 1.35 = 0.9 / 1.35 = 2/3)
        assertEquals(2.0 / 3, Metrics.f1(PREDICTED, GOLD), EPS);
        // no errors: 2 tp / 2 tp
        assertEquals(1.0, Metrics.f1(GOLD, GOLD));
    }

    @Test
    void f1IsZeroWithoutTruePositives() {
        // tp = 0, fp = 1, fn = 1: 0 / 2
        assertEquals(0.0, Metrics.f1(new int[] {1, 0}, new int[] {0, 1}));
        // no 1 anywhere: 0 / 0, which scikit-learn reports as 0
        assertEquals(0.0, Metrics.f1(new int[] {0, 0}, new int[] {0, 0}));
    }

    @Test
    void f1RejectsNonBinaryClasses() {
        ChildTuneException e =
                assertThrows(
                        ChildTuneException.class,
                        () -> Metrics.f1(new int[] {0, 2}, new int[] {0, 1}));
        assertTrue(e.getMessage().contains("predicted class is 2"), e.getMessage());
    }

    @Test
    void binaryMatthewsCorrelation() {
        // (tp tn - fp fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn))
        //   = (3*1 - 1*2) / sqrt(4 * 5 * 2 * 3) = 1 / sqrt(120) = 0.0912871
        assertEquals(1 / Math.sqrt(120), Metrics.matthewsCorrelation(PREDICTED, GOLD), EPS);
        assertEquals(0.0912871, Metrics.matthewsCorrelation(PREDICTED, GOLD), 1e-7);
    }

    @Test
    void matthewsCorrelationOfTheScikitLearnDocumentationExample() {
        // matthews_corrcoef(y_true=[+1, +1, +1, -1], y_pred=[+1, -1, +1, +1]) = -0.33...
        // tp = 2, fn = 1, fp = 1, tn = 0: (2*0 - 1*1) / sqrt(3 * 3 * 1 * 1) = -1/3
        assertEquals(
                -1.0 / 3,
                Metrics.matthewsCorrelation(new int[] {1, -1, 1, 1}, new int[] {1, 1, 1, -1}),
                EPS);
    }

    @Test
    void multiClassMatthewsCorrelation() {
        int[] gold = {0, 1, 2, 0, 1, 2, 2};
        int[] predicted = {0, 2, 2, 0, 1, 1, 2};
        // n = 7, correct c = 5 (0, 2, 3, 4, 6)
        // gold counts t = (2, 2, 3), predicted counts p = (2, 2, 3)
        // (c n - sum t p) / sqrt((n^2 - sum p^2)(n^2 - sum t^2))
        //   = (35 - 17) / sqrt((49 - 17)(49 - 17)) = 18 / 32 = 0.5625
        assertEquals(0.5625, Metrics.matthewsCorrelation(predicted, gold), EPS);
    }

    @Test
    void matthewsCorrelationIsZeroWhenOneSideHasOneClass() {
        // predicted counts (0, 4): n^2 - sum p^2 = 16 - 16 = 0
        assertEquals(
                0.0, Metrics.matthewsCorrelation(new int[] {1, 1, 1, 1}, new int[] {0, 1, 0, 1}));
        assertEquals(
                0.0, Metrics.matthewsCorrelation(new int[] {0, 1, 0, 1}, new int[] {2, 2, 2, 2}));
    }

    @Test
    void matthewsCorrelationOfPerfectAndInvertedPredictions() {
        assertEquals(1.0, Metrics.matthewsCorrelation(GOLD, GOLD), EPS);
        // tp = tn = 0, fp = 2, fn = 5: (0 - 10) / sqrt(2 * 5 * 5 * 2) = -1
        assertEquals(-1.0, Metrics.matthewsCorrelation(new int[] {0, 0, 0, 1, 0, 0, 1}, GOLD), EPS);
    }

    @Test
    void pearsonOnASmallVector() {
        // mean x = 2.5, mean y = 5; dx = (-1.5, -0.5, 0.5, 1.5), dy = (-3, -1, 0, 4)
        // sum dx dy = 4.5 + 0.5 + 0 + 6 = 11; sum dx^2 = 5; sum dy^2 = 9 + 1 + 0 + 16 = 26
        // r = 11 / sqrt(5 * 26) = 11 / sqrt(130) = 0.9647638
        double r = Metrics.pearson(new double[] {1, 2, 3, 4}, new double[] {2, 4, 5, 9});
        assertEquals(11 / Math.sqrt(130), r, EPS);
        assertEquals(0.9647638, r, 1e-7);
    }

    @Test
    void perfectCorrelationsAreOneAndMinusOne() {
        double[] x = {1, 2, 3, 4, 5};
        assertEquals(1.0, Metrics.pearson(x, new double[] {3, 5, 7, 9, 11}), EPS); // 2x + 1
        assertEquals(-1.0, Metrics.pearson(x, new double[] {-3, -6, -9, -12, -15}), EPS); // -3x
        // x^3 is monotone but not linear: ranks are equal
        assertEquals(1.0, Metrics.spearman(x, new double[] {1, 8, 27, 64, 125}), EPS);
        assertEquals(-1.0, Metrics.spearman(x, new double[] {125, 64, 27, 8, 1}), EPS);
    }

    @Test
    void spearmanGivesTiesTheirMeanRank() {
        // ranks of x = (1, 2.5, 2.5, 4), of y = (1, 3, 2, 4); both have mean 2.5
        // dx = (-1.5, 0, 0, 1.5), dy = (-1.5, 0.5, -0.5, 1.5)
        // sum dx dy = 2.25 + 2.25 = 4.5; sum dx^2 = 4.5; sum dy^2 = 2.25 + 0.25 + 0.25 + 2.25 = 5
        // r = 4.5 / sqrt(4.5 * 5) = sqrt(0.9) = 0.9486833
        double r = Metrics.spearman(new double[] {1, 2, 2, 3}, new double[] {1, 3, 2, 4});
        assertEquals(Math.sqrt(0.9), r, EPS);
        assertEquals(0.9486833, r, 1e-7);
    }

    @Test
    void averageRanksLikeScipyRankdata() {
        assertArrayEquals(
                new double[] {1, 2.5, 2.5, 4}, Metrics.averageRanks(new double[] {10, 20, 20, 30}));
        // sorted: 1 -> rank 1, 2 -> rank 2, the three 3s share ranks 3, 4, 5: mean 4
        assertArrayEquals(
                new double[] {4, 1, 4, 4, 2}, Metrics.averageRanks(new double[] {3, 1, 3, 3, 2}));
    }

    @Test
    void correlationOfAConstantOrNaNInputIsNaNAsInScipy() {
        double[] x = {1, 2, 3};
        // 0.1 three times: its computed mean is not exactly 0.1, yet the input is constant
        double[] constant = {0.1, 0.1, 0.1};
        assertTrue(Double.isNaN(Metrics.pearson(x, constant)));
        assertTrue(Double.isNaN(Metrics.pearson(constant, x)));
        assertTrue(Double.isNaN(Metrics.spearman(x, constant)));
        double[] withNaN = {1, Double.NaN, 3};
        assertTrue(Double.isNaN(Metrics.pearson(x, withNaN)));
        assertTrue(Double.isNaN(Metrics.spearman(x, withNaN)));
    }

    @Test
    void correlationsNeedTwoValues() {
        assertThrows(
                ChildTuneException.class,
                () -> Metrics.pearson(new double[] {1}, new double[] {2}));
        assertThrows(
                ChildTuneException.class,
                () -> Metrics.spearman(new double[] {1}, new double[] {2}));
    }

    @Test
    void computeClassificationMetricsAddsTheCombinedScore() {
        Map<String, Double> results = Metrics.compute(List.of("f1", "accuracy"), PREDICTED, GOLD);
        assertEquals(List.of("f1", "accuracy", "combined_score"), List.copyOf(results.keySet()));
        assertEquals(2.0 / 3, results.get("f1"), EPS);
        assertEquals(4.0 / 7, results.get("accuracy"), EPS);
        // (2/3 + 4/7) / 2 = (14/21 + 12/21) / 2 = 13/21
        assertEquals(13.0 / 21, results.get("combined_score"), EPS);
    }

    @Test
    void computeWithOneMetricHasNoCombinedScore() {
        Map<String, Double> results =
                Metrics.compute(List.of("matthews_correlation"), PREDICTED, GOLD);
        assertEquals(Map.of("matthews_correlation", 1 / Math.sqrt(120)), results);
    }

    @Test
    void computeRegressionMetrics() {
        Map<String, Double> results =
                Metrics.compute(
                        List.of("pearson", "spearmanr"),
                        new double[] {1, 2, 3, 4},
                        new double[] {2, 4, 5, 9});
        assertEquals(
                List.of("pearson", "spearmanr", "combined_score"), List.copyOf(results.keySet()));
        // spearman: the ranks of both are (1, 2, 3, 4)
        assertEquals(11 / Math.sqrt(130), results.get("pearson"), EPS);
        assertEquals(1.0, results.get("spearmanr"), EPS);
        assertEquals((11 / Math.sqrt(130) + 1) / 2, results.get("combined_score"), EPS);
    }

    @Test
    void computeRejectsUnknownMetricsListingTheKnownOnes() {
        ChildTuneException e =
                assertThrows(
                        ChildTuneException.class,
                        () -> Metrics.compute(List.of("accuracy", "mcc"), PREDICTED, GOLD));
        assertTrue(e.getMessage().contains("'mcc'"), e.getMessage());
        assertTrue(
                e.getMessage().contains("accuracy, f1, matthews_correlation, pearson, spearmanr"),
                e.getMessage());
    }

    @Test
    void computeRejectsMetricsOfTheOtherKindRepeatsAndNoNames() {
        double[] values = {1, 2, 3};
        assertThrows(
                ChildTuneException.class,
                () -> Metrics.compute(List.of("pearson"), PREDICTED, GOLD));
        assertThrows(
                ChildTuneException.class,
                () -> Metrics.compute(List.of("accuracy"), values, values));
        assertThrows(
                ChildTuneException.class,
                () -> Metrics.compute(List.of("f1", "f1"), PREDICTED, GOLD));
        assertThrows(ChildTuneException.class, () -> Metrics.compute(List.of(), PREDICTED, GOLD));
    }

    @Test
    void computeRejectsEmptyAndMismatchedInputs() {
        ChildTuneException e =
                assertThrows(
                        ChildTuneException.class,
                        () ->
                                Metrics.compute(
                                        List.of("accuracy"), new int[] {1, 0}, new int[] {1}));
        assertTrue(e.getMessage().contains("2 vs 1"), e.getMessage());
        assertThrows(
                ChildTuneException.class,
                () -> Metrics.compute(List.of("accuracy"), new int[0], new int[0]));
        assertThrows(
                ChildTuneException.class,
                () -> Metrics.compute(List.of("pearson"), new double[0], new double[0]));
    }

    @Test
    void metricNamesAndDirection() {
        for (Metric metric : Metric.values()) {
            assertEquals(metric, Metric.fromName(metric.metricName()));
            assertTrue(metric.higherIsBetter());
        }
        assertEquals(Metric.MATTHEWS_CORRELATION, Metric.fromName("matthews_correlation"));
        assertThrows(ChildTuneException.class, () -> Metric.fromName("combined_score"));
    }
}
