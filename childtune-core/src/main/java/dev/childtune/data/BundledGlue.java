package dev.childtune.data;

import dev.childtune.ChildTuneException;
import dev.childtune.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The train and dev splits of the four small GLUE tasks of the ChildTuning paper (CoLA, RTE, MRPC,
 * STS-B), shipped inside the {@code childtune-glue} jar with their SHA-256 sums, so these tasks
 * need neither a download nor a data folder. They are copied once into a cache folder, because
 * the readers (and their error messages) work on files.
 */
public final class BundledGlue {
    private static final String ROOT = "/dev/childtune/data/glue/";
    private static final Map<String, String> SHA256 = readSums();

    private BundledGlue() {}

    /** Whether ChildTune ships this task's files. */
    public static boolean has(GlueTask glue) {
        return glue.files().stream().allMatch(file -> SHA256.containsKey(glue.folder() + "/" + file));
    }

    /**
     * The folder {@code cacheRoot/glue/<Task>} with the bundled files, copied there first when it
     * is missing or its files do not match the bundled checksums. Safe when several processes ask
     * at once: a complete folder is never replaced by an identical one.
     *
     * @throws IllegalArgumentException when the task is not bundled (see {@link #has})
     */
    public static Path ensure(GlueTask glue, Path cacheRoot) {
        if (!has(glue)) {
            throw new IllegalArgumentException(glue.task().name() + " is not bundled");
        }
        Path folder = cacheRoot.resolve("glue").resolve(glue.folder());
        if (matches(glue, folder)) {
            return folder;
        }
        try {
            Files.createDirectories(folder.getParent());
            Path staging = Files.createTempDirectory(folder.getParent(), "." + glue.folder() + ".");
            try {
                for (String file : glue.files()) {
                    try (InputStream in = resource(glue.folder() + "/" + file)) {
                        Files.copy(in, staging.resolve(file));
                    }
                }
                if (!matches(glue, staging)) {
                    throw new ChildTuneException("the bundled GLUE " + glue.folder()
                            + " files do not match their SHA-256 sums: the childtune-glue jar is damaged");
                }
                if (Files.exists(folder) && !matches(glue, folder)) {
                    AtomicFiles.deleteRecursively(folder); // an older, damaged or edited copy
                }
                try {
                    Files.move(staging, folder, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException raced) {
                    if (!matches(glue, folder)) { // else another process put the same files there first
                        throw raced;
                    }
                }
            } finally {
                AtomicFiles.deleteRecursively(staging);
            }
        } catch (IOException e) {
            throw new ChildTuneException(folder + ": cannot copy the bundled GLUE " + glue.folder() + " files: " + e, e);
        }
        return folder;
    }

    /** Whether {@code folder} holds exactly the bundled files of the task. */
    static boolean matches(GlueTask glue, Path folder) {
        for (String file : glue.files()) {
            Path path = folder.resolve(file);
            if (!Files.isRegularFile(path)) {
                return false;
            }
            try (InputStream in = Files.newInputStream(path)) {
                if (!sha256(in).equals(SHA256.get(glue.folder() + "/" + file))) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = BundledGlue.class.getResourceAsStream(ROOT + name);
        if (in == null) {
            throw new IOException("resource " + ROOT + name + " not found (is childtune-glue on the class path?)");
        }
        return in;
    }

    /** {@code SHA256SUMS}: file (Task/split.tsv) → hex digest; empty when the data jar is absent. */
    private static Map<String, String> readSums() {
        Map<String, String> sums = new LinkedHashMap<>();
        try (InputStream in = BundledGlue.class.getResourceAsStream(ROOT + "SHA256SUMS")) {
            if (in == null) {
                return sums;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] parts = line.strip().split("\\s+", 2);
                if (parts.length == 2) {
                    sums.put(parts[1], parts[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sums;
    }

    /** The hex SHA-256 of a stream (the files are at most a megabyte). */
    private static String sha256(InputStream in) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
