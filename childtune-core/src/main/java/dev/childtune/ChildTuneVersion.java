package dev.childtune;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * ChildTune's own version and the commit it was built from, as the build recorded them in
 * {@code dev/childtune/version.properties} (not the commit of whatever folder the user stands in).
 */
public final class ChildTuneVersion {
    private static final Properties BUILD = load();

    private ChildTuneVersion() {}

    /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return BUILD.getProperty("version", "unknown");
    }

    /** The full git commit the library was built from, or null when it was built outside a checkout. */
    public static String commit() {
        return recorded("commit");
    }

    /** Whether the checkout it was built from had uncommitted changes; null when unknown. */
    public static Boolean dirty() {
        String dirty = recorded("dirty");
        return dirty == null ? null : Boolean.valueOf(dirty);
    }

    /** One line: {@code ChildTune 0.1.0 (commit 1a2b3c4d5e6f, with uncommitted changes)}. */
    public static String describe() {
        String commit = commit();
        if (commit == null) {
            return "ChildTune " + version() + " (commit unknown)";
        }
        return "ChildTune " + version() + " (commit " + commit.substring(0, Math.min(12, commit.length()))
                + (Boolean.TRUE.equals(dirty()) ? ", with uncommitted changes" : "") + ")";
    }

    /** A recorded value; null when absent or left unfiltered (a build without git). */
    private static String recorded(String key) {
        String value = BUILD.getProperty(key);
        return value == null || value.isBlank() || value.startsWith("${") ? null : value.strip();
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = ChildTuneVersion.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource leaves the version unknown; nothing else depends on it
        }
        return properties;
    }
}
