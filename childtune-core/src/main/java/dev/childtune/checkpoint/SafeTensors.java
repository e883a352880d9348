package dev.childtune.checkpoint;

import dev.childtune.io.AtomicFiles;
import dev.childtune.io.StrictJson;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format: an 8-byte little-endian header length N, N bytes of JSON (name to dtype, shape and
 * {@code data_offsets} relative to the data section, plus an optional {@code __metadata__} map of
 * strings), then the raw little-endian tensor bytes. Also reads sharded checkpoints described by a
 * {@code model.safetensors.index.json}.
 *
 * <p>Every header is validated before any tensor byte is read; all problems are reported as a
 * one-line {@link dev.childtune.ChildTuneException} naming the file.
 */
public final class SafeTensors {
    /** File name of a single-file checkpoint, as Hugging Face writes it. */
    public static final String MODEL_FILE = "model.safetensors";
    /** File name of the index of a sharded checkpoint, as Hugging Face writes it. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private SafeTensors() {
    }

    /** Reads and validates the header of {@code file}, without reading tensor data yet. */
    public static SafeTensorsFile open(Path file) {
        return SafeTensorsFile.open(file);
    }

    /** Reads every tensor of {@code file}, in file order (by data offset). */
    public static Map<String, TensorData> read(Path file) {
        return open(file).readAll();
    }

    /**
     * Writes {@code tensors} to {@code file} in the Hugging Face layout: {@code __metadata__}
     * first (omitted when {@code metadata} is empty), the tensors' bytes in the map's iteration
     * order, the header padded with spaces to a multiple of 8 bytes. The file is written to a
     * temporary file in the same folder and then atomically moved into place, so a reader never
     * sees a half-written file.
     *
     * @param metadata strings for {@code __metadata__}; Transformers' {@code from_pretrained} expects
     *     {@code {"format": "pt"}}
     */
    public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) {
        byte[] header = header(file, tensors, metadata);
        AtomicFiles.write(file, channel -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            length.putLong(0, header.length);
            AtomicFiles.writeFully(channel, length);
            AtomicFiles.writeFully(channel, ByteBuffer.wrap(header));
            for (TensorData tensor : tensors.values()) {
                AtomicFiles.writeFully(channel, tensor.data().duplicate());
            }
        });
    }

    /**
     * Reads a sharded checkpoint: the index's {@code weight_map} (tensor name to shard file name,
     * shards in the index's folder) decides which tensor comes from which shard. The result
     * follows the order of {@code weight_map}.
     */
    public static Map<String, TensorData> readSharded(Path indexFile) {
        JsonElement index = StrictJson.read(indexFile, "sharded checkpoint index");
        JsonElement weightMap = index.isJsonObject() ? index.getAsJsonObject().get("weight_map") : null;
        if (weightMap == null || !weightMap.isJsonObject()) {
            throw CheckpointErrors.inFile(indexFile,
                    "no \"weight_map\" object; expected {\"metadata\": {...}, \"weight_map\": {name: shard file}}");
        }
        Path folder = indexFile.toAbsolutePath().normalize().getParent();
        Map<String, SafeTensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafeTensorsFile> shardOf = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : weightMap.getAsJsonObject().entrySet()) {
            String name = entry.getKey();
            JsonElement value = entry.getValue();
            if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
                throw CheckpointErrors.inFile(indexFile, "weight_map entry '" + name + "' is " + value
                        + "; expected a shard file name");
            }
            SafeTensorsFile shard = shards.computeIfAbsent(value.getAsString(),
                    shardName -> openShard(indexFile, folder, shardName));
            if (!shard.contains(name)) {
                throw CheckpointErrors.inFile(indexFile, "weight_map puts '" + name + "' in shard '"
                        + shard.path().getFileName() + "' but that shard has no such tensor");
            }
            shardOf.put(name, shard);
        }
        Map<SafeTensorsFile, Map<String, TensorData>> shardData = new LinkedHashMap<>();
        Map<String, TensorData> out = new LinkedHashMap<>();
        shardOf.forEach((name, shard) ->
                out.put(name, shardData.computeIfAbsent(shard, SafeTensorsFile::readAll).get(name)));
        return out;
    }

    private static SafeTensorsFile openShard(Path indexFile, Path folder, String shardName) {
        Path shard = folder.resolve(shardName).normalize();
        if (!folder.equals(shard.getParent())) {
            throw CheckpointErrors.inFile(indexFile, "shard '" + shardName
                    + "' is not a plain file name; expected shards next to the index");
        }
        if (!Files.isRegularFile(shard)) {
            throw CheckpointErrors.inFile(indexFile, "shard '" + shardName + "' listed in weight_map does not exist in "
                    + folder);
        }
        return open(shard);
    }

    /**
     * Parses strict JSON: no comments, unquoted names, trailing garbage or keys given twice (see
     * {@link StrictJson}).
     *
     * @param what what the text is, for the error message
     */
    static JsonElement parseJson(Path file, String text, String what) {
        return StrictJson.parse(file, text, what);
    }

    private static byte[] header(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) {
        JsonObject json = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            new TreeMap<>(metadata).forEach(meta::addProperty); // sorted: the same tensors give the same bytes
            json.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, TensorData> entry : tensors.entrySet()) {
            if (entry.getKey().equals("__metadata__")) {
                throw CheckpointErrors.inFile(file, "a tensor cannot be named '__metadata__'");
            }
            TensorData tensor = entry.getValue();
            JsonObject info = new JsonObject();
            info.addProperty("dtype", tensor.dtype().safetensorsName());
            JsonArray shape = new JsonArray();
            for (long d : tensor.shape()) {
                shape.add(d);
            }
            info.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += tensor.data().remaining();
            offsets.add(offset);
            info.add("data_offsets", offsets);
            json.add(entry.getKey(), info);
        }
        byte[] bytes = GSON.toJson(json).getBytes(StandardCharsets.UTF_8);
        int paddedLength = (bytes.length + 7) / 8 * 8;
        byte[] padded = Arrays.copyOf(bytes, paddedLength);
        Arrays.fill(padded, bytes.length, paddedLength, (byte) ' ');
        return padded;
    }
}
