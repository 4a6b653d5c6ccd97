package org.hamkafka.eval.service;

import ai.djl.Device;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.hamkafka.contracts.CheckpointAnnouncement;
import org.hamkafka.contracts.ClassAccuracy;
import org.hamkafka.mapping.ContractMapping;
import org.hamkafka.contracts.EvalResult;
import org.hamkafka.contracts.SchemaVersion;
import org.hamkafka.core.attack.Attack;
import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.DatasetInfo;
import org.hamkafka.core.eval.ClassWiseEvaluator;
import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.eval.ModelCard;
import org.hamkafka.core.model.CheckpointInfo;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.Devices;
import org.hamkafka.core.model.EngineCheck;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.service.CheckpointSigning;
import org.hamkafka.service.ObjectNotReadableException;
import org.hamkafka.service.ObjectStore;
import org.jboss.logging.Logger;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Downloads a checkpoint, checks its sha256, and evaluates it class by class with ham-core's
 * {@link ClassWiseEvaluator} on the test set. Settings are checked at start-up.
 */
@Startup
@ApplicationScoped
public class CheckpointEvaluator {
    private static final Logger LOG = Logger.getLogger(CheckpointEvaluator.class);

    private final ObjectStore store;
    private final TestSets testSets;
    private final EvalSettings settings;
    private final Norm norm;
    private final Device device;
    private final CheckpointSigning signing;

    public CheckpointEvaluator(ObjectStore store, TestSets testSets, EvalSettings settings, CheckpointSigning signing) {
        this.store = store;
        this.signing = signing;
        this.testSets = testSets;
        this.settings = settings;
        if (settings.attacks().isEmpty()) {
            throw new IllegalArgumentException("ham.eval.attacks must name at least one attack, e.g. pgd-20");
        }
        if (settings.batchSize() < 1) {
            throw new IllegalArgumentException("ham.eval.batch-size must be >= 1; got " + settings.batchSize());
        }
        if (settings.testSubset() < 0) {
            throw new IllegalArgumentException("ham.eval.test-subset must be >= 0 (0 = whole test set); got "
                    + settings.testSubset());
        }
        settings.eps().ifPresent(e -> {
            if (!(e > 0)) {
                throw new IllegalArgumentException("ham.eval.eps must be > 0; got " + e);
            }
        });
        try {
            this.norm = Norm.parse(settings.norm());
            settings.attacks().forEach(EvaluationAttacks::check); // names checked now
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ham.eval.attacks / ham.eval.norm: " + e.getMessage(), e);
        }
        this.device = Devices.resolve(settings.device());
        LOG.info(EngineCheck.requireDefaults(device)); // refuses to start on an engine that computes wrong
        LOG.infof("evaluating with %s on %s, test subset %d", settings.attacks(), device, settings.testSubset());
    }

    /**
     * Null when the trainer signed {@code a}, else why it is refused. Checked before anything else about an
     * announcement, the lookup of an earlier evaluation included: a forged announcement costs no download and
     * no evaluation, and one naming an already-evaluated checkpoint under another epoch is refused, not taken
     * for a duplicate.
     */
    public String forgery(CheckpointAnnouncement a) {
        String problem = signing.problem(a);
        return problem == null ? null : "job " + a.jobId() + " epoch " + a.epoch() + ": " + problem;
    }

    /**
     * Evaluates an announcement that {@link #forgery} passed.
     *
     * @throws CheckpointRejectedException the object is missing, its sha256 differs from the announced one, or it
     *                                     cannot be loaded as the announced model
     */
    public Evaluation evaluate(CheckpointAnnouncement a) {
        byte[] bytes;
        try {
            bytes = store.get(a.objectKey());
        } catch (ObjectNotReadableException e) {
            throw new CheckpointRejectedException("checkpoint cannot be fetched: " + e.getMessage(), e);
        }
        String actual = sha256(bytes);
        if (!actual.equalsIgnoreCase(a.sha256())) {
            throw new CheckpointRejectedException("checkpoint " + a.objectKey() + " has sha256 " + actual
                    + " but was announced with " + a.sha256() + " (corrupt or replaced object)", null);
        }
        // the job's own evaluation settings, where its announcement carries them
        List<String> attackNames = a.evalAttacks() != null && !a.evalAttacks().isEmpty() ? a.evalAttacks()
                : settings.attacks();
        try {
            attackNames.forEach(EvaluationAttacks::check);
        } catch (IllegalArgumentException e) {
            throw new CheckpointRejectedException("eval_attacks: " + e.getMessage(), e);
        }
        Dataset test;
        try {
            test = testSets.test(a.dataset(), a.testSubset() != null ? a.testSubset() : settings.testSubset());
        } catch (IllegalArgumentException e) {
            throw new CheckpointRejectedException("dataset: " + e.getMessage(), e);
        }
        DatasetInfo info = test.info();
        long bound = EvaluationAttacks.maxRows(attackNames, info.numClasses(), test.size());
        if (bound > settings.maxRows()) {
            throw new CheckpointRejectedException("eval_attacks " + attackNames + " on " + test.size()
                    + " test examples may cost up to " + bound + " forward+backward example-rows, over ham.eval.max-rows = "
                    + settings.maxRows() + ": evaluate a smaller test_subset or cheaper attacks, or raise ham.eval.max-rows",
                    null);
        }
        float eps = settings.eps().orElse(a.eps());
        if (!(eps > 0)) {
            throw new CheckpointRejectedException("eps " + a.eps() + " of the announcement must be > 0 "
                    + "(or set ham.eval.eps)", null);
        }
        Classifier f;
        try {
            f = Classifier.create(a.arch(), info, device, 0L);
        } catch (IllegalArgumentException e) {
            throw new CheckpointRejectedException("arch: " + e.getMessage(), e);
        }
        try (f) {
            checkDescription(a, info);
            try {
                ModelWeights.importNpz(f, new ByteArrayInputStream(bytes));
            } catch (RuntimeException e) {
                throw new CheckpointRejectedException("checkpoint " + a.objectKey() + " cannot be read as " + a.arch()
                        + " weights for " + info.name() + ": " + e.getMessage(), e);
            }
            List<Attack> attacks = EvaluationAttacks.create(attackNames, eps, norm, settings.seed());
            long t0 = System.nanoTime();
            ClassWiseReport report = new ClassWiseEvaluator(attacks, settings.batchSize()).evaluate(f, test);
            LOG.infof("job %s epoch %d: %d test examples evaluated with %s in %.1f s", a.jobId(), a.epoch(),
                    test.size(), attackNames, (System.nanoTime() - t0) / 1e9);
            for (String w : report.warnings()) {
                LOG.warnf("job %s epoch %d: %s", a.jobId(), a.epoch(), w);
            }
            ModelCard card = ModelCard.of(new ModelCard.Subject(a.jobId() + "/epoch-" + (a.epoch() + 1), info.name(),
                    a.arch(), a.method(), norm.name(), eps), report);
            return new Evaluation(toResult(a, info.name(), eps, norm, report), test.size(), card);
        }
    }

    /**
     * Refuses weights whose description (epoch-N.json beside them, written by the trainer) names another
     * architecture or data set, classes or normalization than the announcement and the test set; checkpoints
     * without a description (written before it existed) are evaluated as announced.
     */
    private void checkDescription(CheckpointAnnouncement a, DatasetInfo info) {
        String key = ObjectStore.Keys.description(a.objectKey());
        CheckpointInfo described;
        try {
            described = CheckpointInfo.fromJson(new String(store.get(key), java.nio.charset.StandardCharsets.UTF_8));
        } catch (ObjectNotReadableException e) {
            return;
        } catch (IllegalArgumentException e) {
            throw new CheckpointRejectedException(key + ": " + e.getMessage(), e);
        }
        if (!described.architecture().equals(a.arch())) {
            throw new CheckpointRejectedException(key + " says the weights are " + described.architecture()
                    + " but the checkpoint was announced as " + a.arch(), null);
        }
        try {
            described.checkMatches(info);
        } catch (IllegalArgumentException e) {
            throw new CheckpointRejectedException(e.getMessage() + " (" + key + ")", e);
        }
    }

    /** The public contract's form of ham-core's report. */
    public static EvalResult toResult(CheckpointAnnouncement a, String dataset, float eps, Norm norm, ClassWiseReport report) {
        List<String> classes = report.classNames();
        Map<String, ClassAccuracy> byAttack = new LinkedHashMap<>();
        for (String n : report.attacks()) {
            byAttack.put(n, ContractMapping.classAccuracy(report.robust(n)));
        }
        Map<String, EvalResult.AttackRun> runs = new LinkedHashMap<>();
        report.attackInfo().forEach((n, i) -> runs.put(n, new EvalResult.AttackRun(i.settings(), i.stages(),
                i.forwardRows(), i.backwardRows(), i.seconds())));
        String headline = report.headline();
        return new EvalResult(SchemaVersion.EVAL_RESULT, a.jobId(), a.epoch(), a.objectKey(), a.sha256(), dataset,
                a.method(), a.arch(), eps, norm.name(), headline, classes,
                ContractMapping.classAccuracy(report.clean()), byAttack.get(headline), byAttack, runs,
                report.examples(), Instant.now(),
                report.overConfidentShares().isEmpty() ? null : report.overConfidentShares(), report.warnings());
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
