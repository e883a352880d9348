package dev.childtune.checkpoint.onnx;

import dev.childtune.ChildTuneException;
import dev.childtune.checkpoint.DType;
import dev.childtune.checkpoint.TensorData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of an ONNX model that checkpoint import needs: the graph's nodes, initializers
 * (weights) and input/output names. Decoded with {@link ProtoReader}; everything else in the
 * file (doc strings, value shapes, metadata, subgraphs) is skipped.
 *
 * <p>Tensors keep the ONNX element type (FLOAT, FLOAT16, BFLOAT16 or INT64) and their bytes are
 * slices of the file's buffer where the file stores them as raw data. Tensors stored outside the
 * file (external data) are rejected.
 */
public final class OnnxModel {

    /**
     * One graph node.
     *
     * @param name node name (may be empty)
     * @param opType operator, e.g. "MatMul"
     * @param inputs names of the values it consumes (an empty name is an omitted optional input)
     * @param outputs names of the values it produces
     * @param attributes attributes by name
     */
    public record Node(String name, String opType, List<String> inputs, List<String> outputs,
            Map<String, Attribute> attributes) {}

    /**
     * One node attribute; only the fields that apply to its type are meaningful.
     *
     * @param name attribute name
     * @param i INT value
     * @param f FLOAT value
     * @param ints INTS values (empty when absent)
     * @param t TENSOR value (null when absent)
     */
    public record Attribute(String name, long i, float f, long[] ints, TensorData t) {}

    private final String source;
    private final List<Node> nodes;
    private final Map<String, TensorData> initializers;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();

    private OnnxModel(String source, List<Node> nodes, Map<String, TensorData> initializers,
            List<String> inputs, List<String> outputs) {
        this.source = source;
        this.nodes = List.copyOf(nodes);
        this.initializers = Collections.unmodifiableMap(initializers);
        this.inputs = inputs.stream().filter(name -> !initializers.containsKey(name)).toList();
        this.outputs = List.copyOf(outputs);
        for (Node node : nodes) {
            node.outputs().forEach(output -> producers.put(output, node));
            node.inputs().forEach(input -> consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node));
        }
    }

    /** Reads an ONNX file. */
    public static OnnxModel read(Path file) {
        try {
            return parse(ByteBuffer.wrap(Files.readAllBytes(file)), file.toString());
        } catch (IOException e) {
            throw new ChildTuneException(file + ": cannot read ONNX file (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Reads an ONNX model from a stream (read to its end, not closed).
     *
     * @param sourceName names the model in error messages, e.g. the resource name
     */
    public static OnnxModel read(InputStream in, String sourceName) {
        try {
            return parse(ByteBuffer.wrap(in.readAllBytes()), sourceName);
        } catch (IOException e) {
            throw new ChildTuneException(sourceName + ": cannot read ONNX model (" + e.getMessage() + ")", e);
        }
    }

    /** Decodes a serialized ModelProto; {@code sourceName} names it in error messages. */
    public static OnnxModel parse(ByteBuffer bytes, String sourceName) {
        ProtoReader model = new ProtoReader(bytes, sourceName);
        ProtoReader graph = null;
        while (model.next()) {
            if (model.field() == 7 && model.wireType() == ProtoReader.LENGTH_DELIMITED) {
                graph = model.readMessage();
            } else {
                model.skip();
            }
        }
        if (graph == null) {
            throw new ChildTuneException(sourceName + ": not an ONNX model (no graph found)");
        }
        List<Node> nodes = new ArrayList<>();
        Map<String, TensorData> initializers = new LinkedHashMap<>();
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        while (graph.next()) {
            switch (graph.field()) {
                case 1 -> nodes.add(readNode(graph.readMessage(), sourceName));
                case 5 -> {
                    NamedTensor tensor = readTensor(graph.readMessage(), sourceName);
                    initializers.put(tensor.name(), tensor.data());
                }
                case 11 -> inputs.add(readValueInfoName(graph.readMessage()));
                case 12 -> outputs.add(readValueInfoName(graph.readMessage()));
                default -> graph.skip();
            }
        }
        if (nodes.isEmpty() || outputs.isEmpty()) {
            throw new ChildTuneException(sourceName + ": not an ONNX model (graph has no nodes or no outputs)");
        }
        return new OnnxModel(sourceName, nodes, initializers, inputs, outputs);
    }

    /** The file or resource name the model was read from. */
    public String source() {
        return source;
    }

    /** The graph's nodes in file (topological) order. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The graph's initializers by name, in file order. */
    public Map<String, TensorData> initializers() {
        return initializers;
    }

    /** Names of the graph inputs fed at run time (initializers listed as inputs excluded). */
    public List<String> inputs() {
        return inputs;
    }

    /** Names of the graph outputs. */
    public List<String> outputs() {
        return outputs;
    }

    /** The node producing the named value, if any (graph inputs and initializers have none). */
    public Optional<Node> producer(String value) {
        return Optional.ofNullable(producers.get(value));
    }

    /** The nodes consuming the named value. */
    public List<Node> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /**
     * The value of a named value known without running the graph: an initializer or the output
     * of a Constant node ({@code value}, {@code value_float}, {@code value_int} or
     * {@code value_ints}).
     */
    public Optional<TensorData> constant(String value) {
        TensorData initializer = initializers.get(value);
        if (initializer != null) {
            return Optional.of(initializer);
        }
        Node node = producers.get(value);
        if (node == null || !node.opType().equals("Constant")) {
            return Optional.empty();
        }
        Map<String, Attribute> attributes = node.attributes();
        if (attributes.containsKey("value")) {
            return Optional.ofNullable(attributes.get("value").t());
        } else if (attributes.containsKey("value_float")) {
            return Optional.of(TensorData.ofFloats(new long[0], new float[] {attributes.get("value_float").f()}));
        } else if (attributes.containsKey("value_int")) {
            return Optional.of(TensorData.ofLongs(new long[0], new long[] {attributes.get("value_int").i()}));
        } else if (attributes.containsKey("value_ints")) {
            long[] ints = attributes.get("value_ints").ints();
            return Optional.of(TensorData.ofLongs(new long[] {ints.length}, ints));
        }
        return Optional.empty();
    }

    private static Node readNode(ProtoReader reader, String source) {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String opType = "";
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        while (reader.next()) {
            switch (reader.field()) {
                case 1 -> inputs.add(reader.readString());
                case 2 -> outputs.add(reader.readString());
                case 3 -> name = reader.readString();
                case 4 -> opType = reader.readString();
                case 5 -> {
                    Attribute attribute = readAttribute(reader.readMessage(), source);
                    attributes.put(attribute.name(), attribute);
                }
                default -> reader.skip();
            }
        }
        return new Node(name, opType, List.copyOf(inputs), List.copyOf(outputs), Collections.unmodifiableMap(attributes));
    }

    private static Attribute readAttribute(ProtoReader reader, String source) {
        String name = "";
        long i = 0;
        float f = 0;
        List<long[]> ints = new ArrayList<>();
        TensorData t = null;
        while (reader.next()) {
            switch (reader.field()) {
                case 1 -> name = reader.readString();
                case 2 -> f = reader.readFloat();
                case 3 -> i = reader.readVarint();
                case 5 -> t = readTensor(reader.readMessage(), source).data();
                case 8 -> ints.add(reader.readVarints());
                default -> reader.skip();
            }
        }
        return new Attribute(name, i, f, concat(ints), t);
    }

    private static String readValueInfoName(ProtoReader reader) {
        String name = "";
        while (reader.next()) {
            if (reader.field() == 1) {
                name = reader.readString();
            } else {
                reader.skip();
            }
        }
        return name;
    }

    private record NamedTensor(String name, TensorData data) {}

    /** Decodes a TensorProto; values come from raw_data or from the typed repeated field. */
    private static NamedTensor readTensor(ProtoReader reader, String source) {
        List<long[]> dims = new ArrayList<>();
        long dataType = 0;
        String name = "";
        ByteBuffer raw = null;
        List<ByteBuffer> floatData = new ArrayList<>();
        List<long[]> int32Data = new ArrayList<>();
        List<long[]> int64Data = new ArrayList<>();
        while (reader.next()) {
            switch (reader.field()) {
                case 1 -> dims.add(reader.readVarints());
                case 2 -> dataType = reader.readVarint();
                case 4 -> floatData.add(reader.wireType() == ProtoReader.FIXED32
                        ? ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, reader.readFloat())
                        : reader.readBytes());
                case 5 -> int32Data.add(reader.readVarints());
                case 7 -> int64Data.add(reader.readVarints());
                case 8 -> name = reader.readString();
                case 9 -> raw = reader.readBytes();
                case 13 -> throw externalData(source, name);
                case 14 -> {
                    if (reader.readVarint() == 1) { // data_location EXTERNAL
                        throw externalData(source, name);
                    }
                }
                default -> reader.skip();
            }
        }
        long[] shape = concat(dims);
        DType dtype = switch ((int) dataType) {
            case 1 -> DType.F32;
            case 7 -> DType.I64;
            case 10 -> DType.F16;
            case 16 -> DType.BF16;
            default -> throw new ChildTuneException(source + ": tensor '" + name
                    + "' has ONNX data type " + dataType + "; supported: 1 (FLOAT), 7 (INT64), 10 (FLOAT16), 16 (BFLOAT16)");
        };
        ByteBuffer bytes = raw != null ? raw : typedValues(dtype, floatData, int32Data, int64Data);
        long expected = TensorData.numel(shape) * dtype.byteSize();
        if (bytes.remaining() != expected) {
            throw new ChildTuneException(source + ": tensor '" + name + "' of shape "
                    + Arrays.toString(shape) + " holds " + bytes.remaining() + " bytes, expected " + expected);
        }
        return new NamedTensor(name, new TensorData(dtype, shape, bytes));
    }

    private static ChildTuneException externalData(String source, String tensor) {
        return new ChildTuneException(source + ": tensor '" + tensor
                + "' uses external data, which is not supported (re-export the model as one file)");
    }

    /** Little-endian bytes of a tensor stored in float_data, int32_data (16-bit floats) or int64_data. */
    private static ByteBuffer typedValues(DType dtype, List<ByteBuffer> floatData, List<long[]> int32Data,
            List<long[]> int64Data) {
        ByteBuffer out;
        switch (dtype) {
            case F32 -> {
                out = ByteBuffer.allocate(floatData.stream().mapToInt(ByteBuffer::remaining).sum());
                floatData.forEach(chunk -> out.put(chunk.duplicate()));
            }
            case I64 -> {
                long[] values = concat(int64Data);
                out = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                out.asLongBuffer().put(values);
                return out;
            }
            default -> {
                long[] values = concat(int32Data);
                out = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (long value : values) {
                    out.putShort((short) value);
                }
            }
        }
        return out.flip();
    }

    private static long[] concat(List<long[]> parts) {
        long[] all = new long[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (long[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
