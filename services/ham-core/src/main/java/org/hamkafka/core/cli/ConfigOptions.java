package org.hamkafka.core.cli;

import org.hamkafka.core.train.TrainConfig;
import picocli.CommandLine.Option;

import java.util.List;

/** Options named like {@link TrainConfig}'s settings; anything left out keeps the data set's default. */
final class ConfigOptions {
    @Option(names = "--dataset", description = "fashion-mnist (default), mnist, cifar10, cifar100, svhn, imagenette")
    String dataset = "fashion-mnist";
    @Option(names = "--data-dir", description = "folder of the data files (default: $HAM_DATA_DIR/<dataset> or /usr/share/datasets/<dataset>)")
    String dataDir;
    @Option(names = "--model", description = "linear, tiny-cnn, smallcnn, smallcnn-w<width> (e.g. smallcnn-w0.25), preact-resnet18, wrn-<depth>-<width>")
    String model;
    @Option(names = "--method", description = "standard, pgd-at, trades, fast-at, ham (default)")
    String method;
    @Option(names = "--norm", description = "linf (default) or l2")
    String norm;
    @Option(names = "--eps", description = "perturbation budget (fashion-mnist: 0.1, else 8/255)")
    Float eps;
    @Option(names = "--alpha", description = "attack step size (default eps/4 on fashion-mnist, else 2/255)")
    Float alpha;
    @Option(names = {"--steps", "-K"}, description = "K, attack steps (default 10)")
    Integer steps;
    @Option(names = {"--drop-step"}, description = "K', HAM's early-drop step, 1 <= K' < K (default 3)")
    Integer dropStep;
    @Option(names = "--lambda", description = "λ of HAM's weights (default -1)")
    Float lambda;
    @Option(names = "--base", description = "b added to normalized variations (default 0)")
    Float base;
    @Option(names = "--weighting", negatable = true, description = "HAM's tanh weights (default); --no-weighting: uniform")
    Boolean weighting;
    @Option(names = "--variation-on-logits", description = "measure HAM's variation on logits instead of probabilities")
    Boolean variationOnLogits;
    @Option(names = "--warmup-epochs", description = "HAM: epochs of PGD-AT first (default 50)")
    Integer warmupEpochs;
    @Option(names = "--trades-beta", description = "TRADES β (default 6)")
    Float tradesBeta;
    @Option(names = "--fast-alpha", description = "Fast-AT FGSM step (default 1.25·eps)")
    Float fastAlpha;
    @Option(names = "--batch-size", description = "default 128")
    Integer batchSize;
    @Option(names = "--lr", description = "base learning rate (default 0.1; fashion-mnist and svhn 0.01)")
    Float lr;
    @Option(names = "--momentum", description = "default 0.9")
    Float momentum;
    @Option(names = "--weight-decay", description = "default 2e-4")
    Float weightDecay;
    @Option(names = "--epochs", description = "default 120")
    Integer epochs;
    @Option(names = "--seed", description = "default 0")
    Long seed;
    @Option(names = "--device", description = "cpu, gpu, auto (default)")
    String device;
    @Option(names = "--train-subset", description = "class-balanced training subset size, 0 = all (default)")
    Integer trainSubset;
    @Option(names = "--test-subset", description = "class-balanced test subset size, 0 = all (default)")
    Integer testSubset;
    @Option(names = "--eval-attacks", split = ",", description = "evaluation attacks (default pgd-20,cw-20): pgd-<steps>, cw-<steps>, fgsm, apgd-ce[-<it>], apgd-t[-<it>], autoattack[-standard|-fast]; the report's headline is the worst case over all of them")
    List<String> evalAttacks;

    /** The data set's defaults overridden by the options given; alpha and fast-alpha follow eps unless given. */
    TrainConfig toConfig() {
        TrainConfig d = TrainConfig.defaults(dataset);
        TrainConfig.Builder b = d.toBuilder();
        if (eps != null) {
            b.eps(eps);
            b.alpha(d.dataset().equals("fashion-mnist") ? eps / 4f : d.alpha() * eps / d.eps());
            b.fastAlpha(1.25f * eps);
        }
        if (dataDir != null) b.dataDir(dataDir);
        if (model != null) b.model(model);
        if (method != null) b.method(method);
        if (norm != null) b.norm(norm);
        if (alpha != null) b.alpha(alpha);
        if (steps != null) b.steps(steps);
        if (dropStep != null) b.dropStep(dropStep);
        if (lambda != null) b.lambda(lambda);
        if (base != null) b.base(base);
        if (weighting != null) b.weighting(weighting);
        if (variationOnLogits != null) b.variationOnLogits(variationOnLogits);
        if (warmupEpochs != null) b.warmupEpochs(warmupEpochs);
        if (tradesBeta != null) b.tradesBeta(tradesBeta);
        if (fastAlpha != null) b.fastAlpha(fastAlpha);
        if (batchSize != null) b.batchSize(batchSize);
        if (lr != null) b.lr(lr);
        if (momentum != null) b.momentum(momentum);
        if (weightDecay != null) b.weightDecay(weightDecay);
        if (epochs != null) b.epochs(epochs);
        if (seed != null) b.seed(seed);
        if (device != null) b.device(device);
        if (trainSubset != null) b.trainSubset(trainSubset);
        if (testSubset != null) b.testSubset(testSubset);
        if (evalAttacks != null) b.evalAttacks(evalAttacks);
        return b.build();
    }
}
