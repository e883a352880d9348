package dev.childtune.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.ChildTuneException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a run stands, saved with every checkpoint as {@code trainer_state.json}: together with the
 * weights and the optimizer moments it is all a resume needs, because the data order of an epoch
 * and the dropout stream of a step are functions of the seed.
 *
 * @param globalStep optimizer steps done
 * @param epoch the epoch the next step belongs to
 * @param batchInEpoch the index of the next micro-batch in that epoch's order
 * @param bestMetric the best main-metric value seen (NaN before the first evaluation)
 * @param bestStep the step that reached it
 * @param evaluationsWithoutImprovement for early stopping
 * @param skippedSteps steps whose update was skipped for a non-finite gradient ({@code --skip-nonfinite})
 */
public record TrainerState(int globalStep, int epoch, int batchInEpoch, double bestMetric, int bestStep,
        int evaluationsWithoutImprovement, int skippedSteps) {
    public static final String FILE_NAME = "trainer_state.json";

    public static TrainerState start() {
        return new TrainerState(0, 0, 0, Double.NaN, -1, 0, 0);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("global_step", globalStep);
        o.addProperty("epoch", epoch);
        o.addProperty("batch_in_epoch", batchInEpoch);
        o.addProperty("best_metric", bestMetric);
        o.addProperty("best_step", bestStep);
        o.addProperty("evaluations_without_improvement", evaluationsWithoutImprovement);
        o.addProperty("skipped_nonfinite_steps", skippedSteps);
        return o;
    }

    public static TrainerState read(Path checkpoint) {
        Path file = checkpoint.resolve(FILE_NAME);
        try {
            JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            return new TrainerState(o.get("global_step").getAsInt(), o.get("epoch").getAsInt(),
                    o.get("batch_in_epoch").getAsInt(), o.get("best_metric").getAsDouble(),
                    o.get("best_step").getAsInt(), o.get("evaluations_without_improvement").getAsInt(),
                    o.has("skipped_nonfinite_steps") ? o.get("skipped_nonfinite_steps").getAsInt() : 0);
        } catch (IOException | RuntimeException e) {
            throw new ChildTuneException(file + ": not a readable trainer state: " + e.getMessage(), e);
        }
    }
}
