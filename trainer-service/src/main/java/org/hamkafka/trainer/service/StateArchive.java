package org.hamkafka.trainer.service;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.hamkafka.contracts.Tensor;
import org.hamkafka.contracts.TensorCodec;
import org.hamkafka.core.model.Classifier;
import org.hamkafka.core.model.ModelWeights;
import org.hamkafka.core.train.SgdMomentum;
import org.hamkafka.npy.Npy;
import org.hamkafka.npy.NpzWriter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Everything a trainer needs to continue a run exactly, as one {@code .npz}: the model's weights
 * (entries as {@link ModelWeights} writes them, BatchNorm statistics included), the optimizer's
 * momentum buffers ({@code optimizer__<parameter>}), the position ({@code trainer__position}: format,
 * next epoch, next batch, steps done, model version) and the model versions the in-flight batches
 * were attacked with ({@code trainer__pending_versions}), so a pipelined run resumes with the
 * same staleness it would have had.
 */
public final class StateArchive {
    static final String OPTIMIZER = "optimizer__";
    static final String POSITION = "trainer__position";
    static final String PENDING = "trainer__pending_versions";
    private static final long FORMAT = 1;

    /** Where a run continues: the next step to run and the versions its in-flight batches use. */
    public record Position(int epoch, int batch, long stepsDone, long modelVersion, long[] pendingVersions) {
    }

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
        }
        return bytes.toByteArray();
    }

    /** Loads weights and momentum into f and optimizer; returns the stored position. */
    public static Position read(byte[] archive, Classifier f, SgdMomentum optimizer) {
        Map<String, byte[]> entries = entries(archive);
        ByteArrayOutputStream weights = new ByteArrayOutputStream(archive.length);
        Map<String, Tensor> optimizerState = new LinkedHashMap<>();
        Tensor position = null;
        Tensor pending = null;
        try (NpzWriter zip = new NpzWriter(weights)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                String name = stripNpy(e.getKey());
                if (name.startsWith(OPTIMIZER)) {
                    optimizerState.put(name.substring(OPTIMIZER.length()), TensorCodec.fromNpy(e.getValue()));
                } else if (name.equals(POSITION)) {
                    position = TensorCodec.fromNpy(e.getValue());
                } else if (name.equals(PENDING)) {
                    pending = TensorCodec.fromNpy(e.getValue());
                } else {
                    zip.put(name, e.getValue());
                }
            }
        }
        if (position == null || pending == null) {
            throw new IllegalArgumentException("trainer state archive lacks " + (position == null ? POSITION : PENDING));
        }
        long[] pos = position.longs();
        if (pos.length != 5 || pos[0] != FORMAT) {
            throw new IllegalArgumentException("trainer state archive has position format " + (pos.length > 0 ? pos[0] : -1)
                    + "; this trainer reads format " + FORMAT);
        }
        ModelWeights.importNpz(f, new ByteArrayInputStream(weights.toByteArray()));
        try (NDManager tmp = f.manager().newSubManager()) {
            NDList state = new NDList();
            for (Map.Entry<String, Tensor> e : optimizerState.entrySet()) {
                NDArray a = tmp.create(e.getValue().floats(), new Shape(e.getValue().shape()));
                a.setName(e.getKey());
                state.add(a);
            }
            optimizer.clear();
            if (!state.isEmpty()) {
                optimizer.loadState(f, state);
            }
        }
        return new Position((int) pos[1], (int) pos[2], pos[3], pos[4], pending.longs().clone());
    }

    static Map<String, byte[]> entries(byte[] npz) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(npz))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.put(e.getName(), in.readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading an .npz archive", e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("corrupt trainer state: the .npz archive holds no entry");
        }
        return out;
    }

    private static String stripNpy(String name) {
        return name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
    }

    static List<String> names(byte[] npz) {
        return new ArrayList<>(entries(npz).keySet());
    }
}
