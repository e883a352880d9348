package dev.childtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

/**
 * {@code torch.nn.Embedding}, optionally with a {@code padding_idx}: the padding row is looked up
 * like any other (its stored value is used as is) but never receives a gradient.
 */
public final class Embedding extends Module {
    private final Parameter weight;
    private final Integer paddingIdx;

    /** @param paddingIdx the row that gets no gradient, or null for none */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        this.paddingIdx = paddingIdx;
        weight = parameter("weight", new Shape(numEmbeddings, embeddingDim),
                paddingIdx == null ? Parameter.Init.NORMAL : Parameter.Init.NORMAL_PADDING_ZERO);
    }

    /** @param ids int64 indices of any shape; the result has one more dimension (embeddingDim) */
    public NDArray forward(NDArray ids) {
        NDArray w = weight.array();
        NDArray looked = lookup(ids, w);
        if (paddingIdx == null || !w.hasGradient()) {
            return looked;
        }
        // Padding positions read the row through a detached copy, so that row's gradient stays 0.
        NDArray isPadding = ids.eq(paddingIdx).expandDims(-1).broadcast(looked.getShape());
        return NDArrays.where(isPadding, lookup(ids, w.stopGradient()), looked);
    }

    private static NDArray lookup(NDArray ids, NDArray table) {
        return ai.djl.nn.core.Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }
}
