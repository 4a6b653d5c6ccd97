package org.hamkafka.core.train;

import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.core.attack.Norm;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Every setting of a training run, resolved, grouped as the paper talks about them: the data, the
 * threat model, HAM's own, the baselines' own, the optimisation, the evaluation attacks, and (for
 * distributed training) the pipelining; plus where the run happens ({@link Runtime}, not a job
 * setting). Names follow the paper: {@code eps}, {@code alpha}, {@code steps} = K, {@code dropStep}
 * = K', {@code lambda} = λ, {@code base} = b. The fields' public names, help and partial form are
 * {@link PartialConfig}'s; {@link #validate()} reports every bad setting by that public name with
 * its allowed range.
 *
 * @param model       linear, tiny-cnn, smallcnn, smallcnn-w&lt;width&gt;, preact-resnet18, wrn-&lt;depth&gt;-&lt;width&gt;
 * @param method      standard, pgd-at, trades, fast-at, ham
 * @param classWise   the class-wise settings (per-class loss weights and budgets)
 * @param fairness    the robust-fairness methods' own (FRL's rate and bound, WAT's η)
 * @param evalAttacks evaluation attacks, e.g. pgd-20, cw-20 ({@link EvaluationAttacks})
 */
public record TrainConfig(String model, String method, Data data, ThreatModel threat, Ham ham, Baselines baselines,
                          ClassWise classWise, Fairness fairness, Optimisation optimisation, List<String> evalAttacks,
                          Pipelining pipelining, Runtime runtime) {

    public static final Set<String> HAM_METHODS = Set.of("ham", "ham-trades");
    /** The robust-fairness methods: TRADES whose class weights (and FRL's budgets) follow a validation split. */
    public static final Set<String> FAIRNESS_METHODS = Set.of("frl", "wat");
    /** The validation split a fairness method holds out unless told otherwise. */
    public static final int DEFAULT_VALIDATION_SIZE = 1000;
    public static final Set<String> METHODS = Set.of("standard", "pgd-at", "trades", "fast-at", "ham", "ham-trades", "frl",
            "wat");
    /** The known data sets, then the forms of a user's own ({@code image-folder:<name>}, {@code idx:<name>}). */
    public static final List<String> DATASETS = java.util.stream.Stream.concat(
            org.hamkafka.core.data.Datasets.NAMES.stream(), org.hamkafka.core.data.Datasets.OWN_FORMS.stream()).toList();
    /** Upper bound on batches in flight: beyond it the attacked weights would be very stale. */
    public static final int MAX_BATCHES_IN_FLIGHT = 16;
    /** Upper bound on evaluation attacks per job (each is a full pass over the test set). */
    public static final int MAX_EVAL_ATTACKS = 8;

    /**
     * @param dataset     one of {@link org.hamkafka.core.data.Datasets#NAMES}
     * @param trainSubset class-balanced training subset size (0 = the whole training set)
     * @param testSubset  class-balanced test subset size (0 = the whole test set)
     * @param seed        fixes weights, subsets, batch order and random starts
     * @param validationSize class-balanced examples held out of the training split before the training subset is
     *                    drawn (0 = none); the robust-fairness methods measure the classes on them
     */
    public record Data(String dataset, int trainSubset, int testSubset, long seed, int validationSize) {
    }

    /**
     * @param norm  linf or l2
     * @param eps   perturbation budget
     * @param alpha attack step size (PGD-AT, TRADES, HAM)
     * @param steps K, attack steps
     */
    public record ThreatModel(String norm, float eps, float alpha, int steps) {
        /** The default step size for a budget: eps/4 (2/255 at the paper's 8/255). */
        public static float alphaFor(float eps) {
            return eps / 4f;
        }

        public Norm threatNorm() {
            return Norm.parse(norm);
        }
    }

    /**
     * @param dropStep          K', HAM's early-drop step, 1 &lt;= K' &lt; K
     * @param lambda            λ of HAM's weight function (default -1)
     * @param base              b, added to the normalized variation (default 0)
     * @param weighting         true: HAM's tanh weights; false: uniform weights on the hard examples
     * @param variationOnLogits measure the variation on logits instead of softmax probabilities
     * @param warmupEpochs      epochs of plain PGD-AT before HAM starts (0 allowed)
     */
    public record Ham(int dropStep, float lambda, float base, boolean weighting, boolean variationOnLogits,
                      int warmupEpochs) {
    }

    /**
     * @param tradesBeta β of TRADES
     * @param fastAlpha  FGSM step of Fast-AT (default 1.25·eps)
     */
    public record Baselines(float tradesBeta, float fastAlpha) {
        /** Fast-AT's default FGSM step for a budget (Wong et al. 2020). */
        public static float fastAlphaFor(float eps) {
            return 1.25f * eps;
        }
    }

    /**
     * Class-wise settings, what robust-fairness methods vary by class.
     *
     * @param weights per-class loss weights, one per class in the data set's order; null: all equal
     *                ({@link ClassWeights})
     * @param eps     per-class perturbation budgets of the attack half, one per class; null: eps for every class
     *                ({@link ClassEps})
     */
    public record ClassWise(List<Float> weights, List<Float> eps) {
        public static final ClassWise NONE = new ClassWise(null, null);

        public ClassWise {
            weights = weights == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(weights));
            eps = eps == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(eps));
        }

        /** The loss weights the training half applies ({@link ClassWeights#NONE} when unset). */
        public ClassWeights lossWeights() {
            return ClassWeights.of(weights);
        }
    }

    /**
     * The robust-fairness methods' own settings ({@link FairnessRule}).
     *
     * @param frlRate  FRL's α: the step of its multipliers on the clean-error constraints (those on the boundary
     *                 error and the margins move at twice it, as in the reference: 0.05 and 0.1)
     * @param frlBound FRL's τ: how far a class's error may exceed the average before its multiplier grows
     * @param watEta   WAT's η: the step of its exponential (Hedge) weights over the classes' validation losses
     */
    public record Fairness(float frlRate, float frlBound, float watEta) {
    }

    /** SGD with momentum on the piecewise schedule ({@link #schedule()}). */
    public record Optimisation(int epochs, int batchSize, float lr, float momentum, float weightDecay) {
        public LearningRateSchedule schedule() {
            return LearningRateSchedule.piecewise(lr, epochs);
        }
    }

    /**
     * How the distributed trainer splits the attack half (the in-process run ignores it).
     *
     * @param shardsPerBatch  shards each batch is split into (one attack request each)
     * @param batchesInFlight batches whose attack requests may be out at once
     */
    public record Pipelining(int shardsPerBatch, int batchesInFlight) {
    }

    /**
     * Where a run happens: not a job setting (a service takes these from its own configuration).
     *
     * @param dataDir directory of the data files (null: the data set's default location)
     * @param device  cpu, gpu or auto
     */
    public record Runtime(String dataDir, String device) {
    }

    public TrainConfig {
        evalAttacks = evalAttacks == null ? List.of() : List.copyOf(evalAttacks);
        classWise = classWise == null ? ClassWise.NONE : classWise;
    }

    /** Defaults for Fashion-MNIST (eps 0.1, alpha 0.025), the data set available everywhere. */
    public static TrainConfig defaults() {
        return defaults("fashion-mnist");
    }

    /**
     * The paper's defaults for a data set: eps 8/255, alpha 2/255, K 10, K' 3 (SVHN: 5), λ -1, b 0,
     * weighting on, 120 epochs with 50 warm-up, batch 128, lr 0.1 (SVHN: 0.01), momentum 0.9,
     * weight decay 2e-4, TRADES β 6, Fast-AT alpha 1.25·eps, evaluation PGD-20 and CW∞-20.
     * Fashion-MNIST (grey 28×28, not in the paper) uses eps 0.1 and alpha eps/4, as is usual for it,
     * and lr 0.01: with lr 0.1, PGD-AT on the small models used here collapsed to one class (accuracy
     * 0.10) in short runs, while standard training did not. A user's own data set takes the defaults of
     * the known one it is shaped like: {@code image-folder:<name>} (RGB 32×32) CIFAR-10's, {@code idx:<name>}
     * (grey) Fashion-MNIST's.
     */
    public static TrainConfig defaults(String dataset) {
        String given = dataset == null ? "fashion-mnist" : dataset.toLowerCase(Locale.ROOT);
        String d = org.hamkafka.core.data.Datasets.defaultsOf(given);
        float eps = d.equals("fashion-mnist") ? 0.1f : 8f / 255f;
        int dropStep = d.equals("svhn") ? 5 : 3;
        float lr = d.equals("svhn") || d.equals("fashion-mnist") ? 0.01f : 0.1f;
        String model = d.equals("fashion-mnist") ? "smallcnn" : "preact-resnet18";
        return new TrainConfig(model, "ham", new Data(given, 0, 0, 0L, 0),
                new ThreatModel("linf", eps, ThreatModel.alphaFor(eps), 10),
                new Ham(dropStep, -1f, 0f, true, false, 50),
                new Baselines(6f, Baselines.fastAlphaFor(eps)), ClassWise.NONE, new Fairness(0.05f, 0.1f, 0.1f),
                new Optimisation(120, 128, lr, 0.9f, 2e-4f),
                List.of("pgd-20", "cw-20"), new Pipelining(1, 1), new Runtime(null, "auto"));
    }

    /**
     * A copy with some settings changed through their partial form; a field set to null takes its
     * default again (e.g. {@code p.alpha = null} after a new eps: alpha follows eps).
     */
    public TrainConfig with(Consumer<PartialConfig> change) {
        PartialConfig p = PartialConfig.of(this);
        change.accept(p);
        return p.resolve();
    }

    /** True for the methods with HAM's early drop and weights: ham (on PGD-AT) and ham-trades (on TRADES). */
    public boolean usesHam() {
        return HAM_METHODS.contains(method);
    }

    /** True for the methods whose class-wise settings follow the validation split: frl and wat. */
    public boolean usesFairnessRule() {
        return FAIRNESS_METHODS.contains(method);
    }

    public String dataset() {
        return data.dataset();
    }

    /** The evaluation attacks of this run, at its budget and norm, seeded by its seed. */
    public List<org.hamkafka.core.attack.Attack> evaluationAttacks() {
        return EvaluationAttacks.create(evalAttacks, threat.eps(), threat.threatNorm(), data.seed());
    }

    /** One bad setting: its public name ({@code drop_step}), its CLI option and what is allowed. */
    public record Violation(String field, String message) {
    }

    /** Every bad setting of a configuration; the message lists them all. */
    public static final class InvalidSettingsException extends IllegalArgumentException {
        private final List<Violation> violations;

        InvalidSettingsException(List<Violation> violations) {
            super(String.join("; ", violations.stream().map(Violation::message).toList()));
            this.violations = List.copyOf(violations);
        }

        public List<Violation> violations() {
            return violations;
        }

        /** The public name of the first bad setting. */
        public String field() {
            return violations.get(0).field();
        }
    }

    /**
     * Checks every setting against its allowed range; throws {@link InvalidSettingsException} naming
     * each bad one by its public name and option. Returns this for chaining.
     */
    public TrainConfig validate() {
        return valid(problems());
    }

    /**
     * {@link #validate()} for the attack half a worker runs: the settings the trainer owns and the worker never reads
     * (the validation split; frl's class budgets, which the worker takes as a request's and a job may not set) are
     * not checked here, where a fairness rule's epoch budgets arrive as {@code classEps}.
     */
    public TrainConfig validateAttackHalf() {
        return valid(SettingChecks.of(this, SettingChecks.Reader.ATTACK_HALF));
    }

    private TrainConfig valid(List<Violation> v) {
        if (!v.isEmpty()) {
            throw new InvalidSettingsException(v);
        }
        return this;
    }

    /** The violations {@link #validate()} reports, in declaration order (empty: valid). */
    public List<Violation> problems() {
        return SettingChecks.of(this, SettingChecks.Reader.JOB);
    }
}
