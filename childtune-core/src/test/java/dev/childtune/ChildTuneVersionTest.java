package dev.childtune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The build records ChildTune's version and, in a checkout, the commit it was built from. */
class ChildTuneVersionTest {
    @Test
    void theBuildRecordsVersionAndCommit() {
        assertTrue(ChildTuneVersion.version().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), ChildTuneVersion.version());
        if (Files.exists(Path.of("..", ".git"))) {
            String commit = ChildTuneVersion.commit();
            assertNotNull(commit, "built in a checkout, so the commit is known");
            assertTrue(commit.matches("[0-9a-f]{40}"), commit);
            assertNotNull(ChildTuneVersion.dirty());
            assertTrue(ChildTuneVersion.describe().startsWith("ChildTune " + ChildTuneVersion.version() + " (commit "
                    + commit.substring(0, 12)), ChildTuneVersion.describe());
        } else {
            assertEquals("ChildTune " + ChildTuneVersion.version() + " (commit unknown)", ChildTuneVersion.describe());
        }
    }
}
