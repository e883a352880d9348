package dev.childtune.checkpoint;

import dev.childtune.checkpoint.RestrictedUnpickler.Global;
import dev.childtune.checkpoint.RestrictedUnpickler.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a {@code pytorch_model.bin} written by {@code torch.save} (the zip format of PyTorch 1.6
 * and later): a zip whose entries sit under one top folder ({@code pytorch_model/},
 * {@code archive/}, ...): {@code data.pkl}, the pickled state dict, and {@code data/<key>}, the
 * raw little-endian bytes of each storage.
 *
 * <p>The pickle is read by {@link RestrictedUnpickler}, which executes nothing: only the globals
 * a plain tensor state dict needs are accepted ({@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter}, {@code collections.OrderedDict} and the typed storage
 * classes); any other global is refused with a {@link dev.childtune.ChildTuneException}.
 */
public final class PytorchBin {
    /** File name Hugging Face gives this format. */
    public static final String MODEL_FILE = "pytorch_model.bin";

    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
    private static final String ORDERED_DICT = "collections.OrderedDict";

    private static final Map<String, DType> STORAGE_TYPES = Map.of(
            "torch.DoubleStorage", DType.F64,
            "torch.FloatStorage", DType.F32,
            "torch.HalfStorage", DType.F16,
            "torch.BFloat16Storage", DType.BF16,
            "torch.LongStorage", DType.I64,
            "torch.IntStorage", DType.I32,
            "torch.ShortStorage", DType.I16,
            "torch.CharStorage", DType.I8,
            "torch.ByteStorage", DType.U8,
            "torch.BoolStorage", DType.BOOL);

    private static final Set<String> ALLOWED_GLOBALS = allowedGlobals();
    /** PyTorch's own limit on the dimensions of a tensor. */
    private static final int MAX_DIMENSIONS = 64;

    private PytorchBin() {
    }

    /** Reads the state dict in {@code file}: tensor name to tensor, in pickle order. */
    public static Map<String, TensorData> read(Path file) {
        checkZipMagic(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pickle = findPickle(file, zip);
            String top = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
            return readPickle(file, pickle.getName(), entryBytes(file, zip, pickle), name -> {
                ZipEntry entry = zip.getEntry(name);
                if (entry == null) {
                    return null;
                }
                try {
                    return entryBytes(file, zip, entry);
                } catch (IOException e) {
                    throw CheckpointErrors.inFile(file, "cannot read zip entry " + name + " (" + e.getMessage()
                            + "); the file is truncated or corrupt", e);
                }
            });
        } catch (ZipException e) {
            throw CheckpointErrors.inFile(file, "not a readable zip archive (" + e.getMessage()
                    + "); the file is truncated or corrupt", e);
        } catch (IOException e) {
            throw CheckpointErrors.inFile(file, "cannot read: " + e, e);
        }
    }

    /**
     * Rebuilds the state dict from the pickle {@code entry} ({@code <top>/data.pkl}), reading
     * storages {@code <top>/data/<key>} through {@code entries} (null for a missing entry).
     */
    static Map<String, TensorData> readPickle(Path file, String entry, byte[] pickle,
            Function<String, byte[]> entries) {
        String top = entry.substring(0, entry.length() - "data.pkl".length());
        Loader loader = new Loader(file, entries, top);
        Object state = new RestrictedUnpickler(file, entry, pickle, ALLOWED_GLOBALS, loader).load();
        return stateDict(file, entry, state);
    }

    private static Set<String> allowedGlobals() {
        Set<String> names = new HashSet<>(STORAGE_TYPES.keySet());
        names.addAll(List.of(REBUILD_TENSOR, REBUILD_PARAMETER, ORDERED_DICT));
        return Set.copyOf(names);
    }

    /** Tells the legacy (pre-1.6, non-zip) torch.save format and other files apart from a zip. */
    private static void checkZipMagic(Path file) {
        byte[] head = new byte[2];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, 2);
        } catch (NoSuchFileException e) {
            throw CheckpointErrors.inFile(file, "file not found", e);
        } catch (IOException e) {
            throw CheckpointErrors.inFile(file, "cannot read: " + e, e);
        }
        if (read == 2 && head[0] == 'P' && head[1] == 'K') {
            return;
        }
        if (read >= 1 && (head[0] & 0xFF) == 0x80) {
            throw CheckpointErrors.inFile(file, "legacy (pre-PyTorch 1.6) torch.save format is not supported;"
                    + " expected the zip format (re-save with a recent PyTorch, or convert to safetensors)");
        }
        throw CheckpointErrors.inFile(file, "not a zip archive; expected a torch.save zip"
                + " (<folder>/data.pkl and <folder>/data/<key>)");
    }

    private static ZipEntry findPickle(Path file, ZipFile zip) {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry entry = entries.nextElement();
            String name = entry.getName();
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                return entry;
            }
        }
        throw CheckpointErrors.inFile(file, "no data.pkl in the zip; expected a torch.save archive"
                + " (<folder>/data.pkl and <folder>/data/<key>)");
    }

    private static byte[] entryBytes(Path file, ZipFile zip, ZipEntry entry) throws IOException {
        if (entry.getSize() > Integer.MAX_VALUE - 8) {
            throw CheckpointErrors.inFile(file, "zip entry " + entry.getName() + " is " + entry.getSize()
                    + " bytes; entries over 2 GiB are not supported");
        }
        long size = entry.getSize();
        try (InputStream in = zip.getInputStream(entry)) {
            // Read what the entry holds, never more than it declares: memory follows the actual bytes.
            byte[] bytes = size < 0 ? in.readNBytes(Integer.MAX_VALUE - 8) : in.readNBytes((int) size);
            if ((size >= 0 && bytes.length < size) || in.read() != -1) {
                throw CheckpointErrors.inFile(file, "zip entry " + entry.getName() + " holds "
                        + (bytes.length < size ? bytes.length : "more than") + " bytes but declares " + size
                        + "; the file is corrupt");
            }
            return bytes;
        }
    }

    private static Map<String, TensorData> stateDict(Path file, String entry, Object state) {
        if (!(state instanceof Map<?, ?> map)) {
            throw CheckpointErrors.inFile(file, entry + " holds " + RestrictedUnpickler.describe(state)
                    + "; expected a dict of tensor name -> tensor");
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> item : map.entrySet()) {
            if (!(item.getKey() instanceof String name) || !(item.getValue() instanceof TensorData tensor)) {
                throw CheckpointErrors.inFile(file, entry + " maps " + RestrictedUnpickler.show(item.getKey()) + " to "
                        + RestrictedUnpickler.describe(item.getValue()) + "; expected a dict of tensor name -> tensor");
            }
            out.put(name, tensor);
        }
        return out;
    }

    /** One storage of the archive: its element type and raw bytes. */
    private record Storage(String key, DType dtype, ByteBuffer bytes) {
        long numel() {
            return bytes.capacity() / dtype.byteSize();
        }
    }

    /** Resolves storages from the zip and rebuilds tensors; storages are shared between views. */
    private static final class Loader implements RestrictedUnpickler.Handler {
        private final Path file;
        private final Function<String, byte[]> entries;
        private final String top;
        private final Map<String, Storage> storages = new HashMap<>();
        /** Bytes copied out of storages for non-contiguous views so far. */
        private long copied;

        Loader(Path file, Function<String, byte[]> entries, String top) {
            this.file = file;
            this.entries = entries;
            this.top = top;
        }

        /** {@code ('storage', <storage type>, '<key>', '<location>', numel)}. */
        @Override
        public Object persistentLoad(Object pid) {
            List<Object> id = pid instanceof Tuple tuple ? tuple.items() : List.of();
            if (id.size() != 5 || !"storage".equals(id.get(0)) || !(id.get(1) instanceof Global type)
                    || !(id.get(2) instanceof String key) || !(id.get(4) instanceof Long numel)) {
                throw CheckpointErrors.inFile(file, "unsupported persistent id " + RestrictedUnpickler.show(pid)
                        + "; expected ('storage', <storage type>, '<key>', '<location>', numel)");
            }
            DType dtype = STORAGE_TYPES.get(type.qualifiedName());
            if (dtype == null) {
                throw CheckpointErrors.inFile(file, RestrictedUnpickler.show(type.qualifiedName()) + " is not a storage type");
            }
            Storage storage = storages.computeIfAbsent(key, k -> loadStorage(k, dtype));
            if (storage.dtype() != dtype || numel < 0 || numel > Integer.MAX_VALUE
                    || storage.bytes().capacity() != numel * dtype.byteSize()) {
                throw CheckpointErrors.inFile(file, "storage " + top + "data/" + key + " holds "
                        + storage.bytes().capacity() + " bytes of " + storage.dtype() + " but data.pkl expects "
                        + numel + " " + dtype + " values");
            }
            return storage;
        }

        private Storage loadStorage(String key, DType dtype) {
            String name = top + "data/" + key;
            byte[] bytes = entries.apply(name);
            if (bytes == null) {
                throw CheckpointErrors.inFile(file, "storage " + name + " referenced by data.pkl is missing from the zip");
            }
            return new Storage(key, dtype, ByteBuffer.wrap(bytes));
        }

        @Override
        public Object call(Global callable, List<Object> args) {
            return switch (callable.qualifiedName()) {
                case ORDERED_DICT -> {
                    if (!args.isEmpty()) {
                        throw CheckpointErrors.inFile(file, "OrderedDict called with arguments; expected OrderedDict()");
                    }
                    yield new LinkedHashMap<>();
                }
                case REBUILD_TENSOR -> rebuildTensor(args);
                case REBUILD_PARAMETER -> {
                    if (args.isEmpty() || !(args.get(0) instanceof TensorData tensor)) {
                        throw CheckpointErrors.inFile(file, "_rebuild_parameter called without a tensor");
                    }
                    yield tensor;
                }
                default -> throw CheckpointErrors.inFile(file, RestrictedUnpickler.show(callable.qualifiedName())
                        + " cannot be called; only tensor state dicts are accepted");
            };
        }

        /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata])}. */
        private TensorData rebuildTensor(List<Object> args) {
            if (args.size() < 4 || !(args.get(0) instanceof Storage storage) || !(args.get(1) instanceof Long offset)) {
                throw CheckpointErrors.inFile(file, "_rebuild_tensor_v2 called with " + RestrictedUnpickler.show(new Tuple(args))
                        + "; expected (storage, storage_offset, size, stride, ...)");
            }
            long[] shape = longs(args.get(2), "size");
            long[] stride = longs(args.get(3), "stride");
            if (shape.length != stride.length) {
                throw CheckpointErrors.inFile(file, "tensor size " + Arrays.toString(shape) + " and stride "
                        + Arrays.toString(stride) + " differ in length");
            }
            String view = "tensor of size " + Arrays.toString(shape) + ", stride " + Arrays.toString(stride)
                    + " at offset " + offset;
            String storageName = "storage " + top + "data/" + storage.key() + " (" + storage.numel() + " values)";
            if (offset < 0) {
                throw CheckpointErrors.inFile(file, view + ": the offset is negative");
            }
            long numel;
            long last = offset;
            try {
                numel = TensorData.numel(shape);
                for (int d = 0; d < shape.length; d++) {
                    last = Math.addExact(last, Math.multiplyExact(Math.max(0, shape[d] - 1), stride[d]));
                }
            } catch (ArithmeticException e) {
                throw CheckpointErrors.inFile(file, view + " is too large to address");
            }
            int elementSize = storage.dtype().byteSize();
            if (numel == 0) {
                return new TensorData(storage.dtype(), shape, ByteBuffer.allocate(0));
            }
            if (last >= storage.numel()) {
                throw CheckpointErrors.inFile(file, view + " reaches past the end of " + storageName);
            }
            if (numel > storage.numel()) {
                // Only overlapping views (expand(), as_strided) can: they would multiply the memory used.
                throw CheckpointErrors.inFile(file, view + " has " + numel + " values, more than its " + storageName
                        + "; expected a view that does not overlap itself (save such a tensor after .clone())");
            }
            ByteBuffer bytes;
            if (isContiguous(shape, stride)) {
                bytes = storage.bytes().slice((int) (offset * elementSize), (int) (numel * elementSize));
            } else {
                copied += numel * elementSize;
                long stored = storages.values().stream().mapToLong(s -> s.bytes().capacity()).sum();
                if (copied > 2 * stored) {
                    throw CheckpointErrors.inFile(file, "non-contiguous tensors copy " + copied + " bytes, more than twice"
                            + " the " + stored + " bytes the storages hold; expected each stored value in at most two views");
                }
                bytes = gather(storage, offset, shape, stride, numel);
            }
            return new TensorData(storage.dtype(), shape, bytes.asReadOnlyBuffer());
        }

        private long[] longs(Object value, String what) {
            String problem = "tensor " + what + " " + RestrictedUnpickler.show(value) + " is not a tuple of non-negative integers";
            if (!(value instanceof Tuple tuple)) {
                throw CheckpointErrors.inFile(file, problem);
            }
            if (tuple.items().size() > MAX_DIMENSIONS) {
                throw CheckpointErrors.inFile(file, "tensor " + what + " has " + tuple.items().size()
                        + " dimensions; at most " + MAX_DIMENSIONS + " are supported");
            }
            long[] out = new long[tuple.items().size()];
            for (int i = 0; i < out.length; i++) {
                if (!(tuple.items().get(i) instanceof Long n) || n < 0) {
                    throw CheckpointErrors.inFile(file, problem);
                }
                out[i] = n;
            }
            return out;
        }

        private static boolean isContiguous(long[] shape, long[] stride) {
            long expected = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (shape[d] != 1 && stride[d] != expected) {
                    return false;
                }
                expected *= shape[d];
            }
            return true;
        }

        /** Copies a strided view into a new contiguous (row-major) buffer. */
        private static ByteBuffer gather(Storage storage, long offset, long[] shape, long[] stride, long numel) {
            int elementSize = storage.dtype().byteSize();
            ByteBuffer source = storage.bytes();
            ByteBuffer out = ByteBuffer.allocate((int) (numel * elementSize));
            long[] index = new long[shape.length];
            long position = offset;
            for (long n = 0; n < numel; n++) {
                out.put(source.slice((int) (position * elementSize), elementSize));
                for (int d = shape.length - 1; d >= 0; d--) {
                    index[d]++;
                    position += stride[d];
                    if (index[d] < shape[d]) {
                        break;
                    }
                    position -= stride[d] * shape[d];
                    index[d] = 0;
                }
            }
            return out.flip();
        }
    }
}
