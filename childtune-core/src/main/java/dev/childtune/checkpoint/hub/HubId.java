package dev.childtune.checkpoint.hub;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face model id with a revision: {@code org/name}, {@code name}, optionally followed by
 * {@code @revision} (a branch, tag or commit hash; default "main").
 */
record HubId(String repo, String revision) {
    static final String DEFAULT_REVISION = "main";

    /** Hub naming rules: letters, digits, '-', '_', '.'; starting with a letter or digit. */
    private static final Pattern ID =
            Pattern.compile(
                    "([A-Za-z0-9][A-Za-z0-9_.-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?)(?:@([^\\s@]+))?");

    /** Parses {@code text}, or returns empty when it is not a model id. */
    static Optional<HubId> parse(String text) {
        Matcher matcher = ID.matcher(text);
        if (!matcher.matches()
                || matcher.group(1).contains("..")
                || matcher.group(1).contains("--")) {
            return Optional.empty();
        }
        String revision = matcher.group(2);
        return Optional.of(
                new HubId(matcher.group(1), revision == null ? DEFAULT_REVISION : revision));
    }

    /** "model 'org/name'", followed by " at revision R" unless the revision is main. */
    String describe() {
        return "model '"
                + repo
                + "'"
                + (revision.equals(DEFAULT_REVISION) ? "" : " at revision " + revision);
    }

    @Override
    public String toString() {
        return repo + "@" + revision;
    }
}
