package dev.childtune.train;

import ai.djl.engine.Engine;
import com.google.gson.JsonObject;
import dev.childtune.ChildTuneVersion;

/** Where and with what a run ran: ChildTune's version and build commit, the engine, machine, threads and device. */
public final class Provenance {
    private Provenance() {}

    public static JsonObject collect() {
        JsonObject o = new JsonObject();
        Engine engine = Engine.getInstance();
        o.addProperty("childtune_version", ChildTuneVersion.version());
        o.addProperty("childtune_commit", ChildTuneVersion.commit());
        o.addProperty("childtune_uncommitted_changes", ChildTuneVersion.dirty());
        o.addProperty("djl_version", Engine.getDjlVersion());
        o.addProperty("engine", engine.getEngineName() + " " + engine.getVersion());
        o.addProperty("device", engine.defaultDevice().toString());
        o.addProperty("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        o.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        o.addProperty("cpus", Runtime.getRuntime().availableProcessors());
        return o;
    }
}
