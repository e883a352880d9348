package dev.childtune.tuning;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import dev.childtune.ChildTuneException;
import dev.childtune.model.SequenceClassifier;
import dev.childtune.model.nn.Linear;
import dev.childtune.model.nn.Module;
import dev.childtune.model.nn.Parameter;
import dev.childtune.train.TrainingHooks;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A run's fine-tuning method: one {@link BaseMethod} (vanilla, wd-pre, top-k, mixout, recadam,
 * r3f), at most one ChildTuning mask, and two modifiers, layer-wise learning-rate decay and
 * re-initialising the top layers. Immutable; build with {@link #builder()}. {@link #prepare}
 * turns it, on the pretrained model before the first step, into the loop's {@link TrainingHooks}
 * and {@link GradientMask}.
 *
 * <p>Where each piece enters the loop: Top-K through {@link TrainingHooks#trainable()}; LLRD through
 * {@link TrainingHooks#learningRateScale()}; Mixout through {@link TrainingHooks#substitution()};
 * R3F through {@link TrainingHooks#lossTerm()}; WD-pre and RecAdam through
 * {@link TrainingHooks#pull()}; re-initialisation happens in {@code prepare}; ChildTuning stays the
 * {@link GradientMask}.
 */
public final class FineTuning {
    private final BaseMethod base;
    private final double wdPreLambda;
    private final int topK;
    private final double mixoutP;
    private final RecAdam.Options recAdam;
    private final R3F.Options r3f;
    private final Method child;
    private final MaskFactory customMask;
    private final String customName;
    private final double reserveP;
    private final Path savedMask;
    private final FisherInformation.Options fisher;
    private final double llrd;
    private final int reinitLayers;

    private FineTuning(Builder b) {
        this.base = b.base;
        this.wdPreLambda = b.wdPreLambda;
        this.topK = b.topK;
        this.mixoutP = b.mixoutP;
        this.recAdam = b.recAdam;
        this.r3f = b.r3f;
        this.child = b.child;
        this.customMask = b.customMask;
        this.customName = b.customName;
        this.reserveP = b.reserveP;
        this.savedMask = b.savedMask;
        this.fisher = b.fisher;
        this.llrd = b.llrd;
        this.reinitLayers = b.reinitLayers;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Plain fine-tuning with a given mask, recorded under {@code name} (the loop's original entry point). */
    public static FineTuning withMask(MaskFactory mask, String name) {
        Builder b = builder();
        b.customMask = mask;
        b.customName = name;
        return b.build();
    }

    public BaseMethod base() {
        return base;
    }

    /** The ChildTuning mask ({@link Method#VANILLA} for none). */
    public Method child() {
        return child;
    }

    /**
     * The name results record: the base method, the mask, or both ({@code r3f+childtuning-d});
     * {@code vanilla} for neither.
     */
    public String name() {
        if (customName != null) {
            return customName;
        }
        if (child == Method.VANILLA) {
            return base.cliName();
        }
        return base == BaseMethod.VANILLA ? child.cliName() : base.cliName() + "+" + child.cliName();
    }

    /** The method's settings (for {@code run.json}). */
    public JsonObject options() {
        JsonObject o = new JsonObject();
        o.addProperty("base_method", base.cliName());
        switch (base) {
            case WD_PRE -> o.addProperty("wd_pre_lambda", wdPreLambda);
            case TOP_K -> o.addProperty("top_k", topK);
            case MIXOUT -> o.addProperty("mixout_p", mixoutP);
            case RECADAM -> {
                o.addProperty("recadam_k", recAdam.k());
                o.addProperty("recadam_t0", recAdam.t0());
                o.addProperty("recadam_gamma", recAdam.gamma());
            }
            case R3F -> {
                o.addProperty("r3f_lambda", r3f.lambda());
                o.addProperty("r3f_sigma", r3f.sigma());
                o.addProperty("r3f_noise", r3f.noise().name().toLowerCase(Locale.ROOT));
            }
            case VANILLA -> { }
        }
        o.addProperty("child_tuning", customName != null ? customName : child == Method.VANILLA ? "none" : child.cliName());
        if (child != Method.VANILLA) {
            o.addProperty("reserve_p", reserveP);
        }
        if (llrd != 1) {
            o.addProperty("llrd", llrd);
        }
        if (reinitLayers > 0) {
            o.addProperty("reinit_layers", reinitLayers);
        }
        return o;
    }

    /**
     * What a run uses, prepared on the pretrained model. Closing it frees the pretrained copies
     * (WD-pre, Mixout, RecAdam).
     *
     * @param details what {@code results.json} records as {@code method_details}
     */
    public record Prepared(TrainingHooks hooks, GradientMask mask, JsonObject details, PretrainedWeights pretrained)
            implements AutoCloseable {
        @Override
        public void close() {
            if (pretrained != null) {
                pretrained.close();
            }
        }
    }

    /**
     * Re-initialises the top layers if asked, keeps the pretrained weights the method needs,
     * builds the hooks and the mask (ChildTuning-D estimates its Fisher information here, on the
     * trainable part of its scope), in that order. Must run before a resumed run loads its
     * checkpoint, so that "pretrained" means the weights the run started from.
     *
     * @param context what the mask needs; its model is the one to prepare
     * @param notPretrained the parameters the checkpoint lacked (initialised fresh): never pulled or mixed
     * @param totalSteps the run's optimizer steps (for advice on RecAdam's t0)
     */
    public Prepared prepare(MaskFactory.Context context, Collection<String> notPretrained, int totalSteps) {
        SequenceClassifier model = context.model();
        Predicate<String> trainable = check(model);
        Map<String, Parameter> parameters = model.namedParameters();
        MaskFactory maskFactory = customMask != null ? customMask : childFactory(parameters.keySet(), trainable);

        Set<String> fresh = new HashSet<>(notPretrained);
        List<String> reinitialised = ReinitLayers.apply(model, reinitLayers, context.seed(), context.manager());
        fresh.addAll(reinitialised);
        if (!reinitialised.isEmpty()) {
            context.notice().accept("re-initialised the top " + reinitLayers + " layers (" + reinitialised.size()
                    + " tensors)");
        }

        JsonObject details = new JsonObject();
        TrainingHooks hooks = TrainingHooks.NONE.withTrainable(trainable);
        if (llrd != 1) {
            hooks = hooks.withLearningRateScale(LayerwiseLrDecay.scales(model, llrd));
        }
        PretrainedWeights pretrained = null;
        try {
            if (base.needsPretrainedWeights()) {
                Predicate<String> pulled = name -> model.inBaseModel(name) && !fresh.contains(name);
                Predicate<String> kept = base == BaseMethod.MIXOUT ? pulled.and(encoderLinearWeights(model)::contains) : pulled;
                pretrained = PretrainedWeights.snapshot(parameters, kept, context.manager());
                details.addProperty("pretrained_tensors", pretrained.names().size());
            }
            switch (base) {
                case WD_PRE -> hooks = hooks.withPull(new PretrainedWeightDecay(wdPreLambda, pretrained));
                case RECADAM -> {
                    hooks = hooks.withPull(new RecAdam(recAdam, pretrained));
                    if (recAdam.t0() >= totalSteps) {
                        context.notice().accept(String.format(Locale.ROOT, "RecAdam: t0 = %.0f is not below the run's %d "
                                + "steps, so λ(t) < 0.5 throughout and the body mostly follows the pull toward its "
                                + "pretrained weights (--recadam-t0 sets it)", recAdam.t0(), totalSteps));
                    }
                }
                case MIXOUT -> {
                    Mixout mixout = new Mixout(mixoutP, mixoutTargets(model, pretrained));
                    hooks = hooks.withSubstitution(mixout);
                    details.addProperty("mixout_tensors", mixout.size());
                }
                case R3F -> hooks = hooks.withLossTerm(new R3F(r3f));
                case TOP_K -> details.addProperty("frozen_tensors",
                        parameters.keySet().stream().filter(trainable.negate()).count());
                case VANILLA -> { }
            }
            GradientMask mask = maskFactory.create(context);
            JsonObject merged = mask.describe().deepCopy();
            if (customName == null) {
                options().entrySet().forEach(e -> merged.add(e.getKey(), e.getValue()));
                details.entrySet().forEach(e -> merged.add(e.getKey(), e.getValue()));
            }
            return new Prepared(hooks, mask, merged, pretrained);
        } catch (RuntimeException e) {
            if (pretrained != null) {
                pretrained.close();
            }
            throw e;
        }
    }

    /**
     * Refuses what does not fit the model (more layers than it has; a ChildTuning-D scope that
     * matches nothing, or nothing that trains) and returns which parameters train. Cheap: the
     * Trainer calls it before writing anything.
     */
    public Predicate<String> check(SequenceClassifier model) {
        int layers = model.config().numHiddenLayers();
        if (base == BaseMethod.TOP_K && topK > layers) {
            throw new ChildTuneException("--top-k " + topK + ": the model has only " + layers + " layers");
        }
        if (reinitLayers > layers) {
            throw new ChildTuneException("--reinit-layers " + reinitLayers + ": the model has only " + layers + " layers");
        }
        Predicate<String> trainable = base == BaseMethod.TOP_K ? TopK.trainable(model, topK) : name -> true;
        if (customMask == null) {
            childFactory(model.namedParameters().keySet(), trainable);
        }
        return trainable;
    }

    /** The chosen ChildTuning mask; ChildTuning-D's scope limited to parameters that train, and refused if none does. */
    private MaskFactory childFactory(Collection<String> names, Predicate<String> trainable) {
        if (child == Method.CHILDTUNING_D && savedMask == null) {
            Predicate<String> scope = fisher.scope().and(trainable);
            if (names.stream().noneMatch(fisher.scope())) {
                throw new ChildTuneException("ChildTuning-D: the mask scope matches no parameter of this model");
            }
            if (names.stream().noneMatch(scope)) {
                throw new ChildTuneException("ChildTuning-D with --method top-k --top-k " + topK
                        + ": every tensor of the mask scope is frozen, so there is nothing to choose a child from "
                        + "(raise --top-k or widen --mask-scope)");
            }
            return child.factory(reserveP, null, new FisherInformation.Options(fisher.estimator(), fisher.samples(), scope));
        }
        return child.factory(reserveP, savedMask, fisher);
    }

    /** The weights of the encoder's Linear modules (not embeddings, pooler, head; not XLNet's bare projections). */
    private static Set<String> encoderLinearWeights(SequenceClassifier model) {
        Set<String> names = new HashSet<>();
        model.namedModules().forEach((name, module) -> {
            if (module instanceof Linear && model.encoderLayer(name + ".weight") >= 0) {
                names.add(name + ".weight");
            }
        });
        return names;
    }

    /** The encoder's Linear modules whose weights were kept, each with its pretrained weight. */
    private static Map<Linear, NDArray> mixoutTargets(SequenceClassifier model, PretrainedWeights pretrained) {
        Map<Linear, NDArray> targets = new LinkedHashMap<>();
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            NDArray u = pretrained.array(e.getKey() + ".weight");
            if (e.getValue() instanceof Linear linear && u != null) {
                targets.put(linear, u);
            }
        }
        return targets;
    }

    /** Defaults: vanilla, no mask, no LLRD, no re-initialisation; each method's hyper-parameters its paper's. */
    public static final class Builder {
        private BaseMethod base = BaseMethod.VANILLA;
        private double wdPreLambda = PretrainedWeightDecay.DEFAULT_LAMBDA;
        private int topK = 3;
        private double mixoutP = Mixout.DEFAULT_P;
        private RecAdam.Options recAdam = RecAdam.Options.DEFAULTS;
        private R3F.Options r3f = R3F.Options.DEFAULTS;
        private final Set<BaseMethod> tuned = new HashSet<>();
        private Method child = Method.VANILLA;
        private MaskFactory customMask;
        private String customName;
        private double reserveP = Double.NaN;
        private Path savedMask;
        private FisherInformation.Options fisher = FisherInformation.REFERENCE;
        private double llrd = 1;
        private int reinitLayers;

        private Builder() {}

        public Builder base(BaseMethod v) {
            base = v;
            return this;
        }

        /** WD-pre's λ (default 0.01). */
        public Builder optWdPreLambda(double v) {
            wdPreLambda = v;
            tuned.add(BaseMethod.WD_PRE);
            return this;
        }

        /** Top-K's K (default 3). */
        public Builder optTopK(int v) {
            topK = v;
            tuned.add(BaseMethod.TOP_K);
            return this;
        }

        /** Mixout's p (default 0.9). */
        public Builder optMixoutP(double v) {
            mixoutP = v;
            tuned.add(BaseMethod.MIXOUT);
            return this;
        }

        /** RecAdam's k, t0 and γ (default 0.5, 1000, 5000). */
        public Builder optRecAdam(RecAdam.Options v) {
            recAdam = v;
            tuned.add(BaseMethod.RECADAM);
            return this;
        }

        /** R3F's λ, σ and noise (default 1, 1e-5, uniform). */
        public Builder optR3f(R3F.Options v) {
            r3f = v;
            tuned.add(BaseMethod.R3F);
            return this;
        }

        /**
         * A ChildTuning mask on top of the base method.
         *
         * @param method {@link Method#CHILDTUNING_F} or {@link Method#CHILDTUNING_D}
         * @param reserveP p_F or p_D
         * @param savedMask ChildTuning-D: a child mask to reuse, or null to estimate one
         * @param fisher ChildTuning-D: how to estimate the Fisher information, or null for the reference
         */
        public Builder optChild(Method method, double reserveP, Path savedMask, FisherInformation.Options fisher) {
            child = method;
            this.reserveP = reserveP;
            this.savedMask = savedMask;
            this.fisher = fisher != null ? fisher : FisherInformation.REFERENCE;
            return this;
        }

        /** Layer-wise learning-rate decay γ in (0, 1] (1: off). */
        public Builder optLlrd(double v) {
            llrd = v;
            return this;
        }

        /** Re-initialise the top N encoder layers (0: off). */
        public Builder optReinitLayers(int v) {
            reinitLayers = v;
            return this;
        }

        /** Checks what can be checked without the model. */
        public FineTuning build() {
            for (BaseMethod m : tuned) {
                if (m != base) {
                    throw new ChildTuneException("the " + m.cliName() + " settings apply to --method " + m.cliName()
                            + " only, but the method is " + base.cliName());
                }
            }
            if (child == null) {
                throw new ChildTuneException("ChildTuning mask: null");
            }
            if (child != Method.VANILLA && !(reserveP > 0 && reserveP <= 1)) {
                throw new ChildTuneException("--reserve-p must be in (0, 1], got " + reserveP);
            }
            if (savedMask != null && child != Method.CHILDTUNING_D) {
                throw new ChildTuneException("--mask reuses a ChildTuning-D child network; the mask here is "
                        + (child == Method.VANILLA ? "none" : child.cliName()));
            }
            if (!(wdPreLambda >= 0)) {
                throw new ChildTuneException("--wd-pre-lambda must not be negative, got " + wdPreLambda);
            }
            if (topK < 0) {
                throw new ChildTuneException("--top-k must not be negative, got " + topK);
            }
            if (!(mixoutP >= 0 && mixoutP < 1)) {
                throw new ChildTuneException("--mixout-p must be in [0, 1), got " + mixoutP);
            }
            if (!(llrd > 0 && llrd <= 1)) {
                throw new ChildTuneException("--llrd must be in (0, 1], got " + llrd);
            }
            if (reinitLayers < 0) {
                throw new ChildTuneException("--reinit-layers must not be negative, got " + reinitLayers);
            }
            if (base == BaseMethod.TOP_K && reinitLayers > topK) {
                throw new ChildTuneException("--reinit-layers " + reinitLayers + " with --top-k " + topK
                        + " would freeze re-initialised layers at random values");
            }
            if (customMask != null && child != Method.VANILLA) {
                throw new ChildTuneException("a custom mask and a ChildTuning mask together");
            }
            return new FineTuning(this);
        }
    }
}
