package org.hamkafka.core.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.npy.Npy;
import org.hamkafka.npy.NpzWriter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Everything a run needs to go on exactly, as one {@code .npz}: the model's weights (entries as
 * {@link ModelWeights} writes them, BatchNorm statistics included), the optimizer's momentum buffers
 * ({@code optimizer__<parameter>}), the {@link Position} ({@code trainer__position}: format, next epoch, next
 * batch, steps done, model version) and the versions the in-flight batches were attacked with
 * ({@code trainer__pending_versions}) and, for a method with a fairness rule, its multipliers ({@code trainer__fairness}:
 * the epoch that computed them, then each value's IEEE bits, so they come back exactly). The trainer-service and
 * the command line write and read the same form.
 */
public final class StateArchive {
    static final String OPTIMIZER = "optimizer__";
    static final String POSITION = "trainer__position";
    static final String PENDING = "trainer__pending_versions";
    static final String FAIRNESS = "trainer__fairness";
    private static final long FORMAT = 1;

    private StateArchive() {
    }

    public static byte[] write(Classifier f, SgdMomentum optimizer, Position p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        try (NpzWriter npz = new NpzWriter(bytes)) {
            ModelWeights.putEntries(f, npz);
            for (NDArray buf : optimizer.state()) {
                float[] values = buf.toType(DataType.FLOAT32, false).toFloatArray();
                npz.put(OPTIMIZER + buf.getName(), Npy.floats(buf.getShape().getShape(), values));
            }
            npz.put(POSITION, Npy.longs(new long[]{5},
                    new long[]{FORMAT, p.epoch(), p.batch(), p.stepsDone(), p.modelVersion()}));
            npz.put(PENDING, Npy.longs(new long[]{p.pendingVersions().length}, p.pendingVersions()));
            if (p.fairness() != null) {
                double[] v = p.fairness().values();
                long[] bits = new long[v.length + 1];
                bits[0] = p.fairness().epoch();
                for (int i = 0; i < v.length; i++) {
                    bits[i + 1] = Double.doubleToRawLongBits(v[i]);
                }
                npz.put(FAIRNESS, Npy.longs(new long[]{bits.length}, bits));
            }
        }
        return bytes.toByteArray();
    }

    /**
     * Loads weights and momentum into f and optimizer; returns the stored position.
     *
     * @throws IllegalArgumentException naming what is wrong: not an archive, no position, another format,
     *                                  weights of another model
     */
    public static Position read(byte[] archive, Classifier f, SgdMomentum optimizer) {
        ByteArrayOutputStream weights = new ByteArrayOutputStream(archive.length);
        ByteArrayOutputStream own = new ByteArrayOutputStream();
        try (NpzWriter w = new NpzWriter(weights); NpzWriter o = new NpzWriter(own)) {
            for (Map.Entry<String, byte[]> e : entries(archive).entrySet()) {
                String name = e.getKey().endsWith(".npy") ? e.getKey().substring(0, e.getKey().length() - 4) : e.getKey();
                (name.startsWith(OPTIMIZER) || name.equals(POSITION) || name.equals(PENDING) || name.equals(FAIRNESS)
                        ? o : w)
                        .put(name, e.getValue());
            }
        }
        try (NDManager tmp = f.manager().newSubManager(Device.cpu())) {
            Map<String, NDArray> state = new LinkedHashMap<>();
            for (NDArray a : NDList.decode(tmp, new ByteArrayInputStream(own.toByteArray()))) {
                state.put(a.getName(), a);
            }
            if (!state.containsKey(POSITION) || !state.containsKey(PENDING)) {
                throw new IllegalArgumentException("state archive lacks " + (state.containsKey(POSITION) ? PENDING : POSITION)
                        + ": is it a resume state (not model weights)?");
            }
            long[] pos = state.get(POSITION).toLongArray();
            if (pos.length != 5 || pos[0] != FORMAT) {
                throw new IllegalArgumentException("state archive has position format " + (pos.length > 0 ? pos[0] : -1)
                        + "; this version reads format " + FORMAT);
            }
            ModelWeights.importNpz(f, new ByteArrayInputStream(weights.toByteArray()));
            NDList momentum = new NDList();
            for (Map.Entry<String, NDArray> e : state.entrySet()) {
                if (e.getKey().startsWith(OPTIMIZER)) {
                    NDArray a = e.getValue();
                    a.setName(e.getKey().substring(OPTIMIZER.length()));
                    momentum.add(a);
                }
            }
            optimizer.clear();
            if (!momentum.isEmpty()) {
                optimizer.loadState(f, momentum);
            }
            FairnessState fairness = null;
            if (state.containsKey(FAIRNESS)) {
                long[] bits = state.get(FAIRNESS).toLongArray();
                double[] v = new double[bits.length - 1];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Double.longBitsToDouble(bits[i + 1]);
                }
                fairness = new FairnessState((int) bits[0], v);
            }
            return new Position((int) pos[1], (int) pos[2], pos[3], pos[4], state.get(PENDING).toLongArray(), fairness);
        }
    }

    private static Map<String, byte[]> entries(byte[] npz) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(npz))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.put(e.getName(), in.readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading an .npz archive", e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("corrupt state archive: no .npz entry in it");
        }
        return out;
    }
}
