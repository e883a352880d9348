package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import java.util.SplittableRandom;

/**
 * ChildTuning-F (task-free): at every step, every gradient element is kept with probability p,
 * independently, and the kept ones are scaled so the expected gradient is unchanged:
 * {@code g ← g ⊙ Bernoulli(p) / p}. {@code p = 1} is plain fine-tuning.
 *
 * <p>How the draws are made (the whole cost of this method, so it matters):
 * <ul>
 *   <li>A keep/drop decision needs one comparison of a uniform number with p, at p's precision:
 *       32 random bits are plenty (p is a float), so one 64-bit word from a {@link SplittableRandom}
 *       decides two elements.
 *   <li>An element whose gradient is exactly zero (an embedding row no token of the batch used)
 *       stays zero whatever is drawn, so it spends no draw.
 *   <li>The stream of a slice is seeded with (seed, step, parameter, offset): the same seed gives the
 *       same masks, whatever the thread count or the order the slices are processed in.
 * </ul>
 * The keep probability is p rounded to a multiple of 2⁻³², indistinguishable from p.
 *
 * <p>On a GPU the decisions are drawn there, by the engine's generator (seeded by the run), one
 * uniform number per element: the same seed gives the same masks on the same device, but not the
 * CPU's masks.
 */
public final class ChildTuningF implements GradientMask {
    private final double reserveP;
    private final float reserveFloat;
    private final long threshold;
    private final long seed;

    /**
     * @param reserveP the probability of keeping a gradient element (p_F), in (0, 1]
     * @param seed the run's seed
     */
    public ChildTuningF(double reserveP, long seed) {
        if (!(reserveP > 0 && reserveP <= 1)) {
            throw new IllegalArgumentException("reserve probability must be in (0, 1], got " + reserveP);
        }
        this.reserveP = reserveP;
        this.reserveFloat = (float) reserveP;
        this.threshold = Math.round(reserveP * 0x1p32);
        this.seed = seed;
    }

    @Override
    public void apply(String parameter, long offset, float[] gradient, int length, int step) {
        if (reserveP == 1) {
            return;
        }
        SplittableRandom random = new SplittableRandom(streamSeed(parameter, offset, step));
        long bits = 0;
        boolean haveHalf = false;
        for (int i = 0; i < length; i++) {
            float g = gradient[i];
            if (g == 0f) {
                continue;
            }
            long uniform;
            if (haveHalf) {
                uniform = bits >>> 32;
            } else {
                bits = random.nextLong();
                uniform = bits & 0xFFFF_FFFFL;
            }
            haveHalf = !haveHalf;
            long keep = (uniform - threshold) >>> 63; // 1 when uniform < threshold: no unpredictable branch
            gradient[i] = g * keep / reserveFloat; // as the reference: multiply by the 0/1 mask, then divide by p
        }
    }

    @Override
    public NDArray apply(String parameter, NDArray gradient, int step) {
        if (reserveP == 1) {
            return gradient;
        }
        try (NDArray uniform = gradient.getManager().randomUniform(0f, 1f, gradient.getShape());
                NDArray kept = uniform.lt(reserveFloat);
                NDArray keep = kept.toType(DataType.FLOAT32, false)) {
            return gradient.mul(keep).divi(reserveFloat);
        }
    }

    private long streamSeed(String parameter, long offset, int step) {
        long h = mix(seed ^ 0x9E37_79B9_7F4A_7C15L);
        h = mix(h ^ step);
        h = mix(h ^ parameter.hashCode());
        return mix(h ^ offset);
    }

    /** SplitMix64's finaliser: a bijection that spreads every input bit over the whole word. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public JsonObject describe() {
        JsonObject o = new JsonObject();
        o.addProperty("reserve_p", reserveP);
        return o;
    }
}
