package dev.childtune.checkpoint.onnx;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.childtune.checkpoint.DType;
import dev.childtune.checkpoint.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads back a safetensors file in the tests, independently of the writer under test. */
final class SafetensorsFile {
    private SafetensorsFile() {}

    /** All tensors by name (metadata left out), checking the header padding and offsets. */
    static Map<String, TensorData> read(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(bytes.getLong(0));
        if (headerLength % 8 != 0) {
            throw new IllegalStateException("header length " + headerLength + " is not a multiple of 8");
        }
        String header = new String(bytes.array(), 8, headerLength, StandardCharsets.UTF_8);
        JsonObject json = JsonParser.parseString(header).getAsJsonObject();
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (String name : json.keySet()) {
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonObject info = json.getAsJsonObject(name);
            long[] shape = new long[info.getAsJsonArray("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = info.getAsJsonArray("shape").get(i).getAsLong();
            }
            int begin = 8 + headerLength + info.getAsJsonArray("data_offsets").get(0).getAsInt();
            int end = 8 + headerLength + info.getAsJsonArray("data_offsets").get(1).getAsInt();
            DType dtype = DType.fromSafetensorsName(info.get("dtype").getAsString());
            tensors.put(name, new TensorData(dtype, shape, bytes.slice(begin, end - begin)));
        }
        return tensors;
    }
}
