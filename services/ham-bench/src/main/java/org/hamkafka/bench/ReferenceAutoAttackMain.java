package org.hamkafka.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hamkafka.core.attack.EvaluationAttacks;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.eval.ClassWiseEvaluator;
import org.hamkafka.core.eval.ClassWiseReport;
import org.hamkafka.core.model.CheckpointInfo;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.Devices;
import org.hamkafka.core.train.TrainConfig;
import org.hamkafka.core.train.TrainingRun;
import org.hamkafka.npy.Npy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * Our half of the comparison with the reference AutoAttack (scripts/reference-autoattack.sh runs both): writes
 * the class-balanced test examples, their labels and our model's logits as .npy files, so that the reference,
 * run on the same weights loaded in PyTorch (python/ham_torch.py), attacks the same inputs and can check that it
 * sees the same model; then evaluates each listed attack here and writes its robust accuracy and seconds.
 */
@Command(name = "reference-autoattack", mixinStandardHelpOptions = true,
        description = "Our AutoAttack on the examples the reference is given; writes x.npy, y.npy, logits.npy, ours.json")
public final class ReferenceAutoAttackMain implements Callable<Integer> {
    @Option(names = "--weights", required = true, description = "model.npz (model.json beside it)")
    Path weights;
    @Option(names = "--test-subset", defaultValue = "100", description = "class-balanced test examples (default ${DEFAULT-VALUE})")
    int testSubset;
    @Option(names = "--eps", description = "L-inf budget (default: the data set's)")
    Float eps;
    @Option(names = "--attacks", split = ",", defaultValue = "autoattack-apgd,autoattack-standard",
            description = "default ${DEFAULT-VALUE}")
    List<String> attacks;
    @Option(names = "--batch-size", defaultValue = "128", description = "the evaluation batch (the reference gets the same)")
    int batchSize;
    @Option(names = "--out", defaultValue = "bench-results/reference-autoattack")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ReferenceAutoAttackMain()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        attacks.forEach(EvaluationAttacks::check);
        CheckpointInfo info = CheckpointInfo.read(CheckpointInfo.besides(weights));
        TrainConfig cfg = TrainConfig.defaults(info.dataset()).with(p -> {
            p.model = info.architecture();
            p.testSubset = testSubset;
            p.seed = 0L;
            if (eps != null) {
                p.eps = eps;
            }
        }).validate();
        Dataset test = TrainingRun.loadTest(cfg);
        info.checkMatches(test.info());
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper();
        ObjectNode result = json.createObjectNode();
        result.put("machine", MachineInfo.current().describe());
        result.put("examples", test.size());
        result.put("eps", cfg.threat().eps());
        result.put("batch_size", batchSize);
        ArrayNode rows = result.putArray("attacks");
        try (InputStream in = Files.newInputStream(weights);
             Classifier f = Classifier.fromNpz(info.architecture(), test.info(), Devices.resolve("cpu"), in);
             NDManager m = NDManager.newBaseManager(f.device())) {
            int[] all = IntStream.range(0, test.size()).toArray();
            NDArray x = test.images(m, all);
            long[] shape = x.getShape().getShape();
            Files.write(out.resolve("x.npy"), Npy.floats(shape, x.toFloatArray()));
            Files.write(out.resolve("y.npy"), Npy.longs(new long[]{all.length},
                    IntStream.of(test.labels()).asLongStream().toArray()));
            NDArray logits = f.logits(x, false);
            Files.write(out.resolve("logits.npy"), Npy.floats(logits.getShape().getShape(), logits.toFloatArray()));
            for (String name : attacks) {
                // one attack per evaluation, so that each one's seconds are its own
                ClassWiseReport e = new ClassWiseEvaluator(EvaluationAttacks.create(List.of(name), cfg.threat().eps(),
                        cfg.threat().threatNorm(), 0), batchSize).evaluate(f, test);
                ClassWiseReport.AttackInfo a = e.attackInfo().values().iterator().next();
                rows.addObject().put("attack", name).put("robust", e.robust(e.headline()).average())
                        .put("clean", e.clean().average()).put("seconds", a.seconds())
                        .put("forward_rows", a.forwardRows()).put("backward_rows", a.backwardRows());
                System.err.printf("ours %s: robust %.3f in %.1f s%n", name, e.robust(e.headline()).average(), a.seconds());
                json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("ours.json").toFile(), result);
            }
        }
        return 0;
    }
}
