package org.hamkafka.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PyTorch's names for a model's parameters, as python/ham_torch.py's definitions of our architectures register
 * them (the SmallCNN of the GAIRAT/HAM reference code, Rice et al.'s PreActResNet18, Wide ResNets in the same
 * layout): {@code weight, bias} for conv and linear, {@code weight, bias, running_mean, running_var} for
 * BatchNorm. Both list them in forward order, so DJL's i-th parameter is the i-th name; {@link #exportSafetensors}
 * pairs them and checks each is the kind of parameter its name says.
 */
public final class TorchNames {
    private static final List<String> BN = List.of("weight", "bias", "running_mean", "running_var");
    private static final List<String> DJL_BN = List.of("gamma", "beta", "runningMean", "runningVar");
    private static final Pattern WRN = Pattern.compile("wrn-(\\d+)-(\\d+)");

    private TorchNames() {
    }

    /** The names of every parameter and BatchNorm statistic of the architecture, in forward order. */
    public static List<String> of(String arch) {
        List<String> out = new ArrayList<>();
        switch (arch) {
            case "linear" -> layer(out, "fc", false);
            case "tiny-cnn" -> {
                layer(out, "conv", false);
                layer(out, "bn", true);
                layer(out, "fc", false);
            }
            case "preact-resnet18" -> preAct(out, 64, new int[]{64, 128, 256, 512}, new int[]{2, 2, 2, 2},
                    new int[]{1, 2, 2, 2});
            default -> {
                Matcher w = WRN.matcher(arch);
                if (w.matches()) {
                    int n = (Integer.parseInt(w.group(1)) - 4) / 6;
                    int k = Integer.parseInt(w.group(2));
                    preAct(out, 16, new int[]{16 * k, 32 * k, 64 * k}, new int[]{n, n, n}, new int[]{1, 2, 2});
                } else if (arch.equals("smallcnn") || arch.startsWith("smallcnn-w")) {
                    for (int b = 1; b <= 3; b++) {
                        layer(out, "block" + b + "_conv1", false);
                        layer(out, "batchnorm" + b + "_1", true);
                        layer(out, "block" + b + "_conv2", false);
                        layer(out, "batchnorm" + b + "_2", true);
                    }
                    layer(out, "fc1", false);
                    layer(out, "fc2", false);
                } else {
                    throw new IllegalArgumentException("no PyTorch names for model '" + arch + "'");
                }
            }
        }
        return out;
    }

    /** Conv stem, pre-activation blocks (bn1, conv1, bn2, conv2, 1×1 shortcut where the shape changes), bn, linear. */
    private static void preAct(List<String> out, int stem, int[] widths, int[] blocks, int[] strides) {
        out.add("conv1.weight");
        int in = stem;
        for (int s = 0; s < widths.length; s++) {
            for (int b = 0; b < blocks[s]; b++) {
                String p = "layer" + (s + 1) + "." + b + ".";
                int stride = b == 0 ? strides[s] : 1;
                layer(out, p + "bn1", true);
                out.add(p + "conv1.weight");
                layer(out, p + "bn2", true);
                out.add(p + "conv2.weight");
                if (stride != 1 || in != widths[s]) {
                    out.add(p + "shortcut.0.weight");
                }
                in = widths[s];
            }
        }
        layer(out, "bn", true);
        layer(out, "linear", false);
    }

    private static void layer(List<String> out, String prefix, boolean batchNorm) {
        for (String p : batchNorm ? BN : List.of("weight", "bias")) {
            out.add(prefix + "." + p);
        }
    }

    /**
     * Writes the classifier's weights as a safetensors file (float32, little-endian) under PyTorch's names.
     *
     * @throws IllegalStateException when a name and the DJL parameter it pairs with disagree in kind (which would
     *                               mean the two lists drifted apart)
     */
    public static void exportSafetensors(Classifier f, OutputStream out) {
        List<String> names = of(f.arch());
        List<Pair<String, Parameter>> params = f.block().getParameters().stream().toList();
        if (names.size() != params.size()) {
            throw new IllegalStateException(f.arch() + ": " + params.size() + " parameters but " + names.size()
                    + " PyTorch names");
        }
        try (NDManager m = NDManager.newBaseManager(f.device())) {
            NDList list = new NDList();
            for (int i = 0; i < names.size(); i++) {
                String djl = params.get(i).getKey();
                String torch = names.get(i);
                String djlKind = djl.substring(djl.lastIndexOf('_') + 1);
                String torchKind = torch.substring(torch.lastIndexOf('.') + 1);
                boolean same = DJL_BN.contains(djlKind) ? DJL_BN.indexOf(djlKind) == BN.indexOf(torchKind)
                        : djlKind.equals(torchKind) && !torch.contains("running");
                if (!same) {
                    throw new IllegalStateException(f.arch() + ": DJL's " + djl + " would be written as " + torch);
                }
                NDArray a = params.get(i).getValue().getArray().duplicate();
                a.attach(m);
                a.setName(torch);
                list.add(a);
            }
            list.encode(out, NDList.Encoding.SAFETENSORS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
