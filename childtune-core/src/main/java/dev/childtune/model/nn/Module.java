package dev.childtune.model.nn;

import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node of the model tree, like {@code torch.nn.Module}: named parameters and named children,
 * registered in the order Hugging Face registers them. A parameter's full name is the path of
 * attribute names from the root ({@code bert.encoder.layer.0.attention.self.query.weight}), so
 * loading a checkpoint is a name lookup.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();

    protected final Parameter parameter(String name, Shape shape, Parameter.Init init) {
        Parameter p = new Parameter(shape, init);
        if (parameters.putIfAbsent(name, p) != null) {
            throw new IllegalStateException("duplicate parameter " + name);
        }
        return p;
    }

    protected final <M extends Module> M child(String name, M module) {
        if (children.putIfAbsent(name, module) != null) {
            throw new IllegalStateException("duplicate child " + name);
        }
        return module;
    }

    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter below this module, by full dotted name, in registration order. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    /**
     * Every module below this one (itself included, as {@code ""}), by dotted path
     * ({@code bert.encoder.layer.0.attention.self.query}), in registration order.
     */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String path, Map<String, Module> out) {
        out.put(path, this);
        children.forEach((name, c) -> c.collectModules(path.isEmpty() ? name : path + "." + name, out));
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p));
        children.forEach((name, c) -> c.collect(prefix + name + ".", out));
    }

    /** The number of scalar weights below this module. */
    public final long parameterCount() {
        return namedParameters().values().stream().mapToLong(p -> p.shape().size()).sum();
    }
}
