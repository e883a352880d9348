package dev.childtune.checkpoint;

import static dev.childtune.checkpoint.CheckpointTestSupport.assertExactError;
import static dev.childtune.checkpoint.CheckpointTestSupport.assertOneLineError;
import static dev.childtune.checkpoint.CheckpointTestSupport.bytesOf;
import static dev.childtune.testing.Fixtures.fixture;
import static dev.childtune.checkpoint.CheckpointTestSupport.writeRawSafetensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Map<String, TensorData> sampleTensors() {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("weight", TensorData.ofFloats(new long[] {2, 3}, new float[] {1f, -2.5f, 3e-8f, Float.NaN, -0f, 7f}));
        tensors.put("ids", TensorData.ofLongs(new long[] {3}, new long[] {Long.MIN_VALUE, 0, 42}));
        tensors.put("loss", TensorData.ofFloats(new long[0], new float[] {0.25f}));
        tensors.put("mask", new TensorData(DType.U8, new long[] {5}, ByteBuffer.wrap(new byte[] {0, 1, 1, 0, (byte) 255})));
        tensors.put("empty", TensorData.ofFloats(new long[] {0, 4}, new float[0]));
        return tensors;
    }

    @Test
    void writeThenReadIsBitIdenticalAndKeepsOrderAndMetadata() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Map<String, TensorData> tensors = sampleTensors();
        SafeTensors.write(file, tensors, Map.of("format", "pt"));

        SafeTensorsFile opened = SafeTensors.open(file);
        assertEquals(Map.of("format", "pt"), opened.metadata());
        Map<String, TensorData> back = opened.readAll();
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.keySet()));
        for (String name : tensors.keySet()) {
            assertEquals(tensors.get(name).dtype(), back.get(name).dtype(), name);
            assertArrayEquals(tensors.get(name).shape(), back.get(name).shape(), name);
            assertArrayEquals(bytesOf(tensors.get(name)), bytesOf(back.get(name)), name);
        }
        assertEquals(0, back.get("loss").shape().length);

        byte[] raw = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header length " + headerLength + " is not a multiple of 8");
        String header = new String(raw, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"},\"weight\":"), header);
        assertTrue(header.stripTrailing().endsWith("}"), header);
    }

    @Test
    void theSameTensorsAndMetadataGiveTheSameBytes() throws IOException {
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        Map<String, String> forward = new LinkedHashMap<>();
        forward.put("format", "pt");
        forward.put("content", "childtune-mask");
        Map<String, String> backward = new LinkedHashMap<>();
        backward.put("content", "childtune-mask");
        backward.put("format", "pt");
        SafeTensors.write(a, sampleTensors(), forward);
        SafeTensors.write(b, sampleTensors(), backward);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "metadata is written in key order");
    }

    @Test
    void writeIsAtomicAndReplacesAnExistingFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Files.writeString(file, "old content");
        SafeTensors.write(file, sampleTensors(), Map.of());

        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "a temporary file was left behind");
        }
        SafeTensorsFile opened = SafeTensors.open(file);
        assertEquals(Map.of(), opened.metadata());
        assertEquals(sampleTensors().keySet(), opened.readAll().keySet());
    }

    @Test
    void float16RoundTrip() {
        short[] halves = {0x3C00, (short) 0xC000, 0x3800, 0x7BFF, 0x0001, (short) 0x8000, 0x7C00};
        float[] values = {1f, -2f, 0.5f, 65504f, 0x1p-24f, -0f, Float.POSITIVE_INFINITY};
        ByteBuffer bytes = ByteBuffer.allocate(halves.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asShortBuffer().put(halves);
        Path file = dir.resolve("half.safetensors");
        SafeTensors.write(file, Map.of("h", new TensorData(DType.F16, new long[] {7}, bytes)), Map.of("format", "pt"));

        TensorData back = SafeTensors.read(file).get("h");
        assertEquals(DType.F16, back.dtype());
        assertArrayEquals(bytesOf(new TensorData(DType.F16, new long[] {7}, bytes)), bytesOf(back));
        assertArrayEquals(values, back.toFloats());
    }

    @Test
    void shardedCheckpointIsMergedFromItsShards() throws IOException {
        Map<String, TensorData> all = SafeTensors.read(fixture("hf/bert/model.safetensors"));
        Map<String, TensorData> first = new LinkedHashMap<>();
        Map<String, TensorData> second = new LinkedHashMap<>();
        StringBuilder weightMap = new StringBuilder();
        int i = 0;
        for (Map.Entry<String, TensorData> entry : all.entrySet()) {
            boolean inFirst = i++ % 2 == 0;
            (inFirst ? first : second).put(entry.getKey(), entry.getValue());
            weightMap.append(weightMap.length() == 0 ? "" : ",").append('"').append(entry.getKey()).append("\":\"")
                    .append(inFirst ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
        }
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"), first, Map.of("format", "pt"));
        SafeTensors.write(dir.resolve("model-00002-of-00002.safetensors"), second, Map.of("format", "pt"));
        Path index = dir.resolve(SafeTensors.INDEX_FILE);
        Files.writeString(index, "{\"metadata\":{\"total_size\":111176},\"weight_map\":{" + weightMap + "}}");

        Checkpoints.LoadedWeights loaded = Checkpoints.load(dir);
        assertEquals(index, loaded.source());
        assertEquals(List.copyOf(all.keySet()), List.copyOf(loaded.tensors().keySet()));
        for (String name : all.keySet()) {
            assertArrayEquals(bytesOf(all.get(name)), bytesOf(loaded.tensors().get(name)), name);
        }

        Files.writeString(index, "{\"weight_map\":{\"bert.embeddings.LayerNorm.bias\":\"model-00001-of-00002.safetensors\","
                + "\"extra.weight\":\"model-00001-of-00002.safetensors\"}}");
        assertOneLineError(index, () -> SafeTensors.readSharded(index), "extra.weight", "model-00001-of-00002.safetensors");

        Files.writeString(index, "{\"weight_map\":{\"classifier.bias\":\"model-00003-of-00002.safetensors\"}}");
        assertOneLineError(index, () -> SafeTensors.readSharded(index), "model-00003-of-00002.safetensors", "does not exist");

        Files.writeString(index, "{\"weight_map\":{\"classifier.bias\":\"../model.safetensors\"}}");
        assertOneLineError(index, () -> SafeTensors.readSharded(index), "not a plain file name");
    }

    @Test
    void readsATensorLyingBeyondTwoGibibytesOfASparseFile() throws IOException {
        String store = Files.getFileStore(dir).type();
        Assumptions.assumeTrue(Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "zfs", "overlay", "apfs", "f2fs")
                .contains(store), "file system '" + store + "' may not support sparse files; skipping");
        long big = 3L << 30;
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + big + "," + (big + 16) + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer tail = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f)
                .putFloat(3.25f).putFloat(1e-20f);
        Path file = dir.resolve("huge.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            raf.write(json);
            raf.seek(8 + json.length + big);
            raf.write(tail.array());
        } catch (IOException e) {
            Assumptions.abort("cannot create a sparse 3 GiB file here (" + e + "); skipping");
        }
        assertEquals(8 + json.length + big + 16, Files.size(file));

        SafeTensorsFile opened = SafeTensors.open(file);
        assertEquals(List.of("big", "tail"), opened.tensors().stream().map(SafeTensorsFile.TensorInfo::name).toList());
        TensorData read = opened.read("tail");
        assertArrayEquals(new long[] {2, 2}, read.shape());
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 1e-20f}, read.toFloats());

        assertOneLineError(file, () -> SafeTensors.read(file), "tensor 'big'", "2 GiB");
    }

    @Test
    void truncatedFixtureIsRejected() throws IOException {
        byte[] original = Files.readAllBytes(fixture("hf/bert/model.safetensors"));
        Path cut = dir.resolve("model.safetensors");
        Files.write(cut, Arrays.copyOf(original, original.length - 1000));
        assertOneLineError(cut, () -> SafeTensors.read(cut), "past the end of the data", "truncated");

        Files.write(cut, Arrays.copyOf(original, 3000));
        assertOneLineError(cut, () -> SafeTensors.open(cut), "header length 6056", "does not fit");

        Files.write(cut, Arrays.copyOf(original, 5));
        assertOneLineError(cut, () -> SafeTensors.open(cut), "too short");
    }

    @Test
    void offsetsPastTheEndAreRejectedBeforeReadingData() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        writeRawSafetensors(file, "{\"x.weight\":{\"dtype\":\"F32\",\"shape\":[1000],\"data_offsets\":[0,4000]}}",
                new byte[3000]);
        assertOneLineError(file, () -> SafeTensors.open(file),
                "tensor 'x.weight' has data_offsets [0, 4000] past the end of the data (3000 bytes)");
    }

    @Test
    void unknownDtypeIsNamed() throws IOException {
        Path file = dir.resolve("quantized.safetensors");
        writeRawSafetensors(file, "{\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]);
        assertOneLineError(file, () -> SafeTensors.read(file), "tensor 'q'", "unsupported dtype 'F8_E4M3'");
        writeRawSafetensors(file, "{\"q\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,2]}}", new byte[2]);
        assertOneLineError(file, () -> SafeTensors.read(file), "'Q4'");
    }

    @Test
    void malformedHeadersAreRejected() throws IOException {
        Path file = dir.resolve("broken.safetensors");

        Files.write(file, ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertOneLineError(file, () -> SafeTensors.open(file), "header length 1000", "10 bytes");

        Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-8).array());
        assertOneLineError(file, () -> SafeTensors.open(file), "header length -8");

        writeRawSafetensors(file, "{not json    ", new byte[0]);
        assertOneLineError(file, () -> SafeTensors.open(file), "not valid JSON");

        writeRawSafetensors(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]);
        assertOneLineError(file, () -> SafeTensors.open(file), "tensor 'a' has no 'data_offsets'");

        writeRawSafetensors(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]);
        assertOneLineError(file, () -> SafeTensors.open(file), "tensor 'a'", "needs 8 bytes");

        writeRawSafetensors(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertOneLineError(file, () -> SafeTensors.open(file), "tensor 'a' shape", "non-negative integers");

        writeRawSafetensors(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
        assertOneLineError(file, () -> SafeTensors.open(file), "'a'", "'b'", "overlap");

        writeRawSafetensors(file, "{\"__metadata__\":{\"format\":1}}", new byte[0]);
        assertOneLineError(file, () -> SafeTensors.open(file), "__metadata__ entry 'format'", "expected a string");

        Path missing = dir.resolve("missing.safetensors");
        assertOneLineError(missing, () -> SafeTensors.read(missing), "file not found");
    }

    @Test
    void tensorsAreReturnedInDataOffsetOrder() throws IOException {
        Path file = dir.resolve("order.safetensors");
        writeRawSafetensors(file, "{\"z\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[8,12]},"
                + "\"m\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[4,8]}}",
                new byte[] {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0});
        Map<String, TensorData> tensors = SafeTensors.read(file);
        assertEquals(List.of("z", "m", "a"), List.copyOf(tensors.keySet()));
        assertArrayEquals(new long[] {3}, tensors.get("a").toLongs());
    }

    // The bad-input corpus (issue 9): each case with its exact message.

    @Test
    void emptyFileIsTooShort() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("model"));
        Path file = Files.write(folder.resolve(SafeTensors.MODEL_FILE), new byte[0]);
        String expected = "file is 0 bytes, too short for a safetensors file (8-byte header length, JSON header,"
                + " data); it may be truncated";
        assertExactError(file, () -> SafeTensors.open(file), expected);
        assertExactError(file, () -> Checkpoints.load(folder), expected);
    }

    @Test
    void truncatedFileNamesTheFirstTensorPastTheEnd() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, sampleTensors(), Map.of("format", "pt"));
        byte[] whole = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(whole, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();

        Files.write(file, Arrays.copyOf(whole, whole.length - 3));
        assertExactError(file, () -> SafeTensors.open(file), "tensor 'mask' has data_offsets [52, 57] past the end"
                + " of the data (54 bytes); the file may be truncated");

        Files.write(file, Arrays.copyOf(whole, 40));
        assertExactError(file, () -> SafeTensors.open(file), "header length " + headerLength
                + " does not fit in the file (40 bytes, so at most 32); the file is truncated or not a safetensors file");
    }

    @Test
    void headersThatAreNotStrictJsonAreRejectedWithTheirPosition() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        String tensor = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";

        writeRawSafetensors(file, "{\"a\":" + tensor + "}   trailing", new byte[4]);
        assertExactError(file, () -> SafeTensors.open(file), "the safetensors header is not valid JSON (malformed"
                + " JSON at line 1 column 59 path $)");

        writeRawSafetensors(file, "{\"a\":" + tensor + "} {}", new byte[4]);
        assertExactError(file, () -> SafeTensors.open(file), "the safetensors header is not valid JSON (malformed"
                + " JSON at line 1 column 57 path $)");

        writeRawSafetensors(file, "{'a':" + tensor + "}", new byte[4]);
        assertExactError(file, () -> SafeTensors.open(file), "the safetensors header is not valid JSON (malformed"
                + " JSON at line 1 column 3 path $.)");

        writeRawSafetensors(file, "", new byte[4]);
        assertExactError(file, () -> SafeTensors.open(file), "header length 0 does not fit in the file (12 bytes,"
                + " so at most 4); the file is truncated or not a safetensors file");

        Files.write(file, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(4)
                .put(new byte[] {'{', (byte) 0xC3, '}', ' '}).array());
        assertExactError(file, () -> SafeTensors.open(file), "safetensors header is not valid UTF-8; not a"
                + " safetensors file");
    }

    @Test
    void aTensorNameGivenTwiceIsRejected() throws IOException {
        Path file = dir.resolve("twice.safetensors");
        writeRawSafetensors(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
        assertExactError(file, () -> SafeTensors.open(file), "the safetensors header has the key \"w\" twice in one"
                + " object ($.w); expected each key once");
    }

    @Test
    void numbersOutOfRangeAreRejected() throws IOException {
        Path file = dir.resolve("huge.safetensors");
        // Gson itself throws NumberFormatException ("unsupported scale") on this one; found in review.
        writeRawSafetensors(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1e99999],\"data_offsets\":[0,4]}}",
                new byte[4]);
        assertExactError(file, () -> SafeTensors.open(file), "the safetensors header is not valid JSON (the number"
                + " 1e99999 at $.w.shape[0] is out of range)");

        writeRawSafetensors(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1e400],\"data_offsets\":[0,4]}}",
                new byte[4]);
        assertExactError(file, () -> SafeTensors.open(file), "tensor 'w' shape is [1e400]; expected an array of"
                + " non-negative integers");

        writeRawSafetensors(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,4]}}", new byte[4]);
        assertExactError(file, () -> SafeTensors.open(file), "tensor 'w' has shape [4294967296, 4294967296] too"
                + " large to address");
    }

    @Test
    void overlappingAndOutOfRangeOffsetsNameBothTensors() throws IOException {
        Path file = dir.resolve("overlap.safetensors");
        writeRawSafetensors(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
        assertExactError(file, () -> SafeTensors.open(file), "tensors 'a' (data_offsets [0, 8]) and 'b' ([4, 8])"
                + " overlap; expected disjoint byte ranges");

        writeRawSafetensors(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", new byte[8]);
        assertExactError(file, () -> SafeTensors.open(file), "tensor 'a' has data_offsets [8, 4] that end before"
                + " they begin");

        writeRawSafetensors(file, "{\"a\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);
        assertExactError(file, () -> SafeTensors.open(file), "tensor 'a' has data_offsets [0, 8] (8 bytes) but"
                + " I64[2] needs 16 bytes");
    }

    @Test
    void shardedIndexNamingAMissingShard() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("sharded"));
        SafeTensors.write(folder.resolve("model-00001-of-00002.safetensors"),
                Map.of("a", TensorData.ofFloats(new long[] {1}, new float[] {1})), Map.of());
        Path index = folder.resolve(SafeTensors.INDEX_FILE);
        Files.writeString(index, "{\"metadata\":{},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"b\":\"model-00002-of-00002.safetensors\"}}");
        assertExactError(index, () -> Checkpoints.load(folder), "shard 'model-00002-of-00002.safetensors' listed in"
                + " weight_map does not exist in " + folder.toAbsolutePath().normalize());

        Files.writeString(index, "{\"weight_map\":[]}");
        assertExactError(index, () -> Checkpoints.load(folder), "no \"weight_map\" object; expected {\"metadata\":"
                + " {...}, \"weight_map\": {name: shard file}}");
    }
}
