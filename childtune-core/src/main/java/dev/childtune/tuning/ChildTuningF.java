package dev.childtune.tuning;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import java.util.Map;

/**
 * ChildTuning-F (task-free): at every step, every gradient element is kept with probability p,
 * independently, and the kept ones are scaled so the expected gradient is unchanged:
 * {@code g ← g ⊙ Bernoulli(p) / p}. {@code p = 1} is plain fine-tuning.
 *
 * <p>The masks of step s come from the engine's generator seeded with (seed, s), so the same seed
 * gives the same masks, whatever else drew random numbers before.
 */
public final class ChildTuningF implements GradientMask {
    private final double reserveP;
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
        this.seed = seed;
    }

    @Override
    public void apply(Map<String, NDArray> gradients, int step) {
        if (reserveP == 1) {
            return;
        }
        Engine.getInstance().setRandomSeed((int) (seed * 7_919L + step * 104_729L + 17));
        for (NDArray g : gradients.values()) {
            try (NDArray uniform = g.getManager().randomUniform(0f, 1f, g.getShape());
                    NDArray keep = uniform.lt((float) reserveP).toType(DataType.FLOAT32, false)) {
                g.muli(keep).divi((float) reserveP);
            }
        }
    }

    @Override
    public JsonObject describe() {
        JsonObject o = new JsonObject();
        o.addProperty("reserve_p", reserveP);
        return o;
    }
}
