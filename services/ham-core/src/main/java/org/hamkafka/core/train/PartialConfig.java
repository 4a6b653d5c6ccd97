package org.hamkafka.core.train;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A job's settings with every field optional: what {@code POST /jobs} and the command line bind to,
 * and (filled in) what a job stores and a report shows. Each field is declared here once: its JSON
 * name is its snake_case ({@code drop_step}), its command-line option the same in kebab case
 * ({@code --drop-step}), its help text the description. {@link #resolve()} merges it onto the data
 * set's defaults ({@link TrainConfig#defaults(String)}); a missing {@code alpha} / {@code fast_alpha}
 * follows {@code eps} ({@link TrainConfig.ThreatModel#alphaFor}), a missing {@code validation_size} the method.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = false)
public final class PartialConfig {
    /** Fields only the distributed trainer reads (the command line, which trains in one process, leaves them out). */
    public static final Set<String> DISTRIBUTED_ONLY = Set.of("shardsPerBatch", "batchesInFlight");

    // data
    @JsonPropertyDescription("data set: fashion-mnist, mnist, cifar10, cifar100, svhn, imagenette, or one of your own: "
            + "image-folder:<name>, idx:<name> (the folder <name> under the data root)")
    public String dataset;
    @JsonPropertyDescription("class-balanced training subset size, 0 = the whole training set")
    public Integer trainSubset;
    @JsonPropertyDescription("class-balanced test subset size, 0 = the whole test set")
    public Integer testSubset;
    @JsonPropertyDescription("fixes weights, subsets, batch order and random starts")
    public Long seed;
    @JsonPropertyDescription("class-balanced examples held out of the training split (before the training subset is "
            + "drawn) that frl and wat measure the classes on, 0 = none; unset: 1000 for frl and wat, else 0")
    public Integer validationSize;
    // what is trained, and how
    @JsonPropertyDescription("architecture: linear, tiny-cnn, smallcnn, smallcnn-w<width> (e.g. smallcnn-w0.25), "
            + "preact-resnet18, wrn-<depth>-<width>")
    public String model;
    @JsonPropertyDescription("training method: standard, pgd-at, trades, fast-at, ham, ham-trades (HAM on TRADES), frl "
            + "(FRL-RWRM: TRADES re-weighted and re-margined by class), wat (WAT: TRADES with worst-class weights)")
    public String method;
    // threat model
    @JsonPropertyDescription("threat model's norm: linf or l2")
    public String norm;
    @JsonPropertyDescription("perturbation budget eps (pixels in [0, 1])")
    public Float eps;
    @JsonPropertyDescription("attack step size; follows eps (eps/4) unless given")
    public Float alpha;
    @JsonPropertyDescription("K, attack steps")
    public Integer steps;
    // HAM
    @JsonPropertyDescription("K', HAM's early-drop step, 1 <= K' < K")
    public Integer dropStep;
    @JsonPropertyDescription("λ of HAM's weight function")
    public Float lambda;
    @JsonPropertyDescription("b, added to HAM's normalized variation")
    public Float base;
    @JsonPropertyDescription("true: HAM's tanh weights; false: uniform weights on the hard examples")
    public Boolean weighting;
    @JsonPropertyDescription("measure HAM's variation on logits instead of softmax probabilities")
    public Boolean variationOnLogits;
    @JsonPropertyDescription("HAM: epochs of plain PGD-AT before HAM starts")
    public Integer warmupEpochs;
    // the baselines' own
    @JsonPropertyDescription("β of TRADES")
    public Float tradesBeta;
    @JsonPropertyDescription("Fast-AT's FGSM step; follows eps (1.25·eps) unless given")
    public Float fastAlpha;
    // class-wise
    @JsonPropertyDescription("per-class loss weights, one per class in the data set's order (e.g. 1,1,1,1,1,1,2,1,1,1): "
            + "each example's loss weight (HAM's, or 1) is multiplied by its class's weight over the mean weight; "
            + "unset: all classes equal")
    public List<Float> classWeights;
    @JsonPropertyDescription("per-class perturbation budgets of the training attack, one per class in the data set's "
            + "order: each example is attacked within its class's eps (step size scaled alike); every method but standard; "
            + "evaluation keeps eps; unset: eps for every class")
    public List<Float> classEps;
    // the robust-fairness methods' own
    @JsonPropertyDescription("FRL's α, the step of its multipliers (boundary multipliers and margins: twice it)")
    public Float frlRate;
    @JsonPropertyDescription("FRL's τ, how far a class's error may exceed the average before its multiplier grows")
    public Float frlBound;
    @JsonPropertyDescription("WAT's η, the step of its exponential weights over the classes' validation losses")
    public Float watEta;
    // optimisation
    @JsonPropertyDescription("training epochs")
    public Integer epochs;
    @JsonPropertyDescription("training batch size")
    public Integer batchSize;
    @JsonPropertyDescription("base learning rate of the piecewise schedule")
    public Float lr;
    @JsonPropertyDescription("SGD momentum")
    public Float momentum;
    @JsonPropertyDescription("SGD weight decay")
    public Float weightDecay;
    // evaluation
    @JsonPropertyDescription("evaluation attacks: pgd-<steps>, cw-<steps>, fgsm, apgd-ce[-<it>], apgd-t[-<it>], "
            + "fab-t[-<it>], square[-<queries>], autoattack[-standard|-apgd|-fast]; the headline is the worst case over all "
            + "of them")
    public List<String> evalAttacks;
    // distributed training only
    @JsonPropertyDescription("distributed: shards each batch is split into (one attack request each)")
    public Integer shardsPerBatch;
    @JsonPropertyDescription("distributed: batches whose attack requests may be out at once; > 1 attacks with "
            + "weights up to that many versions old")
    public Integer batchesInFlight;

    // where it runs: the command line's, never a job's (a service takes these from its own configuration)
    @JsonIgnore
    @JsonPropertyDescription("folder of the data files (default: $HAM_DATA_DIR/<dataset> or /usr/share/datasets/<dataset>)")
    public String dataDir;
    @JsonIgnore
    @JsonPropertyDescription("cpu, gpu or auto (the GPU when PyTorch sees one)")
    public String device;

    /** Every field filled in from a resolved configuration (what a job stores and a report shows). */
    public static PartialConfig of(TrainConfig c) {
        PartialConfig p = new PartialConfig();
        p.dataset = c.data().dataset();
        p.trainSubset = c.data().trainSubset();
        p.testSubset = c.data().testSubset();
        p.seed = c.data().seed();
        p.validationSize = c.data().validationSize();
        p.model = c.model();
        p.method = c.method();
        p.norm = c.threat().norm();
        p.eps = c.threat().eps();
        p.alpha = c.threat().alpha();
        p.steps = c.threat().steps();
        p.dropStep = c.ham().dropStep();
        p.lambda = c.ham().lambda();
        p.base = c.ham().base();
        p.weighting = c.ham().weighting();
        p.variationOnLogits = c.ham().variationOnLogits();
        p.warmupEpochs = c.ham().warmupEpochs();
        p.tradesBeta = c.baselines().tradesBeta();
        p.fastAlpha = c.baselines().fastAlpha();
        p.classWeights = c.classWise().weights();
        p.classEps = c.classWise().eps();
        p.frlRate = c.fairness().frlRate();
        p.frlBound = c.fairness().frlBound();
        p.watEta = c.fairness().watEta();
        p.epochs = c.optimisation().epochs();
        p.batchSize = c.optimisation().batchSize();
        p.lr = c.optimisation().lr();
        p.momentum = c.optimisation().momentum();
        p.weightDecay = c.optimisation().weightDecay();
        p.evalAttacks = c.evalAttacks();
        p.shardsPerBatch = c.pipelining().shardsPerBatch();
        p.batchesInFlight = c.pipelining().batchesInFlight();
        p.dataDir = c.runtime().dataDir();
        p.device = c.runtime().device();
        return p;
    }

    /** These settings without the machine's (data folder, device): what a job stores and a report shows. */
    public PartialConfig withoutRuntime() {
        dataDir = null;
        device = null;
        return this;
    }

    /**
     * The data set's defaults overridden by every field given here (not validated: see
     * {@link TrainConfig#validate()}).
     */
    public TrainConfig resolve() {
        TrainConfig d = TrainConfig.defaults(dataset == null ? null : dataset.toLowerCase(Locale.ROOT));
        float e = or(eps, d.threat().eps());
        var threat = new TrainConfig.ThreatModel(or(norm, d.threat().norm()), e,
                or(alpha, TrainConfig.ThreatModel.alphaFor(e)), or(steps, d.threat().steps()));
        var ham = new TrainConfig.Ham(or(dropStep, d.ham().dropStep()), or(lambda, d.ham().lambda()),
                or(base, d.ham().base()), or(weighting, d.ham().weighting()),
                or(variationOnLogits, d.ham().variationOnLogits()), or(warmupEpochs, d.ham().warmupEpochs()));
        var baselines = new TrainConfig.Baselines(or(tradesBeta, d.baselines().tradesBeta()),
                or(fastAlpha, TrainConfig.Baselines.fastAlphaFor(e)));
        var opt = new TrainConfig.Optimisation(or(epochs, d.optimisation().epochs()),
                or(batchSize, d.optimisation().batchSize()), or(lr, d.optimisation().lr()),
                or(momentum, d.optimisation().momentum()), or(weightDecay, d.optimisation().weightDecay()));
        var data = new TrainConfig.Data(d.data().dataset(), or(trainSubset, d.data().trainSubset()),
                or(testSubset, d.data().testSubset()), or(seed, d.data().seed()),
                or(validationSize, TrainConfig.FAIRNESS_METHODS.contains(or(method, d.method()))
                        ? TrainConfig.DEFAULT_VALIDATION_SIZE : d.data().validationSize()));
        var fairness = new TrainConfig.Fairness(or(frlRate, d.fairness().frlRate()), or(frlBound, d.fairness().frlBound()),
                or(watEta, d.fairness().watEta()));
        var pipe = new TrainConfig.Pipelining(or(shardsPerBatch, d.pipelining().shardsPerBatch()),
                or(batchesInFlight, d.pipelining().batchesInFlight()));
        return new TrainConfig(or(model, d.model()), or(method, d.method()), data, threat, ham, baselines,
                new TrainConfig.ClassWise(or(classWeights, d.classWise().weights()), or(classEps, d.classWise().eps())),
                fairness, opt,
                or(evalAttacks, d.evalAttacks()), pipe,
                new TrainConfig.Runtime(or(dataDir, d.runtime().dataDir()), or(device, d.runtime().device())));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PartialConfig other)) {
            return false;
        }
        for (Field f : fields()) {
            try {
                if (!java.util.Objects.equals(f.get(this), f.get(other))) {
                    return false;
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Field f : fields()) {
            try {
                h = 31 * h + java.util.Objects.hashCode(f.get(this));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (Field f : fields()) {
            try {
                Object v = f.get(this);
                if (v != null) {
                    sb.append(sb.length() > 1 ? ", " : "").append(publicName(f.getName())).append('=').append(v);
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return sb.append('}').toString();
    }

    /** The settings' fields, in declaration order (the CLI builds its options from them). */
    public static List<Field> fields() {
        List<Field> out = new ArrayList<>();
        for (Field f : PartialConfig.class.getDeclaredFields()) {
            if (Modifier.isPublic(f.getModifiers()) && !Modifier.isStatic(f.getModifiers())) {
                out.add(f);
            }
        }
        return out;
    }

    /** The public (JSON) name of a field: {@code dropStep} → {@code drop_step}. */
    public static String publicName(String fieldName) {
        return PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(fieldName);
    }

    /** How messages name a field: {@code drop_step (--drop-step)}. */
    public static String named(String fieldName) {
        return publicName(fieldName) + " (" + option(fieldName) + ")";
    }

    /** The command-line option of a field: {@code dropStep} → {@code --drop-step}. */
    public static String option(String fieldName) {
        return "--" + publicName(fieldName).replace('_', '-');
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
