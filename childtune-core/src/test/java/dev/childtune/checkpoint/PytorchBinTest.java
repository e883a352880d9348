package dev.childtune.checkpoint;

import static dev.childtune.checkpoint.CheckpointTestSupport.assertExactError;
import static dev.childtune.checkpoint.CheckpointTestSupport.assertOneLineError;
import static dev.childtune.testing.Fixtures.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** torch.save archives assembled by hand, byte by byte, to exercise the restricted unpickler. */
class PytorchBinTest {
    @TempDir
    Path dir;

    /** Writes pickle opcodes; only what these tests need. */
    private static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int... opcodes) {
            for (int opcode : opcodes) {
                out.write(opcode);
            }
            return this;
        }

        Pickle global(String module, String name) {
            return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        }

        Pickle str(String text) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            return op('X').raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).array())
                    .raw(utf8);
        }

        Pickle shortStr(String text) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            return op(0x8c, utf8.length).raw(utf8);
        }

        Pickle integer(int value) {
            return op('J').raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
        }

        Pickle tuple(long... values) {
            op('(');
            for (long v : values) {
                integer((int) v);
            }
            return op('t');
        }

        /** {@code _rebuild_tensor_v2(('storage', type, key, 'cpu', numel), offset, size, stride, False, OrderedDict())}. */
        Pickle tensor(String storageType, String key, int numel, int offset, long[] size, long[] stride) {
            global("torch._utils", "_rebuild_tensor_v2").op('(');
            op('(').str("storage").global("torch", storageType).str(key).str("cpu").integer(numel).op('t', 'Q');
            integer(offset).tuple(size).tuple(stride).op(0x89);
            global("collections", "OrderedDict").op(')', 'R');
            return op('t', 'R');
        }

        Pickle raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** A torch.save zip: {@code archive/data.pkl}, {@code archive/data/<key>}, {@code archive/version}. */
    private Path archive(String name, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream stream = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(stream)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            for (Map.Entry<String, byte[]> storage : storages.entrySet()) {
                zip.putNextEntry(new ZipEntry("archive/data/" + storage.getKey()));
                zip.write(storage.getValue());
            }
            zip.putNextEntry(new ZipEntry("archive/version"));
            zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    private static byte[] floats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    @Test
    void stridedAndSharedStoragesBecomeContiguousTensors() throws IOException {
        byte[] pickle = new Pickle().op(0x80, 2, '}', '(')
                .str("transposed").tensor("FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3})
                .str("slice").tensor("FloatStorage", "0", 6, 2, new long[] {2}, new long[] {1})
                .str("scalar").tensor("FloatStorage", "0", 6, 5, new long[0], new long[0])
                .str("every_other").tensor("FloatStorage", "0", 6, 1, new long[] {2, 1}, new long[] {3, 2})
                .str("ids").tensor("LongStorage", "1", 2, 0, new long[] {2}, new long[] {1})
                .op('u', '.').bytes();
        byte[] ids = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-7).putLong(1L << 40).array();
        Path file = archive("pytorch_model.bin", pickle, Map.of("0", floats(0, 1, 2, 3, 4, 5), "1", ids));

        Map<String, TensorData> tensors = PytorchBin.read(file);
        assertEquals(List.of("transposed", "slice", "scalar", "every_other", "ids"), List.copyOf(tensors.keySet()));
        assertArrayEquals(new long[] {3, 2}, tensors.get("transposed").shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, tensors.get("transposed").toFloats());
        assertArrayEquals(new float[] {2, 3}, tensors.get("slice").toFloats());
        assertEquals(0, tensors.get("scalar").shape().length);
        assertArrayEquals(new float[] {5}, tensors.get("scalar").toFloats());
        assertArrayEquals(new float[] {1, 4}, tensors.get("every_other").toFloats());
        assertEquals(DType.I64, tensors.get("ids").dtype());
        assertArrayEquals(new long[] {-7, 1L << 40}, tensors.get("ids").toLongs());
    }

    @Test
    void forbiddenGlobalsAreRefusedAndNeverRun() throws IOException {
        Path marker = dir.resolve("pwned");
        byte[] osSystem = new Pickle().op(0x80, 2).global("os", "system").str("touch " + marker)
                .op(0x85, 'R', '.').bytes();
        Path file = archive("pytorch_model.bin", osSystem, Map.of());
        assertOneLineError(file, () -> PytorchBin.read(file),
                "refusing to load global 'os.system' from archive/data.pkl: only tensor state dicts are accepted");
        assertFalse(Files.exists(marker), "the pickle's command was executed");

        byte[] stackGlobal = new Pickle().op(0x80, 4).shortStr("builtins").shortStr("eval").op(0x93)
                .str("__import__('os').system('touch " + marker + "')").op(0x85, 'R', '.').bytes();
        Path second = archive("eval.bin", stackGlobal, Map.of());
        assertOneLineError(second, () -> PytorchBin.read(second), "refusing to load global 'builtins.eval'");

        byte[] afterTensors = new Pickle().op(0x80, 2, '}', '(')
                .str("w").tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1})
                .str("evil").global("__builtin__", "getattr").op('u', '.').bytes();
        Path third = archive("getattr.bin", afterTensors, Map.of("0", floats(1)));
        assertOneLineError(third, () -> PytorchBin.read(third), "'__builtin__.getattr'");
        assertFalse(Files.exists(marker), "the pickle's command was executed");
    }

    @Test
    void allowedGlobalsCannotBeMisused() throws IOException {
        byte[] callStorage = new Pickle().op(0x80, 2).global("torch", "FloatStorage").op(')', 'R', '.').bytes();
        Path file = archive("call.bin", callStorage, Map.of());
        assertOneLineError(file, () -> PytorchBin.read(file), "'torch.FloatStorage' cannot be called");

        byte[] notADict = new Pickle().op(0x80, 2, ']', '.').bytes();
        Path list = archive("list.bin", notADict, Map.of());
        assertOneLineError(list, () -> PytorchBin.read(list), "expected a dict of tensor name -> tensor");
    }

    @Test
    void malformedPicklesAreReportedWithOpcodeAndOffset() throws IOException {
        byte[] textInt = new Pickle().op(0x80, 2, 'I').raw("1\n".getBytes(StandardCharsets.US_ASCII)).op('.').bytes();
        Path file = archive("int.bin", textInt, Map.of());
        assertOneLineError(file, () -> PytorchBin.read(file), "unsupported pickle opcode 0x49 ('I') at offset 2");

        byte[] full = new Pickle().op(0x80, 2, '}', '(')
                .str("w").tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1}).op('u', '.').bytes();
        Path cut = archive("cut.bin", Arrays.copyOf(full, full.length - 20), Map.of("0", floats(1)));
        assertOneLineError(cut, () -> PytorchBin.read(cut), "archive/data.pkl ends unexpectedly", "truncated");

        Path noStorage = archive("nostorage.bin", full, Map.of());
        assertOneLineError(noStorage, () -> PytorchBin.read(noStorage),
                "storage archive/data/0 referenced by data.pkl is missing from the zip");

        Path wrongSize = archive("size.bin", full, Map.of("0", floats(1, 2)));
        assertOneLineError(wrongSize, () -> PytorchBin.read(wrongSize), "archive/data/0 holds 8 bytes");

        byte[] outOfRange = new Pickle().op(0x80, 2, '}', '(')
                .str("w").tensor("FloatStorage", "0", 2, 1, new long[] {2}, new long[] {1}).op('u', '.').bytes();
        Path range = archive("range.bin", outOfRange, Map.of("0", floats(1, 2)));
        assertOneLineError(range, () -> PytorchBin.read(range), "reaches past the end of storage");
    }

    @Test
    void truncatedFixtureIsNotAReadableZip() throws IOException {
        byte[] original = Files.readAllBytes(fixture("hf/bert/pytorch_model.bin"));
        Path truncated = dir.resolve("pytorch_model.bin");
        Files.write(truncated, Arrays.copyOf(original, original.length / 2));
        assertOneLineError(truncated, () -> PytorchBin.read(truncated), "not a readable zip archive", "truncated");
    }

    @Test
    void brokenArchivesAreReported() throws IOException {
        byte[] pickle = new Pickle().op(0x80, 2, '}', '(')
                .str("w").tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1}).op('u', '.').bytes();
        byte[] whole = Files.readAllBytes(archive("whole.bin", pickle, Map.of("0", floats(1))));
        Path truncated = Files.write(dir.resolve("truncated.bin"), Arrays.copyOf(whole, whole.length - 30));
        assertOneLineError(truncated, () -> PytorchBin.read(truncated), "not a readable zip archive", "truncated");

        Path empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
        assertExactError(empty, () -> PytorchBin.read(empty),
                "not a zip archive; expected a torch.save zip (<folder>/data.pkl and <folder>/data/<key>)");

        Path noPickle = dir.resolve("nopickle.bin");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(noPickle))) {
            zip.putNextEntry(new ZipEntry("archive/version"));
            zip.write('3');
        }
        assertExactError(noPickle, () -> PytorchBin.read(noPickle), "no data.pkl in the zip; expected a torch.save"
                + " archive (<folder>/data.pkl and <folder>/data/<key>)");

        Path legacy = dir.resolve("legacy.bin");
        Files.write(legacy, new Pickle().op(0x80, 2, 0x8a, 10).bytes());
        assertOneLineError(legacy, () -> PytorchBin.read(legacy), "legacy", "not supported");

        Path missing = dir.resolve("missing.bin");
        assertOneLineError(missing, () -> PytorchBin.read(missing), "file not found");
    }

    @Test
    void keepsPickleOrderOfTheFixture() {
        Map<String, TensorData> tensors = PytorchBin.read(fixture("hf/bert/pytorch_model.bin"));
        List<String> names = List.copyOf(tensors.keySet());
        assertEquals(List.of("bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight",
                "bert.embeddings.token_type_embeddings.weight"), names.subList(0, 3), "not in pickle order");
        assertArrayEquals(new long[] {128, 32}, tensors.get(names.get(0)).shape());
    }

    // The bad-input corpus (issue 9), continued: pickles that are malformed or hostile, with their
    // exact messages. The first two reproduce findings of PickleFuzzTest.

    @Test
    void popBelowTheInnermostMarkIsAStackUnderflow() throws IOException {
        Path file = archive("underflow.bin", new Pickle().op(0x80, 2, ']', '(', 'a', '.').bytes(), Map.of());
        assertExactError(file, () -> PytorchBin.read(file), "stack underflow at offset 4 of archive/data.pkl");

        // POP with nothing above the mark drops the mark, as in Python; the dict is then returned.
        Path popMark = archive("popmark.bin", new Pickle().op(0x80, 2, '}', '(', '0', '.').bytes(), Map.of());
        assertEquals(Map.of(), PytorchBin.read(popMark));
    }

    @Test
    void unhashableDictKeysAreRefusedInsteadOfOverflowingTheStack() throws IOException {
        // d = {}; d[d] = None: hashing a dict that contains itself never ends.
        Path file = archive("selfkey.bin", new Pickle().op(0x80, 2, '}', 'q', 0, 'h', 0, 'N', 's', '.').bytes(),
                Map.of());
        assertExactError(file, () -> PytorchBin.read(file), "dict key {} is not supported; expected a string,"
                + " a number or a tuple of them at offset 8 of archive/data.pkl");
    }

    @Test
    void otherForeignGlobalsAreRefused() throws IOException {
        // torch's own helper that runs torch.load on embedded bytes: code execution in disguise.
        byte[] loadFromBytes = new Pickle().op(0x80, 2).global("torch.storage", "_load_from_bytes")
                .op('(').str("payload").op('t', 'R', '.').bytes();
        Path file = archive("frombytes.bin", loadFromBytes, Map.of());
        assertExactError(file, () -> PytorchBin.read(file), "refusing to load global 'torch.storage._load_from_bytes'"
                + " from archive/data.pkl: only tensor state dicts are accepted");

        byte[] popen = new Pickle().op(0x80, 4).shortStr("subprocess").shortStr("Popen").op(0x93).bytes();
        Path second = archive("popen.bin", popen, Map.of());
        assertExactError(second, () -> PytorchBin.read(second), "refusing to load global 'subprocess.Popen'"
                + " from archive/data.pkl: only tensor state dicts are accepted");
    }

    @Test
    void truncatedPickleNamesTheOffset() throws IOException {
        byte[] full = new Pickle().op(0x80, 2, '}', '(').str("weight").op('u', '.').bytes();
        Path cut = archive("cut.bin", Arrays.copyOf(full, 7), Map.of());
        assertExactError(cut, () -> PytorchBin.read(cut), "archive/data.pkl ends unexpectedly inside the opcode at"
                + " offset 4; the pickle is truncated");
    }

    @Test
    void viewsThatCannotBeAddressedOrWouldMultiplyMemoryAreRefused() throws IOException {
        Map<String, byte[]> storage = Map.of("0", floats(0, 1, 2, 3, 4, 5));
        int max = Integer.MAX_VALUE;
        Path huge = archive("huge.bin", stateDict(new Pickle()
                .str("w").tensor("FloatStorage", "0", 6, 0, new long[] {max, max, max}, new long[] {1, 1, 1})), storage);
        assertExactError(huge, () -> PytorchBin.read(huge), "tensor of size [2147483647, 2147483647, 2147483647],"
                + " stride [1, 1, 1] at offset 0 is too large to address");

        Path expanded = archive("expanded.bin", stateDict(new Pickle()
                .str("w").tensor("FloatStorage", "0", 6, 0, new long[] {4, 6}, new long[] {0, 1})), storage);
        assertExactError(expanded, () -> PytorchBin.read(expanded), "tensor of size [4, 6], stride [0, 1] at offset 0"
                + " has 24 values, more than its storage archive/data/0 (6 values); expected a view that does not"
                + " overlap itself (save such a tensor after .clone())");

        // An expanded dimension of size 1 (like BERT's position_ids buffer) is fine.
        Path positionIds = archive("position_ids.bin", stateDict(new Pickle()
                .str("ids").tensor("FloatStorage", "0", 6, 0, new long[] {1, 6}, new long[] {0, 1})), storage);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, PytorchBin.read(positionIds).get("ids").toFloats());

        Pickle transposes = new Pickle();
        for (String name : List.of("a", "b", "c")) {
            transposes.str(name).tensor("FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3});
        }
        Path copies = archive("copies.bin", stateDict(transposes), storage);
        assertExactError(copies, () -> PytorchBin.read(copies), "non-contiguous tensors copy 72 bytes, more than twice"
                + " the 24 bytes the storages hold; expected each stored value in at most two views");

        long[] ones = new long[65];
        Arrays.fill(ones, 1);
        Path dims = archive("dims.bin", stateDict(new Pickle()
                .str("w").tensor("FloatStorage", "0", 6, 0, ones, ones)), storage);
        assertExactError(dims, () -> PytorchBin.read(dims), "tensor size has 65 dimensions; at most 64 are supported");

        Path negative = archive("negative.bin", stateDict(new Pickle()
                .str("w").tensor("FloatStorage", "0", 6, -1, new long[] {1}, new long[] {1})), storage);
        assertExactError(negative, () -> PytorchBin.read(negative), "tensor of size [1], stride [1] at offset -1:"
                + " the offset is negative");
    }

    /** {@code {<entries>}}: protocol 2, EMPTY_DICT, MARK, the entries, SETITEMS, STOP. */
    private static byte[] stateDict(Pickle entries) {
        return new Pickle().op(0x80, 2, '}', '(').raw(entries.bytes()).op('u', '.').bytes();
    }
}
