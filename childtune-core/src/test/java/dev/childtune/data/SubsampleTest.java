package dev.childtune.data;

import static dev.childtune.data.DataTestSupport.assertError;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Seeded, label-stratified subsamples. */
class SubsampleTest {
    private static final Path FILE = Path.of("train.tsv");

    /** 1000 examples over 3 classes of 600, 300 and 100, shuffled; line i is example i. */
    private static List<Example> threeClasses() {
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            labels.add(i < 600 ? 0 : i < 900 ? 1 : 2);
        }
        Collections.shuffle(labels, new Random(7));
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            examples.add(new Example("text " + i, null, labels.get(i), Double.NaN, FILE, i + 1));
        }
        return examples;
    }

    @Test
    void sizeProportionsAndOrder() {
        List<Example> examples = threeClasses();
        for (int n : new int[] {1, 2, 7, 10, 99, 333, 999}) {
            List<Example> sample = Subsample.stratified(examples, n, 42);
            assertEquals(n, sample.size(), "size");
            int[] counts = new int[3];
            sample.forEach(e -> counts[e.label()]++);
            double[] shares = {0.6, 0.3, 0.1};
            for (int c = 0; c < 3; c++) {
                assertTrue(
                        Math.abs(counts[c] - Math.round(n * shares[c])) <= 1,
                        "class " + c + " of n=" + n + ": " + counts[c]);
            }
            for (int i = 1; i < sample.size(); i++) {
                assertTrue(sample.get(i - 1).line() < sample.get(i).line(), "original order kept");
            }
        }
        int[] exact = new int[3];
        Subsample.stratified(examples, 100, 1).forEach(e -> exact[e.label()]++);
        assertEquals(List.of(60, 30, 10), List.of(exact[0], exact[1], exact[2]));
    }

    @Test
    void largestRemainderGivesTheExtraToTheLargestFraction() {
        // shares 0.6 / 0.3 / 0.1 of n = 5: 3.0, 1.5, 0.5 -> floors 3, 1, 0; one left goes to class
        // 1 (tie -> lower id)
        int[] counts = new int[3];
        Subsample.stratified(threeClasses(), 5, 3).forEach(e -> counts[e.label()]++);
        assertEquals(List.of(3, 2, 0), List.of(counts[0], counts[1], counts[2]));
    }

    @Test
    void seedDecides() {
        List<Example> examples = threeClasses();
        assertEquals(
                Subsample.stratified(examples, 50, 42), Subsample.stratified(examples, 50, 42));
        assertNotEquals(
                Subsample.stratified(examples, 50, 42), Subsample.stratified(examples, 50, 43));
    }

    @Test
    void regressionIsAUniformSeededSample() {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            examples.add(new Example("t", "u", Example.NO_LABEL, i / 40.0, FILE, i + 1));
        }
        List<Example> sample = Subsample.stratified(examples, 30, 5);
        assertEquals(30, sample.size());
        assertEquals(30, sample.stream().distinct().count());
        assertEquals(sample, Subsample.stratified(examples, 30, 5));
        assertNotEquals(sample, Subsample.stratified(examples, 30, 6));
    }

    @Test
    void everythingWhenNIsLargeAndAnErrorWhenBelowOne() {
        List<Example> examples = threeClasses();
        assertSame(examples, Subsample.stratified(examples, 1000, 1));
        assertSame(examples, Subsample.stratified(examples, 5000, 1));
        assertError(() -> Subsample.stratified(examples, 0, 1), "subsample size 0", "at least 1");
    }
}
