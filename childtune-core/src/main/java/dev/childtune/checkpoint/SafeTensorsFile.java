package dev.childtune.checkpoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An opened safetensors file whose header has been read and fully validated; tensor data is
 * only touched when a tensor is read. Each tensor is memory-mapped on its own (read-only), so
 * files over 2 GiB are fine as long as no single tensor is.
 *
 * <p>Obtain one with {@link SafeTensors#open(Path)}. The object holds no open file handle.
 */
public final class SafeTensorsFile {
    /** Largest header accepted (the Hugging Face implementation uses the same limit). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final String METADATA_KEY = "__metadata__";

    /**
     * Where one tensor lies in the file, as the header declares it.
     *
     * @param name tensor name
     * @param dtype element type
     * @param shape dimensions (empty for a scalar)
     * @param begin start of its bytes, relative to the start of the data section
     * @param end end (exclusive) of its bytes, relative to the start of the data section
     */
    public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        public long byteSize() {
            return end - begin;
        }

        @Override
        public String toString() {
            return name + " " + dtype + Arrays.toString(shape);
        }
    }

    private final Path path;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;

    private SafeTensorsFile(Path path, long dataStart, Map<String, String> metadata,
            Map<String, TensorInfo> tensors) {
        this.path = path;
        this.dataStart = dataStart;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** Reads and validates the header of {@code file}; see {@link SafeTensors#open(Path)}. */
    static SafeTensorsFile open(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw CheckpointErrors.inFile(file, "file is " + fileSize + " bytes, too short for a"
                        + " safetensors file (8-byte header length, JSON header, data); it may be truncated");
            }
            long headerLength = readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (headerLength <= 0 || headerLength > fileSize - 8) {
                throw CheckpointErrors.inFile(file, "header length " + headerLength
                        + " does not fit in the file (" + fileSize + " bytes, so at most " + (fileSize - 8)
                        + "); the file is truncated or not a safetensors file");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw CheckpointErrors.inFile(file, "header length " + headerLength
                        + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes; not a safetensors file");
            }
            String json = decodeUtf8(file, readFully(channel, 8, (int) headerLength));
            JsonElement header = SafeTensors.parseJson(file, json, "safetensors header");
            if (!header.isJsonObject()) {
                throw CheckpointErrors.inFile(file, "safetensors header is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            return parseHeader(file, header.getAsJsonObject(), dataStart, fileSize - dataStart);
        } catch (NoSuchFileException e) {
            throw CheckpointErrors.inFile(file, "file not found", e);
        } catch (EOFException e) {
            throw CheckpointErrors.inFile(file, "file ends inside the safetensors header; it is truncated", e);
        } catch (IOException e) {
            throw CheckpointErrors.inFile(file, "cannot read safetensors file: " + e, e);
        }
    }

    /** The file this header was read from. */
    public Path path() {
        return path;
    }

    /** The {@code __metadata__} strings (empty if the header has none), unmodifiable. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** All tensors, in file order (by data offset), unmodifiable. */
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    /** Whether the file holds a tensor of that name. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Reads one tensor (memory-mapped, read-only). */
    public TensorData read(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw CheckpointErrors.inFile(path, "no tensor named '" + name + "' (the file has "
                    + tensors.size() + " tensors)");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return map(channel, info);
        } catch (IOException e) {
            throw CheckpointErrors.inFile(path, "cannot read tensor '" + name + "': " + e, e);
        }
    }

    /** Reads every tensor (memory-mapped, read-only), in file order. */
    public Map<String, TensorData> readAll() {
        Map<String, TensorData> out = new LinkedHashMap<>();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            for (TensorInfo info : tensors.values()) {
                out.put(info.name(), map(channel, info));
            }
        } catch (IOException e) {
            throw CheckpointErrors.inFile(path, "cannot read tensor data: " + e, e);
        }
        return out;
    }

    private TensorData map(FileChannel channel, TensorInfo info) throws IOException {
        long size = info.byteSize();
        if (size > Integer.MAX_VALUE) {
            throw CheckpointErrors.inFile(path, "tensor '" + info.name() + "' is " + size
                    + " bytes; a single tensor over " + Integer.MAX_VALUE + " bytes (2 GiB) is not supported");
        }
        if (channel.size() < dataStart + info.end()) {
            throw CheckpointErrors.inFile(path, "file shrank to " + channel.size()
                    + " bytes while being read; tensor '" + info.name() + "' ends at byte " + (dataStart + info.end()));
        }
        ByteBuffer bytes = size == 0
                ? ByteBuffer.allocate(0)
                : channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), size);
        return new TensorData(info.dtype(), info.shape().clone(), bytes);
    }

    private static SafeTensorsFile parseHeader(Path file, JsonObject header, long dataStart, long dataSize) {
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> infos = new ArrayList<>();
        for (Map.Entry<String, JsonElement> entry : header.entrySet()) {
            if (entry.getKey().equals(METADATA_KEY)) {
                metadata.putAll(parseMetadata(file, entry.getValue()));
            } else {
                infos.add(parseTensor(file, entry.getKey(), entry.getValue(), dataSize));
            }
        }
        infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        TensorInfo previous = null;
        for (TensorInfo info : infos) {
            if (previous != null && info.begin() < previous.end()) {
                throw CheckpointErrors.inFile(file, "tensors '" + previous.name() + "' (data_offsets ["
                        + previous.begin() + ", " + previous.end() + "]) and '" + info.name() + "' (["
                        + info.begin() + ", " + info.end() + "]) overlap; expected disjoint byte ranges");
            }
            byName.put(info.name(), info);
            previous = info;
        }
        return new SafeTensorsFile(file, dataStart, Collections.unmodifiableMap(metadata),
                Collections.unmodifiableMap(byName));
    }

    private static Map<String, String> parseMetadata(Path file, JsonElement value) {
        if (!value.isJsonObject()) {
            throw CheckpointErrors.inFile(file, METADATA_KEY + " is not a JSON object; expected a map of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> item : value.getAsJsonObject().entrySet()) {
            JsonElement v = item.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw CheckpointErrors.inFile(file, METADATA_KEY + " entry '" + item.getKey() + "' is " + v
                        + "; expected a string");
            }
            metadata.put(item.getKey(), v.getAsString());
        }
        return metadata;
    }

    private static TensorInfo parseTensor(Path file, String name, JsonElement value, long dataSize) {
        String where = "tensor '" + name + "'";
        if (!value.isJsonObject()) {
            throw CheckpointErrors.inFile(file, where + " is " + value
                    + "; expected an object with dtype, shape and data_offsets");
        }
        JsonObject object = value.getAsJsonObject();
        JsonElement dtypeJson = required(file, object, where, "dtype");
        if (!dtypeJson.isJsonPrimitive() || !dtypeJson.getAsJsonPrimitive().isString()) {
            throw CheckpointErrors.inFile(file, where + " has dtype " + dtypeJson + "; expected a string");
        }
        DType dtype = DType.fromSafetensorsName(dtypeJson.getAsString());
        if (dtype == null) {
            throw CheckpointErrors.inFile(file, where + " has unsupported dtype '" + dtypeJson.getAsString()
                    + "'; expected one of " + Arrays.toString(DType.values()));
        }
        long[] shape = nonNegativeLongs(file, required(file, object, where, "shape"), where + " shape", -1);
        long[] offsets = nonNegativeLongs(file, required(file, object, where, "data_offsets"),
                where + " data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw CheckpointErrors.inFile(file, where + " has data_offsets [" + begin + ", " + end
                    + "] that end before they begin");
        }
        if (end > dataSize) {
            throw CheckpointErrors.inFile(file, where + " has data_offsets [" + begin + ", " + end
                    + "] past the end of the data (" + dataSize + " bytes); the file may be truncated");
        }
        long expectedBytes;
        try {
            expectedBytes = Math.multiplyExact(TensorData.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw CheckpointErrors.inFile(file, where + " has shape " + Arrays.toString(shape) + " too large to address");
        }
        if (end - begin != expectedBytes) {
            throw CheckpointErrors.inFile(file, where + " has data_offsets [" + begin + ", " + end + "] ("
                    + (end - begin) + " bytes) but " + dtype + Arrays.toString(shape) + " needs "
                    + expectedBytes + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static JsonElement required(Path file, JsonObject object, String where, String key) {
        JsonElement value = object.get(key);
        if (value == null) {
            throw CheckpointErrors.inFile(file, where + " has no '" + key
                    + "'; expected dtype, shape and data_offsets");
        }
        return value;
    }

    /** A JSON array of non-negative integers; {@code length} -1 for any length. */
    private static long[] nonNegativeLongs(Path file, JsonElement value, String what, int length) {
        String expected = "; expected " + (length < 0 ? "an array" : "an array of " + length)
                + " of non-negative integers";
        if (!value.isJsonArray() || (length >= 0 && value.getAsJsonArray().size() != length)) {
            throw CheckpointErrors.inFile(file, what + " is " + value + expected);
        }
        JsonArray array = value.getAsJsonArray();
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nonNegativeLongOrMinusOne(array.get(i));
            if (out[i] < 0) {
                throw CheckpointErrors.inFile(file, what + " is " + value + expected);
            }
        }
        return out;
    }

    private static long nonNegativeLongOrMinusOne(JsonElement item) {
        if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isNumber()) {
            return -1;
        }
        try {
            return Math.max(-1, item.getAsBigDecimal().longValueExact());
        } catch (ArithmeticException | NumberFormatException e) {
            return -1;
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException();
            }
        }
        return buffer.flip();
    }

    private static String decodeUtf8(Path file, ByteBuffer bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw CheckpointErrors.inFile(file, "safetensors header is not valid UTF-8; not a safetensors file", e);
        }
    }
}
