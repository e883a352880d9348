package dev.childtune.model.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;

/** {@code torch.nn.ModuleList}: children named 0, 1, 2, ... */
public final class ModuleList<M extends Module> extends Module {
    private final List<M> items = new ArrayList<>();

    public ModuleList(int size, IntFunction<M> factory) {
        for (int i = 0; i < size; i++) {
            items.add(child(Integer.toString(i), factory.apply(i)));
        }
    }

    public List<M> items() {
        return Collections.unmodifiableList(items);
    }
}
