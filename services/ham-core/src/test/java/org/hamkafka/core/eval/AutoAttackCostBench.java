package org.hamkafka.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.hamkafka.core.attack.Norm;
import org.hamkafka.core.data.Dataset;
import org.hamkafka.core.data.Datasets;
import org.hamkafka.core.data.Subsets;
import org.hamkafka.core.model.Classifier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.util.stream.IntStream;

/**
 * Not a test: measures AutoAttack's cost (seconds and passes per 1000 test examples) on a
 * standard-trained tiny-cnn on real Fashion-MNIST. Run with {@code -Dham.bench=true
 * -Dtest=AutoAttackCostBench}; about 2–3 minutes on 2 cores.
 */
@EnabledIfSystemProperty(named = "ham.bench", matches = "true")
class AutoAttackCostBench {
    @Test
    void costPer1000Examples() {
        Assumptions.assumeTrue(Files.exists(Datasets.defaultDir(Datasets.FASHION_MNIST).resolve("t10k-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed");
        Dataset train = Subsets.classBalanced(Datasets.load(Datasets.FASHION_MNIST, true), 5000, 1);
        Dataset test = Subsets.classBalanced(Datasets.load(Datasets.FASHION_MNIST, false), 1000, 2);
        long t0 = System.nanoTime();
        try (Classifier f = Synthetic.trainedTinyCnn(train, 2)) {
            System.out.printf("trained tiny-cnn on 5000 examples, 2 epochs: %.1f s%n", (System.nanoTime() - t0) / 1e9);
            for (float eps : new float[]{0.1f, 0.03f}) {
                for (AutoAttack.Preset p : new AutoAttack.Preset[]{AutoAttack.FAST, AutoAttack.STANDARD}) {
                    AutoAttack aa = new AutoAttack(p, eps, Norm.LINF, 1);
                    long fw = 0;
                    long bw = 0;
                    int cleanOk = 0;
                    int robust = 0;
                    long t = System.nanoTime();
                    for (int from = 0; from < test.size(); from += 500) {
                        int[] rows = IntStream.range(from, Math.min(from + 500, test.size())).toArray();
                        try (NDManager m = f.manager().newSubManager()) {
                            NDArray x = test.images(m, rows);
                            NDArray y = test.labels(m, rows);
                            AutoAttack.Result r = aa.run(f, x, y);
                            fw += r.forwardRows();
                            bw += r.backwardRows();
                            long[] labels = y.toLongArray();
                            long[] clean = f.logits(x, false).argMax(1).toLongArray();
                            for (int i = 0; i < labels.length; i++) {
                                cleanOk += clean[i] == labels[i] ? 1 : 0;
                                robust += r.predictedAfter()[1][i] == labels[i] ? 1 : 0;
                            }
                        }
                    }
                    double secs = (System.nanoTime() - t) / 1e9;
                    double per = 1000.0 / test.size();
                    System.out.printf("%s eps %.2f: clean %.3f robust %.3f | %.1f s, %d forward + %d backward rows per 1000%n",
                            aa.name(), eps, cleanOk / (double) test.size(), robust / (double) test.size(),
                            secs * per, Math.round(fw * per), Math.round(bw * per));
                }
            }
        }
    }
}
