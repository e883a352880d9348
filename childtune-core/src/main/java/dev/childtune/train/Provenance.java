package dev.childtune.train;

import ai.djl.engine.Engine;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Where and with what a run ran: versions, machine, threads, device and the git commit. */
public final class Provenance {
    private Provenance() {}

    public static JsonObject collect() {
        JsonObject o = new JsonObject();
        Engine engine = Engine.getInstance();
        o.addProperty("childtune_version", Provenance.class.getPackage().getImplementationVersion());
        o.addProperty("djl_version", Engine.getDjlVersion());
        o.addProperty("engine", engine.getEngineName() + " " + engine.getVersion());
        o.addProperty("device", engine.defaultDevice().toString());
        o.addProperty("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        o.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        o.addProperty("cpus", Runtime.getRuntime().availableProcessors());
        o.addProperty("git_commit", gitCommit());
        return o;
    }

    /** {@code git rev-parse HEAD} of the working directory, or null outside a checkout. */
    private static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
