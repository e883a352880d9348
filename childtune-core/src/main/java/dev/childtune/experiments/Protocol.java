package dev.childtune.experiments;

import java.util.List;
import java.util.Map;

/** What a trial trains on and what it reports, as the paper's four kinds of experiment. */
public sealed interface Protocol {
    String STANDARD = "standard";
    String LOW_RESOURCE = "low-resource";
    String DOMAIN_TRANSFER = "domain-transfer";
    String TASK_TRANSFER = "task-transfer";
    /** Every protocol name, as sweep files give them. */
    List<String> TYPES = List.of(STANDARD, LOW_RESOURCE, DOMAIN_TRANSFER, TASK_TRANSFER);

    /** The protocol's name in sweep files and reports. */
    String type();

    /** The transfer targets; none but for the transfer protocols. */
    default List<Target> targets() {
        return List.of();
    }

    /** Train on the task's training split, report its dev split. */
    record Standard() implements Protocol {
        public String type() {
            return STANDARD;
        }
    }

    /** Train on a seeded, label-stratified subsample of each size, report dev. */
    record LowResource(List<Long> trainSamples) implements Protocol {
        public String type() {
            return LOW_RESOURCE;
        }
    }

    /** Train on a task, report the fine-tuned model on other data sets mapped into its labels. */
    record DomainTransfer(List<Target> targets) implements Protocol {
        public String type() {
            return DOMAIN_TRANSFER;
        }
    }

    /**
     * Fine-tune on a task, then train only a fresh head on each target with the encoder frozen
     * and report the target.
     *
     * @param headTraining the head's training settings (over the shared ones)
     */
    record TaskTransfer(List<Target> targets, Map<String, Object> headTraining) implements Protocol {
        public String type() {
            return TASK_TRANSFER;
        }
    }

    /**
     * A transfer target.
     *
     * @param source the training task it applies to, or null for every task but itself
     * @param labelMap domain transfer: the target's labels → the source model's labels (empty: the same labels)
     */
    record Target(TaskSpec data, String source, Map<String, String> labelMap) {
        boolean appliesTo(String task) {
            return source == null ? !task.equals(data.name()) : source.equals(task);
        }
    }
}
