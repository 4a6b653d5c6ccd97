package org.hamkafka.core.train;

import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.core.attack.Norm;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every setting of a training run, with the paper's defaults (see {@link #defaults(String)}).
 * Names follow the paper: {@code eps}, {@code alpha}, {@code steps} = K, {@code dropStep} = K',
 * {@code lambda} = λ, {@code base} = b. {@link #validate()} names the bad setting and its allowed range.
 *
 * @param dataset           one of {@link org.hamkafka.core.data.Datasets#NAMES}
 * @param dataDir           directory of the data files (null: the data set's default location)
 * @param model             linear, tiny-cnn, smallcnn, smallcnn-w&lt;width&gt;, preact-resnet18, wrn-&lt;depth&gt;-&lt;width&gt;
 * @param method            standard, pgd-at, trades, fast-at, ham
 * @param norm              linf or l2
 * @param eps               perturbation budget
 * @param alpha             attack step size (PGD-AT, TRADES, HAM)
 * @param steps             K, attack steps
 * @param dropStep          K', HAM's early-drop step, 1 &lt;= K' &lt; K
 * @param lambda            λ of HAM's weight function (default -1)
 * @param base              b, added to the normalized variation (default 0)
 * @param weighting         true: HAM's tanh weights; false: uniform weights on the hard examples
 * @param variationOnLogits measure the variation on logits instead of softmax probabilities
 * @param warmupEpochs      HAM: epochs of plain PGD-AT before HAM starts (0 allowed)
 * @param tradesBeta        β of TRADES
 * @param fastAlpha         FGSM step of Fast-AT (default 1.25·eps)
 * @param batchSize         training batch size
 * @param lr                base learning rate of the piecewise schedule
 * @param momentum          SGD momentum
 * @param weightDecay       SGD weight decay
 * @param epochs            training epochs
 * @param seed              fixes weights, subsets, batch order and random starts
 * @param device            cpu, gpu or auto
 * @param trainSubset       class-balanced training subset size (0 = the whole training set)
 * @param testSubset        class-balanced test subset size (0 = the whole test set)
 * @param evalAttacks       evaluation attacks, e.g. pgd-20, cw-20 (alpha = eps/4, random start)
 */
public record TrainConfig(String dataset, String dataDir, String model, String method, String norm,
                          float eps, float alpha, int steps, int dropStep, float lambda, float base,
                          boolean weighting, boolean variationOnLogits, int warmupEpochs, float tradesBeta,
                          float fastAlpha, int batchSize, float lr, float momentum, float weightDecay, int epochs,
                          long seed, String device, int trainSubset, int testSubset, List<String> evalAttacks) {

    public static final Set<String> METHODS = Set.of("standard", "pgd-at", "trades", "fast-at", "ham");
    public static final List<String> DATASETS = org.hamkafka.core.data.Datasets.NAMES;
    private static final Pattern MODEL = Pattern.compile("linear|tiny-cnn|smallcnn|smallcnn-w\\d+(\\.\\d+)?|preact-resnet18|wrn-\\d+-\\d+");

    public TrainConfig {
        evalAttacks = evalAttacks == null ? List.of() : List.copyOf(evalAttacks);
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
     * 0.10) in short runs, while standard training did not.
     */
    public static TrainConfig defaults(String dataset) {
        String d = dataset == null ? "fashion-mnist" : dataset.toLowerCase(Locale.ROOT);
        float eps = d.equals("fashion-mnist") ? 0.1f : 8f / 255f;
        float alpha = d.equals("fashion-mnist") ? eps / 4f : 2f / 255f;
        int dropStep = d.equals("svhn") ? 5 : 3;
        float lr = d.equals("svhn") || d.equals("fashion-mnist") ? 0.01f : 0.1f;
        String model = d.equals("fashion-mnist") ? "smallcnn" : "preact-resnet18";
        return new TrainConfig(d, null, model, "ham", "linf", eps, alpha, 10, dropStep, -1f, 0f, true, false,
                50, 6f, 1.25f * eps, 128, lr, 0.9f, 2e-4f, 120, 0L, "auto", 0, 0, List.of("pgd-20", "cw-20"));
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public Norm threatNorm() {
        return Norm.parse(norm);
    }

    /** The piecewise schedule of this run. */
    public LearningRateSchedule schedule() {
        return LearningRateSchedule.piecewise(lr, epochs);
    }

    /**
     * Checks every setting; the message of the first bad one names it (field and CLI option) and the
     * allowed range. Returns this for chaining.
     */
    public TrainConfig validate() {
        if (dataset == null || !DATASETS.contains(dataset)) {
            throw bad("dataset (--dataset) must be one of " + DATASETS + "; got '" + dataset + "'");
        }
        if (model == null || !MODEL.matcher(model).matches()) {
            throw bad("model (--model) must be one of linear, tiny-cnn, smallcnn, smallcnn-w<width>, preact-resnet18, "
                    + "wrn-<depth>-<width>; got '" + model + "'");
        }
        if (model.startsWith("smallcnn-w") && !org.hamkafka.core.model.Models.isKnown(model)) {
            throw bad("model (--model) smallcnn-w<width> needs a width in (0, 4], e.g. smallcnn-w0.25; got '" + model + "'");
        }
        if (method == null || !METHODS.contains(method)) {
            throw bad("method (--method) must be one of standard, pgd-at, trades, fast-at, ham; got '" + method + "'");
        }
        try {
            Norm.parse(norm == null ? "" : norm);
        } catch (IllegalArgumentException e) {
            throw bad("norm (--norm) must be linf or l2; got '" + norm + "'");
        }
        if (!(eps > 0) || Float.isInfinite(eps)) {
            throw bad("eps (--eps) must be > 0 (pixels are in [0,1]); got " + eps);
        }
        if (!(alpha > 0) || Float.isInfinite(alpha)) {
            throw bad("alpha (--alpha) must be > 0; got " + alpha);
        }
        if (steps < 1) {
            throw bad("K (steps, --steps) must be >= 1; got " + steps);
        }
        if (method.equals("ham") && (dropStep < 1 || dropStep >= steps)) {
            throw bad("K' (dropStep, --drop-step) must satisfy 1 <= K' < K = " + steps
                    + " (allowed: 1.." + (steps - 1) + "); got K' = " + dropStep);
        }
        if (!Float.isFinite(lambda)) {
            throw bad("lambda (--lambda) must be a finite number; got " + lambda);
        }
        if (!(base >= 0) || Float.isInfinite(base)) {
            throw bad("base (--base) must be >= 0; got " + base);
        }
        if (warmupEpochs < 0) {
            throw bad("warmupEpochs (--warmup-epochs) must be >= 0; got " + warmupEpochs);
        }
        if (!(tradesBeta >= 0) || Float.isInfinite(tradesBeta)) {
            throw bad("tradesBeta (--trades-beta) must be >= 0; got " + tradesBeta);
        }
        if (!(fastAlpha > 0) || Float.isInfinite(fastAlpha)) {
            throw bad("fastAlpha (--fast-alpha) must be > 0; got " + fastAlpha);
        }
        if (batchSize <= 0) {
            throw bad("batchSize (--batch-size) must be >= 1; got " + batchSize);
        }
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw bad("lr (--lr) must be > 0; got " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw bad("momentum (--momentum) must be in [0, 1); got " + momentum);
        }
        if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
            throw bad("weightDecay (--weight-decay) must be >= 0; got " + weightDecay);
        }
        if (epochs < 1) {
            throw bad("epochs (--epochs) must be >= 1; got " + epochs);
        }
        if (device == null || !Set.of("cpu", "gpu", "cuda", "auto").contains(device.toLowerCase(Locale.ROOT))) {
            throw bad("device (--device) must be one of cpu, gpu, auto; got '" + device + "'");
        }
        if (trainSubset < 0) {
            throw bad("trainSubset (--train-subset) must be >= 0 (0 = the whole training set); got " + trainSubset);
        }
        if (testSubset < 0) {
            throw bad("testSubset (--test-subset) must be >= 0 (0 = the whole test set); got " + testSubset);
        }
        for (String a : evalAttacks) {
            try {
                EvaluationAttacks.check(a);
            } catch (IllegalArgumentException e) {
                throw bad("evalAttacks (--eval-attacks): " + e.getMessage());
            }
        }
        return this;
    }

    private static IllegalArgumentException bad(String message) {
        return new IllegalArgumentException(message);
    }

    /** Mutable copy for building variants; {@link #build()} does not validate (call validate()). */
    public static final class Builder {
        private String dataset, dataDir, model, method, norm, device;
        private float eps, alpha, lambda, base, tradesBeta, fastAlpha, lr, momentum, weightDecay;
        private int steps, dropStep, warmupEpochs, batchSize, epochs, trainSubset, testSubset;
        private boolean weighting, variationOnLogits;
        private long seed;
        private List<String> evalAttacks;

        private Builder(TrainConfig c) {
            dataset = c.dataset; dataDir = c.dataDir; model = c.model; method = c.method; norm = c.norm;
            eps = c.eps; alpha = c.alpha; steps = c.steps; dropStep = c.dropStep; lambda = c.lambda; base = c.base;
            weighting = c.weighting; variationOnLogits = c.variationOnLogits; warmupEpochs = c.warmupEpochs;
            tradesBeta = c.tradesBeta; fastAlpha = c.fastAlpha; batchSize = c.batchSize; lr = c.lr;
            momentum = c.momentum; weightDecay = c.weightDecay; epochs = c.epochs; seed = c.seed; device = c.device;
            trainSubset = c.trainSubset; testSubset = c.testSubset; evalAttacks = c.evalAttacks;
        }

        public Builder dataset(String v) { dataset = v; return this; }
        public Builder dataDir(String v) { dataDir = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder method(String v) { method = v; return this; }
        public Builder norm(String v) { norm = v; return this; }
        /** Sets eps only; alpha and fastAlpha keep their values (see {@link #epsWithDerived}). */
        public Builder eps(float v) { eps = v; return this; }
        /** Sets eps and the settings derived from it: alpha = eps/4, fastAlpha = 1.25·eps. */
        public Builder epsWithDerived(float v) { eps = v; alpha = v / 4f; fastAlpha = 1.25f * v; return this; }
        public Builder alpha(float v) { alpha = v; return this; }
        public Builder steps(int v) { steps = v; return this; }
        public Builder dropStep(int v) { dropStep = v; return this; }
        public Builder lambda(float v) { lambda = v; return this; }
        public Builder base(float v) { base = v; return this; }
        public Builder weighting(boolean v) { weighting = v; return this; }
        public Builder variationOnLogits(boolean v) { variationOnLogits = v; return this; }
        public Builder warmupEpochs(int v) { warmupEpochs = v; return this; }
        public Builder tradesBeta(float v) { tradesBeta = v; return this; }
        public Builder fastAlpha(float v) { fastAlpha = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder lr(float v) { lr = v; return this; }
        public Builder momentum(float v) { momentum = v; return this; }
        public Builder weightDecay(float v) { weightDecay = v; return this; }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder device(String v) { device = v; return this; }
        public Builder trainSubset(int v) { trainSubset = v; return this; }
        public Builder testSubset(int v) { testSubset = v; return this; }
        public Builder evalAttacks(List<String> v) { evalAttacks = v; return this; }

        public TrainConfig build() {
            return new TrainConfig(dataset, dataDir, model, method, norm, eps, alpha, steps, dropStep, lambda, base,
                    weighting, variationOnLogits, warmupEpochs, tradesBeta, fastAlpha, batchSize, lr, momentum,
                    weightDecay, epochs, seed, device, trainSubset, testSubset, evalAttacks);
        }
    }
}
