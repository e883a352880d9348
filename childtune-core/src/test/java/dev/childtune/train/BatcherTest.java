package dev.childtune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.childtune.text.Padding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Seeded order, dynamic and fixed padding, length grouping. */
class BatcherTest {
    private static EncodedDataset dataset(int n) {
        List<EncodedDataset.Item> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int length = 3 + (i * 7) % 11;
            long[] ids = new long[length];
            Arrays.fill(ids, 10 + i);
            items.add(new EncodedDataset.Item(ids, new long[length], i % 2, Float.NaN));
        }
        return new EncodedDataset(items, false);
    }

    @Test
    void epochOrderIsAFunctionOfSeedAndEpoch() {
        Batcher b = new Batcher(dataset(50), 8, 0, 0, false);
        assertEquals(7, b.batchesPerEpoch());
        List<int[]> first = b.trainingOrder(42, 0);
        assertEquals(7, first.size());
        assertEquals(2, first.get(6).length, "the last batch holds the remainder");
        assertTrue(Arrays.deepEquals(first.toArray(), b.trainingOrder(42, 0).toArray()));
        assertTrue(!Arrays.deepEquals(first.toArray(), b.trainingOrder(42, 1).toArray()), "each epoch reshuffles");
        assertTrue(!Arrays.deepEquals(first.toArray(), b.trainingOrder(43, 0).toArray()), "the seed matters");
        int[] all = first.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertEquals(50, all.length);
        assertEquals(49, all[49], "a permutation of every example");
    }

    @Test
    void batchesArePaddedOnTheRightToTheLongestOrAFixedLength() {
        EncodedDataset data = dataset(4); // lengths 3, 10, 6, 13
        try (NDManager manager = NDManager.newBaseManager()) {
            Batch dynamic = new Batcher(data, 4, 0, 0, false).batch(new int[] {0, 2}, manager);
            assertArrayEquals(new long[] {2, 6}, dynamic.inputs().inputIds().getShape().getShape());
            assertArrayEquals(new long[] {10, 10, 10, 0, 0, 0}, dynamic.inputs().inputIds().get(0).toLongArray());
            assertArrayEquals(new long[] {1, 1, 1, 0, 0, 0}, dynamic.inputs().attentionMask().get(0).toLongArray());
            assertArrayEquals(new long[] {0, 0}, dynamic.labels().toLongArray());
            Batch fixed = new Batcher(data, 4, 0, 16, false).batch(new int[] {0, 2}, manager);
            assertArrayEquals(new long[] {2, 16}, fixed.inputs().inputIds().getShape().getShape());
        }
    }

    @Test
    void leftPaddingPutsTheTokensLastAndPadsTypesWithThePadTypeId() {
        EncodedDataset data = dataset(4); // lengths 3, 10, 6, 13
        try (NDManager manager = NDManager.newBaseManager()) {
            Padding left = new Padding(Padding.Side.LEFT, 9, 3);
            Batch batch = new Batcher(data, 4, left, 0, false).batch(new int[] {0, 2}, manager);
            assertArrayEquals(new long[] {9, 9, 9, 10, 10, 10}, batch.inputs().inputIds().get(0).toLongArray());
            assertArrayEquals(new long[] {0, 0, 0, 1, 1, 1}, batch.inputs().attentionMask().get(0).toLongArray());
            assertArrayEquals(new long[] {3, 3, 3, 0, 0, 0}, batch.inputs().tokenTypeIds().get(0).toLongArray());
            assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1}, batch.inputs().attentionMask().get(1).toLongArray());
            Batch fixed = new Batcher(data, 4, left, 8, false).batch(new int[] {2}, manager);
            assertArrayEquals(new long[] {9, 9, 12, 12, 12, 12, 12, 12}, fixed.inputs().inputIds().get(0).toLongArray());
        }
    }

    @Test
    void groupingByLengthPutsSimilarLengthsTogether() {
        EncodedDataset data = dataset(400);
        Batcher grouped = new Batcher(data, 8, 0, 0, true);
        Batcher plain = new Batcher(data, 8, 0, 0, false);
        assertNotEquals(spread(plain.trainingOrder(1, 0), data), spread(grouped.trainingOrder(1, 0), data));
        assertTrue(spread(grouped.trainingOrder(1, 0), data) < spread(plain.trainingOrder(1, 0), data) / 4,
                "padding waste drops");
    }

    /** Total padding the batches would need. */
    private static int spread(List<int[]> batches, EncodedDataset data) {
        int waste = 0;
        for (int[] batch : batches) {
            int max = Arrays.stream(batch).map(i -> data.get(i).length()).max().orElse(0);
            for (int i : batch) {
                waste += max - data.get(i).length();
            }
        }
        return waste;
    }
}
