package dev.childtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A batch from a fixture's {@code inputs.json}, on the engine. */
record FixtureBatch(ModelInputs inputs, NDArray labels) {

    static FixtureBatch read(Path inputsJson, NDManager manager) throws IOException {
        JsonObject json = JsonParser.parseString(Files.readString(inputsJson)).getAsJsonObject();
        NDArray ids = manager.create(longMatrix(json.getAsJsonArray("input_ids")));
        NDArray mask = manager.create(longMatrix(json.getAsJsonArray("attention_mask")));
        NDArray types = json.has("token_type_ids") ? manager.create(longMatrix(json.getAsJsonArray("token_type_ids"))) : null;
        JsonArray labelArray = json.getAsJsonArray("labels");
        boolean floatLabels = labelArray.get(0).getAsString().contains(".");
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
        return new FixtureBatch(new ModelInputs(ids, mask, types), labels);
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
