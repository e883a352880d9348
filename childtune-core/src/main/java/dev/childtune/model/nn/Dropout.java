package dev.childtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.childtune.model.Devices;
import dev.childtune.model.Tensors;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * {@code torch.nn.Dropout}: in training each element is zeroed with probability p and the others
 * are scaled by 1/(1−p); the identity otherwise.
 *
 * <p>On the CPU the mask is drawn here rather than by libtorch, whose {@code bernoulli_} draws one
 * double per element on one thread (on non-Intel CPUs), about a tenth of a MiniLM training step:
 * a keep decision needs 32 random bits at p's precision, two per 64-bit word, drawn on every core
 * in fixed slices, written straight as the float factor 0 or 1/(1−p) so the engine does one
 * product forward and one backward. Each call's stream is seeded by one number from the engine's
 * generator, so {@code Engine.setRandomSeed} still makes a run reproducible. On a GPU the engine
 * draws there.
 */
public final class Dropout extends Module {
    private static final int SLICE = 1 << 16;
    private final float p;

    public Dropout(double p) {
        this.p = (float) p;
    }

    public NDArray forward(NDArray x, boolean training) {
        if (!training || p == 0f) {
            return x;
        }
        if (!Devices.isHost(x.getDevice())) {
            return ai.djl.nn.norm.Dropout.dropout(x, p, true).singletonOrThrow();
        }
        return x.mul(factors(x.getManager(), x.getShape(), p));
    }

    /** A float array of the shape: 1/(1−p) with probability 1 − p, else 0, independently per element. */
    static NDArray factors(NDManager manager, Shape shape, float p) {
        long seed;
        try (NDArray draw = manager.randomInteger(0, Long.MAX_VALUE, new Shape(1), DataType.INT64)) {
            seed = draw.getLong();
        }
        int n = Math.toIntExact(shape.size());
        long threshold = Math.round((1.0 - p) * 0x1p32);
        float scale = 1f / (1f - p);
        NDArray factors = manager.create(shape, DataType.FLOAT32); // uninitialised engine memory
        FloatBuffer values = Tensors.view(factors); // written in place: no Java buffer, no copy
        IntStream.range(0, (n + SLICE - 1) / SLICE).parallel().forEach(slice -> {
            SplittableRandom random = new SplittableRandom(seed ^ (slice * 0x9E37_79B9_7F4A_7C15L));
            int start = slice * SLICE;
            int end = Math.min(n, start + SLICE);
            for (int i = start; i < end; i += 2) {
                long word = random.nextLong();
                values.put(i, scale * (((word & 0xFFFF_FFFFL) - threshold) >>> 63));
                if (i + 1 < end) {
                    values.put(i + 1, scale * (((word >>> 32) - threshold) >>> 63));
                }
            }
        });
        return factors;
    }
}
