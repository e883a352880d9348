package dev.childtune.experiments;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One run of a sweep: a model, a task, a method at one grid point, a seed, under a protocol. Its
 * identity is the hash of its canonical configuration (keys sorted, values typed as the train
 * command reads them), so the same trial in another sweep file, or written another way
 * ({@code 2e-5} or {@code 0.00002}, keys in any order), is the same row of the results database.
 *
 * @param settings the training settings: the shared ones, overridden by the grid point
 * @param grid the grid point alone (the settings the method's grid varies), for the report
 * @param trainSamples low-resource: the size of the training subsample; else null
 * @param targets transfer protocols: the data sets the trained model is carried to
 * @param headSettings task transfer: the settings of the head trained on each target; else empty
 */
public record Trial(String model, TaskSpec task, String method, Map<String, Object> settings,
        Map<String, Object> grid, long seed, String protocol, Long trainSamples, List<Protocol.Target> targets,
        Map<String, Object> headSettings) {
    public Trial {
        settings = Collections.unmodifiableMap(new TreeMap<>(settings));
        grid = Collections.unmodifiableMap(new TreeMap<>(grid));
        targets = List.copyOf(targets);
        headSettings = Collections.unmodifiableMap(new TreeMap<>(headSettings));
    }

    /** The configuration the hash is taken over (the grid point is part of {@code settings}). */
    public JsonObject config() {
        JsonObject o = new JsonObject();
        o.addProperty("model", model);
        o.add("task", taskJson(task));
        o.addProperty("method", method);
        o.add("settings", json(settings));
        o.addProperty("seed", seed);
        o.addProperty("protocol", protocol);
        if (trainSamples != null) {
            o.addProperty("train-samples", trainSamples);
        }
        if (!targets.isEmpty()) {
            JsonArray array = new JsonArray();
            for (Protocol.Target target : targets) {
                JsonObject t = taskJson(target.data());
                if (!target.labelMap().isEmpty()) {
                    t.add("label-map", json(target.labelMap()));
                }
                array.add(t);
            }
            o.add("targets", array);
        }
        if (!headSettings.isEmpty()) {
            o.add("head-settings", json(headSettings));
        }
        return sorted(o);
    }

    /** The first 16 hex digits of the SHA-256 of {@link #config()} in compact JSON. */
    public String hash() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(config().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }

    /** The trial's folder name: readable, unique by the hash. */
    public String id() {
        return task.name() + "-" + method + "-seed" + seed + "-" + hash().substring(0, 8);
    }

    /** The report's table this trial belongs to: model and protocol (with its subsample size). */
    public String study() {
        return model + " · " + protocol + (trainSamples != null ? " (" + trainSamples + " training examples)" : "");
    }

    /** The evaluation whose name is the report's column for a target. */
    public String transferName(Protocol.Target target) {
        return task.name() + "→" + target.data().name();
    }

    private static JsonObject taskJson(TaskSpec spec) {
        JsonObject t = new JsonObject();
        t.addProperty("name", spec.name());
        t.add("options", json(spec.options()));
        return t;
    }

    /** A Long, Double, Boolean, String, list or map as JSON, map keys sorted. */
    static JsonElement json(Object value) {
        if (value == null) {
            return JsonNull.INSTANCE;
        }
        if (value instanceof Map<?, ?> map) {
            JsonObject o = new JsonObject();
            new TreeMap<>(map).forEach((k, v) -> o.add(k.toString(), json(v)));
            return o;
        }
        if (value instanceof List<?> list) {
            JsonArray a = new JsonArray();
            list.forEach(v -> a.add(json(v)));
            return a;
        }
        if (value instanceof Number n) {
            return new JsonPrimitive(n);
        }
        if (value instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        return new JsonPrimitive(value.toString());
    }

    private static JsonObject sorted(JsonObject o) {
        JsonObject out = new JsonObject();
        new TreeMap<>(o.asMap()).forEach(out::add);
        return out;
    }
}
