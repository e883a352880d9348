package dev.childtune.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.childtune.model.Architectures;
import dev.childtune.model.ModelConfig;
import dev.childtune.model.SequenceClassifier;
import org.junit.jupiter.api.Test;

/** The model FLOP count, checked against sums done by hand (no engine needed: shapes only). */
class FlopCountTest {
    /** BERT with vocabulary 10, width 4, 2 layers of 2 heads, feed-forward 8, 16 positions, 3 labels. */
    private static ModelConfig tiny() {
        JsonObject json = new JsonObject();
        json.addProperty("model_type", "bert");
        json.addProperty("vocab_size", 10);
        json.addProperty("hidden_size", 4);
        json.addProperty("num_hidden_layers", 2);
        json.addProperty("num_attention_heads", 2);
        json.addProperty("intermediate_size", 8);
        json.addProperty("max_position_embeddings", 16);
        json.addProperty("type_vocab_size", 2);
        json.addProperty("num_labels", 3);
        return ModelConfig.fromJson(json, "tiny");
    }

    @Test
    void nonEmbeddingParametersOfATinyBertByHand() {
        // per layer: Q, K, V, O 4·(4·4 + 4) = 80; two LayerNorms 2·(4 + 4) = 16;
        // FFN in 4·8 + 8 = 40, out 8·4 + 4 = 36 → 172; two layers 344.
        // Embedding LayerNorm 8, pooler 4·4 + 4 = 20, classifier 4·3 + 3 = 15 → 387.
        // Left out: word 10·4, position 16·4, token type 2·4 tables.
        SequenceClassifier model = Architectures.sequenceClassifier(tiny());
        assertEquals(387, FlopCount.nonEmbeddingParameters(model));
    }

    @Test
    void trainingAndInferenceFlopsByHand() {
        SequenceClassifier model = Architectures.sequenceClassifier(tiny());
        // B = 2, S = 5, T = 10: dense 6·387·10 = 23220; attention 12·L·h·S·T = 12·2·4·5·10 = 4800.
        FlopCount.Count train = FlopCount.training(model, 2, 5);
        assertEquals(10, train.tokens());
        assertEquals(23220, train.dense());
        assertEquals(4800, train.attention());
        assertEquals(28020, train.total());
        // Forward only: 2·387·10 = 7740 and 4·2·4·5·10 = 1600.
        FlopCount.Count eval = FlopCount.inference(model, 2, 5);
        assertEquals(7740, eval.dense());
        assertEquals(1600, eval.attention());
    }

    @Test
    void bertBaseHasTheKnownParameterCount() {
        // bert-base-uncased: 109,482,240 parameters with the pooler, of which 23,835,648 in the
        // word (30522·768), position (512·768) and token-type (2·768) tables; plus a 768·2 + 2 head.
        SequenceClassifier model = Architectures.sequenceClassifier(BenchmarkOptions.bertBase());
        assertEquals(109_482_240L - 23_835_648L + 1_538L, FlopCount.nonEmbeddingParameters(model));
        FlopCount.Count c = FlopCount.training(model, 16, 128);
        assertEquals(6.0 * 85_648_130L * 2048, c.dense());
        assertEquals(12.0 * 12 * 768 * 128 * 2048, c.attention());
    }

    @Test
    void embeddingTablesAreRecognisedByName() {
        assertTrue(FlopCount.isEmbeddingTable("bert.embeddings.word_embeddings.weight"));
        assertTrue(FlopCount.isEmbeddingTable("roberta.embeddings.position_embeddings.weight"));
        assertTrue(FlopCount.isEmbeddingTable("electra.embeddings.token_type_embeddings.weight"));
        assertTrue(FlopCount.isEmbeddingTable("transformer.word_embedding.weight"));
        assertTrue(FlopCount.isEmbeddingTable("transformer.mask_emb"));
        assertFalse(FlopCount.isEmbeddingTable("bert.embeddings.LayerNorm.weight"));
        assertFalse(FlopCount.isEmbeddingTable("electra.embeddings_project.weight"));
        assertFalse(FlopCount.isEmbeddingTable("bert.encoder.layer.0.attention.self.query.weight"));
    }
}
