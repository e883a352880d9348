package dev.childtune.cli;

import dev.childtune.experiments.ResultsDb;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the results database is: an SQLite file, or any JDBC URL. */
final class DatabaseOptions {
    @Option(names = "--db", defaultValue = "runs/sweep.db", paramLabel = "FILE",
            description = "The SQLite results database.")
    Path file;

    @Option(names = "--db-url", paramLabel = "JDBC_URL",
            description = "Another database instead, e.g. jdbc:postgresql://host/db?user=u&password=p (its driver must be on the class path).")
    String url;

    String jdbcUrl() {
        return url != null ? url : ResultsDb.sqliteUrl(file);
    }
}
