package dev.childtune.model;

import dev.childtune.ChildTuneException;
import dev.childtune.model.Bert.BertForSequenceClassification;
import dev.childtune.model.Electra.ElectraForSequenceClassification;
import dev.childtune.model.Roberta.RobertaForSequenceClassification;
import dev.childtune.model.XLNet.XLNetForSequenceClassification;
import java.util.List;

/** Builds the sequence classifier that a config's {@code model_type} names. */
public final class Architectures {
    private Architectures() {}

    /** The model types ChildTune implements. */
    public static final List<String> SUPPORTED = List.of("bert", "roberta", "electra", "xlnet");

    public static SequenceClassifier sequenceClassifier(ModelConfig config) {
        return switch (config.modelType()) {
            case "bert" -> new BertForSequenceClassification(config);
            case "roberta" -> new RobertaForSequenceClassification(config);
            case "electra" -> new ElectraForSequenceClassification(config);
            case "xlnet" -> new XLNetForSequenceClassification(config);
            default -> throw new ChildTuneException("config.json: model_type '" + config.modelType()
                    + "' is not supported (supported: " + String.join(", ", SUPPORTED) + ")");
        };
    }

    /** Checks the fields only one architecture reads, when its config.json is read. */
    static void validate(ModelConfig config, ModelConfig.Fields fields) {
        if (config.modelType().equals("xlnet")) {
            XLNet.Settings.read(config, fields);
        }
    }
}
