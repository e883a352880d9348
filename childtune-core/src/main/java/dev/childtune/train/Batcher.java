package dev.childtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.childtune.model.ModelConfig;
import dev.childtune.model.ModelInputs;
import dev.childtune.text.Padding;
import dev.childtune.text.TextTokenizer;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Cuts an {@link EncodedDataset} into padded batches. The order of an epoch is a function of the
 * seed and the epoch alone, so a resumed run sees exactly the batches the interrupted one would
 * have seen. Padding is dynamic (to the longest sequence of the batch) unless a fixed length is
 * asked for, on the side the tokenizer pads (right for most models, left for XLNet).
 */
public final class Batcher {
    /** How many batches a length-grouped mega-batch spans (Hugging Face's LengthGroupedSampler uses 50). */
    private static final int MEGABATCH_FACTOR = 50;

    private final EncodedDataset dataset;
    private final int batchSize;
    private final Padding padding;
    private final int padToLength;
    private final boolean groupByLength;

    /**
     * @param padToLength pad every batch to this length (the reference's fixed 128), or 0 for dynamic padding
     * @param groupByLength put sequences of similar length together (after a seeded shuffle)
     */
    public Batcher(EncodedDataset dataset, int batchSize, Padding padding, int padToLength, boolean groupByLength) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.padding = padding;
        this.padToLength = padToLength;
        this.groupByLength = groupByLength;
    }

    /** Right padding with {@code padTokenId} and segment id 0. */
    public Batcher(EncodedDataset dataset, int batchSize, long padTokenId, int padToLength, boolean groupByLength) {
        this(dataset, batchSize, Padding.right(padTokenId), padToLength, groupByLength);
    }

    /** The tokenizer's padding side and segment id, with {@link #padTokenId} as the padding token. */
    public static Padding padding(TextTokenizer tokenizer, ModelConfig config) {
        return new Padding(tokenizer.paddingSide(), padTokenId(tokenizer, config), tokenizer.padTypeId());
    }

    /** The id padding positions get: the tokenizer's pad token, else the config's {@code pad_token_id}. */
    public static long padTokenId(TextTokenizer tokenizer, ModelConfig config) {
        return tokenizer.padToken().map(TextTokenizer.SpecialToken::id).orElse((long) config.padTokenId());
    }

    /** Batches per epoch (the last one may be smaller). */
    public int batchesPerEpoch() {
        return (dataset.size() + batchSize - 1) / batchSize;
    }

    /** The example indices of each batch of a training epoch, shuffled from (seed, epoch). */
    public List<int[]> trainingOrder(long seed, int epoch) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < dataset.size(); i++) {
            indices.add(i);
        }
        Collections.shuffle(indices, new Random(seed * 1_000_003L + epoch));
        if (groupByLength) {
            int megabatch = batchSize * MEGABATCH_FACTOR;
            for (int start = 0; start < indices.size(); start += megabatch) {
                List<Integer> part = indices.subList(start, Math.min(indices.size(), start + megabatch));
                part.sort(Comparator.comparingInt((Integer i) -> dataset.get(i).length()).reversed());
            }
        }
        return chunk(indices);
    }

    /** The example indices of each batch, in dataset order (evaluation and prediction). */
    public List<int[]> sequentialOrder() {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < dataset.size(); i++) {
            indices.add(i);
        }
        return chunk(indices);
    }

    private List<int[]> chunk(List<Integer> indices) {
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < indices.size(); start += batchSize) {
            batches.add(indices.subList(start, Math.min(indices.size(), start + batchSize)).stream()
                    .mapToInt(Integer::intValue).toArray());
        }
        return batches;
    }

    /** Every batch of an order, on {@code manager}. */
    public List<Batch> batches(List<int[]> order, NDManager manager) {
        List<Batch> batches = new ArrayList<>(order.size());
        for (int[] indices : order) {
            batches.add(batch(indices, manager));
        }
        return batches;
    }

    /** The batches of an order, each built when it is asked for (see {@link OnDemand}). */
    public OnDemand onDemand(List<int[]> order, NDManager manager) {
        return new OnDemand(order, manager);
    }

    /**
     * The batches of an order, each built on {@code manager} when {@code get} asks for it and not
     * kept: a pass over a large training set never holds all of it (the caller's {@code NDScope}
     * closes each batch). Every {@code get} builds its batch anew.
     */
    public final class OnDemand extends AbstractList<Batch> {
        private final List<int[]> order;
        private final NDManager manager;

        private OnDemand(List<int[]> order, NDManager manager) {
            this.order = List.copyOf(order);
            this.manager = manager;
        }

        @Override
        public Batch get(int index) {
            return batch(order.get(index), manager);
        }

        @Override
        public int size() {
            return order.size();
        }

        /** The number of examples of batch {@code index}, without building it. */
        public int examples(int index) {
            return order.get(index).length;
        }
    }

    /** The padded batch of the given examples, on {@code manager}. */
    public Batch batch(int[] exampleIndices, NDManager manager) {
        int length = padToLength;
        for (int i : exampleIndices) {
            length = Math.max(length, dataset.get(i).length());
        }
        int n = exampleIndices.length;
        long[] ids = new long[n * length];
        long[] types = new long[n * length];
        long[] mask = new long[n * length];
        Arrays.fill(ids, padding.tokenId());
        Arrays.fill(types, padding.typeId());
        long[] labels = new long[n];
        float[] targets = new float[n];
        for (int row = 0; row < n; row++) {
            EncodedDataset.Item item = dataset.get(exampleIndices[row]);
            int start = row * length + (padding.side() == Padding.Side.LEFT ? length - item.length() : 0);
            System.arraycopy(item.inputIds(), 0, ids, start, item.length());
            System.arraycopy(item.tokenTypeIds(), 0, types, start, item.length());
            Arrays.fill(mask, start, start + item.length(), 1L);
            labels[row] = item.label();
            targets[row] = item.target();
        }
        Shape shape = new Shape(n, length);
        NDArray labelArray = dataset.regression() ? manager.create(targets) : manager.create(labels);
        return new Batch(new ModelInputs(manager.create(ids, shape), manager.create(mask, shape),
                manager.create(types, shape)), labelArray);
    }
}
