package dev.childtune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.childtune.checkpoint.SafeTensors;
import dev.childtune.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** The schedules equal Hugging Face's, value for value. */
class LearningRateScheduleTest {
    @Test
    void linearWarmupMatchesTheFixture() {
        double[] expected = SafeTensors.read(Fixtures.fixture("childtuning/expected.safetensors"))
                .get("schedule.linear_warmup.lr").toDoubles();
        LearningRateSchedule schedule = LearningRateSchedule.of(LearningRateSchedule.Type.LINEAR, 1e-3, 2, 20);
        assertEquals(20, expected.length);
        for (int s = 0; s < expected.length; s++) {
            assertEquals(expected[s], schedule.lr(s), 1e-12 * Math.abs(expected[s]), "step " + s);
        }
        assertEquals(0.0, schedule.lr(0));
        assertEquals(0.0, schedule.lr(20), "after the last step the rate is 0");
    }

    @Test
    void constantAndCosine() {
        LearningRateSchedule constant = LearningRateSchedule.of(LearningRateSchedule.Type.CONSTANT, 2e-5, 4, 100);
        assertEquals(1e-5, constant.lr(2), 1e-20);
        assertEquals(2e-5, constant.lr(50), 0);
        LearningRateSchedule cosine = LearningRateSchedule.of(LearningRateSchedule.Type.COSINE, 1.0, 0, 100);
        assertEquals(1.0, cosine.lr(0), 0);
        assertEquals(0.5, cosine.lr(50), 1e-15); // cos(pi/2) = 0 -> 0.5
        assertEquals(0.0, cosine.lr(100), 1e-15);
        assertEquals(LearningRateSchedule.Type.LINEAR, LearningRateSchedule.Type.fromName("linear"));
    }
}
