package dev.childtune.io;

import dev.childtune.ChildTuneException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;

/**
 * Writes that a reader never sees half done: the content goes to a temporary file in the target's
 * folder, which is then renamed over the target in one atomic step. Failures are one-line
 * {@link ChildTuneException}s naming the target.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Fills a channel on the temporary file. */
    @FunctionalInterface
    public interface ChannelWriter {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes {@code file} through {@code writer}, atomically. */
    public static void write(Path file, ChannelWriter writer) {
        Path folder = file.toAbsolutePath().getParent();
        Path temp = null;
        try {
            Files.createDirectories(folder);
            temp = Files.createTempFile(folder, "." + file.getFileName() + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                writer.write(channel);
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (IOException e) {
            throw new ChildTuneException(file + ": cannot write: " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the write already failed; that error is the one to report
                }
            }
        }
    }

    /** Writes UTF-8 text to {@code file}, atomically. */
    public static void writeString(Path file, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(file, channel -> writeFully(channel, ByteBuffer.wrap(bytes)));
    }

    /** Copies {@code source} to {@code target}, atomically. */
    public static void copy(Path source, Path target) {
        write(target, channel -> {
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                long size = in.size();
                for (long done = 0; done < size; ) {
                    done += in.transferTo(done, size - done, channel);
                }
            }
        });
    }

    /** Fills a temporary folder. */
    @FunctionalInterface
    public interface FolderWriter {
        void write(Path folder) throws IOException;
    }

    /**
     * Writes a whole folder: {@code writer} fills a temporary sibling, which then replaces
     * {@code target} by renames, so {@code target} is at every moment either the old folder or
     * the complete new one.
     */
    public static void replaceFolder(Path target, FolderWriter writer) {
        Path parent = target.toAbsolutePath().getParent();
        Path staging = null;
        Path old = null;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
            writer.write(staging);
            if (Files.exists(target)) {
                old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old.");
                Files.delete(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
        } catch (IOException e) {
            throw new ChildTuneException(target + ": cannot write: " + e, e);
        } finally {
            deleteRecursively(staging);
            deleteRecursively(old);
        }
    }

    /** Deletes a file or folder tree; null and missing paths are ignored. */
    public static void deleteRecursively(Path path) {
        if (path == null || !Files.exists(path)) {
            return;
        }
        try (var paths = Files.walk(path)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new ChildTuneException(path + ": cannot delete: " + e, e);
        }
    }

    /** Writes all of {@code buffer}. */
    public static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
