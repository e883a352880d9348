package dev.childtune.experiments;

import dev.childtune.ChildTuneException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A node of a YAML document with where it stands (file, line, key path), so that every error is
 * one line: {@code sweep.yaml:12: methods.childtuning-f.reserve-p: expected a number, got 'abc'}.
 *
 * @param key the key node of a mapping entry's value (its line is the one reported), else null
 */
record ConfigNode(Node node, Node key, Path file, String path) {
    ConfigNode(Node node, Path file, String path) {
        this(node, null, file, path);
    }

    ChildTuneException error(String message) {
        Node at = key != null ? key : node;
        int line = at.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        return new ChildTuneException(file + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    boolean isNull() {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    boolean isList() {
        return node instanceof SequenceNode;
    }

    boolean isMap() {
        return node instanceof MappingNode;
    }

    /** The entries of a mapping, in order; duplicate and non-text keys are errors. */
    Map<String, ConfigNode> map() {
        return map(null);
    }

    /** A mapping whose keys must all be among {@code allowed} (null: any key). */
    Map<String, ConfigNode> map(Collection<String> allowed) {
        if (!(node instanceof MappingNode mapping)) {
            throw error("expected a mapping (key: value lines), got " + describe());
        }
        Map<String, ConfigNode> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String name = tuple.getKeyNode() instanceof ScalarNode scalar ? scalar.getValue() : null;
            String entryPath = path.isEmpty() || name == null ? String.valueOf(name) : path + "." + name;
            ConfigNode key = new ConfigNode(tuple.getKeyNode(), file, name == null ? path : entryPath);
            if (name == null) {
                throw key.error("expected a plain key, got " + key.describe());
            }
            if (allowed != null && !allowed.contains(name)) {
                throw key.error("unknown key (expected one of: " + String.join(", ", allowed) + ")");
            }
            if (entries.put(name, new ConfigNode(tuple.getValueNode(), tuple.getKeyNode(), file, entryPath)) != null) {
                throw key.error("the key appears twice");
            }
        }
        return entries;
    }

    /** The items of a sequence; a single scalar counts as a one-item list. */
    List<ConfigNode> listOrScalar() {
        if (node instanceof ScalarNode) {
            return List.of(this);
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw error("expected a value or a list of values, got " + describe());
        }
        List<ConfigNode> items = new ArrayList<>();
        for (int i = 0; i < sequence.getValue().size(); i++) {
            items.add(new ConfigNode(sequence.getValue().get(i), file, path + "[" + i + "]"));
        }
        if (items.isEmpty()) {
            throw error("the list is empty: give at least one value");
        }
        return items;
    }

    /** A scalar as Long, Double, Boolean or String, by its YAML tag; null for a null scalar. */
    Object scalar() {
        if (!(node instanceof ScalarNode s)) {
            throw error("expected a single value, got " + describe());
        }
        Tag tag = s.getTag();
        String value = s.getValue();
        if (tag.equals(Tag.NULL)) {
            return null;
        }
        if (tag.equals(Tag.BOOL)) {
            return Boolean.parseBoolean(value.toLowerCase(java.util.Locale.ROOT));
        }
        if (tag.equals(Tag.INT)) {
            BigInteger big = new BigInteger(value.replace("_", ""));
            if (big.bitLength() > 63) {
                throw error("integer " + value + " is too large");
            }
            return big.longValue();
        }
        if (tag.equals(Tag.FLOAT)) {
            return Double.parseDouble(value);
        }
        return value;
    }

    String text() {
        Object value = scalar();
        if (value == null || value instanceof Boolean) {
            throw error("expected text, got " + describe());
        }
        return value.toString();
    }

    long integer() {
        Object value = scalar();
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return d.longValue();
        }
        throw error("expected an integer, got " + describe());
    }

    double number() {
        Object value = scalar();
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Double d) {
            return d;
        }
        throw error("expected a number, got " + describe());
    }

    boolean bool() {
        if (scalar() instanceof Boolean b) {
            return b;
        }
        throw error("expected true or false, got " + describe());
    }

    /** How the node reads in a message: 'text' for a scalar, else its kind. */
    String describe() {
        if (node instanceof ScalarNode s) {
            return s.getTag().equals(Tag.NULL) ? "nothing" : "'" + s.getValue() + "'";
        }
        return node instanceof MappingNode ? "a mapping" : "a list";
    }
}
