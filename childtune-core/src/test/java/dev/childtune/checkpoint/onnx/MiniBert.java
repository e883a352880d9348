package dev.childtune.checkpoint.onnx;

import dev.childtune.checkpoint.TensorData;
import java.util.Map;

/**
 * A plain-Java Hugging Face BertModel forward pass (one sequence, no padding, token type 0),
 * written from the Hugging Face definition to check imported weights against ONNX Runtime.
 */
final class MiniBert {
    private static final float EPS = 1e-12f;
    private final Map<String, TensorData> weights;
    private final int heads;

    MiniBert(Map<String, TensorData> weights, int heads) {
        this.weights = weights;
        this.heads = heads;
    }

    /** last_hidden_state, [tokens][hidden]. */
    float[][] forward(long[] ids) {
        float[] word = w("embeddings.word_embeddings.weight");
        float[] position = w("embeddings.position_embeddings.weight");
        float[] type = w("embeddings.token_type_embeddings.weight");
        int hidden = Math.toIntExact(weights.get("bert.embeddings.LayerNorm.weight").shape()[0]);
        int n = ids.length;
        float[][] h = new float[n][hidden];
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < hidden; j++) {
                h[t][j] = word[(int) ids[t] * hidden + j] + position[t * hidden + j] + type[j];
            }
            h[t] = layerNorm(h[t], "embeddings.LayerNorm");
        }
        for (int layer = 0; weights.containsKey("bert.encoder.layer." + layer + ".output.dense.weight"); layer++) {
            String l = "encoder.layer." + layer + ".";
            int headSize = hidden / heads;
            float[][] q = new float[n][];
            float[][] k = new float[n][];
            float[][] v = new float[n][];
            for (int t = 0; t < n; t++) {
                q[t] = linear(h[t], l + "attention.self.query");
                k[t] = linear(h[t], l + "attention.self.key");
                v[t] = linear(h[t], l + "attention.self.value");
            }
            float[][] next = new float[n][];
            for (int t = 0; t < n; t++) {
                float[] context = new float[hidden];
                for (int head = 0; head < heads; head++) {
                    int off = head * headSize;
                    double[] scores = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s < n; s++) {
                        double dot = 0;
                        for (int d = 0; d < headSize; d++) {
                            dot += q[t][off + d] * k[s][off + d];
                        }
                        scores[s] = dot / Math.sqrt(headSize);
                        max = Math.max(max, scores[s]);
                    }
                    double sum = 0;
                    for (int s = 0; s < n; s++) {
                        scores[s] = Math.exp(scores[s] - max);
                        sum += scores[s];
                    }
                    for (int s = 0; s < n; s++) {
                        for (int d = 0; d < headSize; d++) {
                            context[off + d] += (float) (scores[s] / sum) * v[s][off + d];
                        }
                    }
                }
                float[] attention = add(linear(context, l + "attention.output.dense"), h[t]);
                attention = layerNorm(attention, l + "attention.output.LayerNorm");
                float[] intermediate = linear(attention, l + "intermediate.dense");
                for (int j = 0; j < intermediate.length; j++) {
                    intermediate[j] = (float) (0.5 * intermediate[j] * (1 + erf(intermediate[j] / Math.sqrt(2))));
                }
                next[t] = layerNorm(add(linear(intermediate, l + "output.dense"), attention), l + "output.LayerNorm");
            }
            h = next;
        }
        return h;
    }

    private float[] w(String key) {
        return weights.get("bert." + key).toFloats();
    }

    /** y = W x + b with W in Hugging Face [out, in] layout. */
    private float[] linear(float[] x, String module) {
        float[] weight = w(module + ".weight");
        float[] y = w(module + ".bias");
        for (int o = 0; o < y.length; o++) {
            double sum = 0;
            for (int i = 0; i < x.length; i++) {
                sum += weight[o * x.length + i] * x[i];
            }
            y[o] += (float) sum;
        }
        return y;
    }

    private float[] layerNorm(float[] x, String module) {
        float[] gamma = w(module + ".weight");
        float[] beta = w(module + ".bias");
        double mean = 0;
        for (float value : x) {
            mean += value;
        }
        mean /= x.length;
        double variance = 0;
        for (float value : x) {
            variance += (value - mean) * (value - mean);
        }
        variance /= x.length;
        float[] y = new float[x.length];
        for (int j = 0; j < x.length; j++) {
            y[j] = (float) ((x[j] - mean) / Math.sqrt(variance + EPS)) * gamma[j] + beta[j];
        }
        return y;
    }

    private static float[] add(float[] a, float[] b) {
        float[] sum = new float[a.length];
        for (int j = 0; j < a.length; j++) {
            sum[j] = a[j] + b[j];
        }
        return sum;
    }

    /** Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7. */
    private static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double y = 1 - poly * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }
}
