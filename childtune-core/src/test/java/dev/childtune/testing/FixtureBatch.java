package dev.childtune.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.model.ModelInputs;
import dev.childtune.train.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Batches of the fixtures ({@code inputs.json}, {@code batches.json}), on the engine. */
public final class FixtureBatch {
    private FixtureBatch() {}

    /** The batch of a fixture's {@code inputs.json}. */
    public static Batch read(Path inputsJson, NDManager manager) throws IOException {
        return fromJson(JsonParser.parseString(Files.readString(inputsJson)).getAsJsonObject(), manager);
    }

    /** Every batch of {@code childtuning/batches.json}. */
    public static java.util.List<Batch> readAll(Path batchesJson, NDManager manager) throws IOException {
        JsonArray batches = JsonParser.parseString(Files.readString(batchesJson)).getAsJsonObject().getAsJsonArray("batches");
        java.util.List<Batch> out = new java.util.ArrayList<>();
        for (var b : batches) {
            out.add(fromJson(b.getAsJsonObject(), manager));
        }
        return out;
    }

    /** One object with input_ids, attention_mask, optional token_type_ids and labels. */
    public static Batch fromJson(JsonObject json, NDManager manager) {
        NDArray ids = manager.create(longMatrix(json.getAsJsonArray("input_ids")));
        NDArray mask = manager.create(longMatrix(json.getAsJsonArray("attention_mask")));
        NDArray types = json.has("token_type_ids") ? manager.create(longMatrix(json.getAsJsonArray("token_type_ids"))) : null;
        JsonArray labelArray = json.getAsJsonArray("labels");
        boolean floatLabels = labelArray.get(0).getAsJsonPrimitive().toString().contains(".");
        NDArray labels;
        if (floatLabels) {
            float[] values = new float[labelArray.size()];
            for (int i = 0; i < values.length; i++) values[i] = labelArray.get(i).getAsFloat();
            labels = manager.create(values);
        } else {
            long[] values = new long[labelArray.size()];
            for (int i = 0; i < values.length; i++) values[i] = labelArray.get(i).getAsLong();
            labels = manager.create(values);
        }
        return new Batch(new ModelInputs(ids, mask, types), labels);
    }

    private static long[][] longMatrix(JsonArray rows) {
        long[][] out = new long[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonArray row = rows.get(i).getAsJsonArray();
            out[i] = new long[row.size()];
            for (int j = 0; j < out[i].length; j++) out[i][j] = row.get(j).getAsLong();
        }
        return out;
    }
}
