package dev.childtune.cli;

import dev.childtune.ChildTuneException;
import dev.childtune.tuning.BaseMethod;
import dev.childtune.tuning.FineTuning;
import dev.childtune.tuning.FisherInformation;
import dev.childtune.tuning.Method;
import dev.childtune.tuning.R3F;
import dev.childtune.tuning.RecAdam;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code train}'s method: one base method, at most one ChildTuning mask, and the LLRD / re-init
 * modifiers. A hyper-parameter of a method the run does not use is an error, not silently ignored.
 */
final class MethodOptions {
    @Option(names = "--method", defaultValue = "vanilla", paramLabel = "METHOD",
            description = "vanilla, wd-pre, top-k, mixout, recadam or r3f; childtuning-f and childtuning-d are short "
                    + "for vanilla with that --child.")
    String method;

    @Option(names = "--child", paramLabel = "MASK",
            description = "A ChildTuning mask on top of the method: childtuning-f (a fresh Bernoulli(p) gradient mask "
                    + "each step) or childtuning-d (a fixed mask of the top-p Fisher information).")
    String child;

    @Option(names = "--reserve-p", paramLabel = "P",
            description = "ChildTuning's p (default: the paper's value for CoLA, RTE, MRPC, STS-B; else 0.3).")
    Double reserveP;

    @Option(names = "--mask", paramLabel = "FILE", description = "ChildTuning-D: reuse a child mask written by 'childtune fisher'.")
    Path mask;

    @Option(names = "--wd-pre-lambda", paramLabel = "LAMBDA",
            description = "wd-pre: the L2-SP penalty λ/2·‖w − w_pre‖² on the pretrained body, as the decoupled pull "
                    + "p ← p − lr·λ·(p − p_pre) (default: 0.01).")
    Double wdPreLambda;

    @Option(names = "--top-k", paramLabel = "K",
            description = "top-k: train only the top K encoder layers, the pooler and the head (default: 3).")
    Integer topK;

    @Option(names = "--mixout-p", paramLabel = "P",
            description = "mixout: each encoder Linear weight element takes its pretrained value with probability P "
                    + "in training (default: 0.9).")
    Double mixoutP;

    @Option(names = "--recadam-k", paramLabel = "K", description = "recadam: slope k of λ(t) = 1/(1+exp(−k(t−t0))) (default: 0.5).")
    Double recAdamK;

    @Option(names = "--recadam-t0", paramLabel = "STEPS", description = "recadam: midpoint t0 of λ(t), in steps (default: 1000).")
    Double recAdamT0;

    @Option(names = "--recadam-gamma", paramLabel = "GAMMA",
            description = "recadam: coefficient γ of the quadratic pull (pretrain_cof; default: 5000).")
    Double recAdamGamma;

    @Option(names = "--r3f-lambda", paramLabel = "LAMBDA", description = "r3f: weight of the symmetric-KL noise term (default: 1).")
    Double r3fLambda;

    @Option(names = "--r3f-sigma", paramLabel = "SIGMA", description = "r3f: noise scale on the word embeddings (default: 1e-5).")
    Double r3fSigma;

    @Option(names = "--r3f-noise", paramLabel = "KIND", description = "r3f: uniform (U(−σ, σ)) or normal (N(0, σ²)) (default: uniform).")
    String r3fNoise;

    @Option(names = "--llrd", paramLabel = "GAMMA",
            description = "Layer-wise learning-rate decay: layer l of L trains at lr·γ^(L−l), embeddings at lr·γ^(L+1), "
                    + "pooler and head at lr (default: off).")
    Double llrd;

    @Option(names = "--reinit-layers", paramLabel = "N", description = "Re-initialise the top N encoder layers (default: 0).")
    Integer reinitLayers;

    /** The ChildTuning mask the options choose ({@link Method#VANILLA} for none). */
    Method childMethod() {
        Method shorthand = Method.fromName(method.startsWith("childtuning") ? method : "vanilla");
        if (child == null) {
            return shorthand;
        }
        if (!child.equals(Method.CHILDTUNING_F.cliName()) && !child.equals(Method.CHILDTUNING_D.cliName())) {
            throw new ChildTuneException("--child takes childtuning-f or childtuning-d, got '" + child + "'");
        }
        Method chosen = Method.fromName(child);
        if (shorthand != Method.VANILLA) {
            throw new ChildTuneException("--method " + method + " already chooses the mask; give a base method with --child "
                    + child + " (e.g. --method vanilla --child " + child + ")");
        }
        return chosen;
    }

    /** The method of the run on a task (whose name picks ChildTuning's default p). */
    FineTuning toFineTuning(String task, FisherInformation.Options fisher) {
        Method childMethod = childMethod();
        BaseMethod base = method.startsWith("childtuning") ? BaseMethod.VANILLA : BaseMethod.fromName(method);
        FineTuning.Builder b = FineTuning.builder().base(base);
        if (childMethod != Method.VANILLA) {
            b.optChild(childMethod, reserveP != null ? reserveP : childMethod.reportedReserveP(task), mask, fisher);
        } else if (reserveP != null || mask != null) {
            throw new ChildTuneException((reserveP != null ? "--reserve-p" : "--mask")
                    + " applies to a ChildTuning mask: add --child childtuning-f or --child childtuning-d");
        }
        if (wdPreLambda != null) b.optWdPreLambda(wdPreLambda);
        if (topK != null) b.optTopK(topK);
        if (mixoutP != null) b.optMixoutP(mixoutP);
        if (recAdamK != null || recAdamT0 != null || recAdamGamma != null) {
            RecAdam.Options d = RecAdam.Options.DEFAULTS;
            b.optRecAdam(new RecAdam.Options(recAdamK != null ? recAdamK : d.k(), recAdamT0 != null ? recAdamT0 : d.t0(),
                    recAdamGamma != null ? recAdamGamma : d.gamma()));
        }
        if (r3fLambda != null || r3fSigma != null || r3fNoise != null) {
            R3F.Options d = R3F.Options.DEFAULTS;
            b.optR3f(new R3F.Options(r3fLambda != null ? r3fLambda : d.lambda(), r3fSigma != null ? r3fSigma : d.sigma(),
                    r3fNoise != null ? R3F.Noise.fromName(r3fNoise) : d.noise()));
        }
        if (llrd != null) b.optLlrd(llrd);
        if (reinitLayers != null) b.optReinitLayers(reinitLayers);
        return b.build();
    }
}
