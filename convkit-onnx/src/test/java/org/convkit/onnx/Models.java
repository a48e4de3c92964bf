package org.convkit.onnx;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.convkit.core.Runtime;
import org.convkit.eval.ModelCard;
import org.convkit.eval.TorchClassifier;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;

/** Zoo networks with seeded random weights and BatchNorm parameters far from the identity. */
final class Models {
    private Models() {}

    /** A libtorch classifier over {@code arch} built with {@code o}; classes named "c0", "c1" ... */
    static TorchClassifier random(String arch, ModelOptions o, long seed) {
        Runtime.init();
        ConvNet net = Zoo.create(arch, o);
        NDManager m = NDManager.newBaseManager(Device.cpu());
        net.initialize(m);
        randomizeBatchNorm(net, new Random(seed));
        List<String> classes = IntStream.range(0, o.classes()).mapToObj(i -> "c" + i).toList();
        ModelCard card = new ModelCard(arch, arch, classes, o.heads(), o.channels(), o.height(), o.width(),
                new float[] {0.5f}, new float[] {0.25f}, "resize=" + o.height() + "x" + o.width(),
                TorchClassifier.parameters(net), "", "dev");
        return new TorchClassifier(net, card, Device.cpu(), 64, m);
    }

    /** gamma, var in [0.5, 1.5), beta, mean ~ N(0, 0.2): a fold that is wrong shows. */
    static void randomizeBatchNorm(Block b, Random rnd) {
        if (b instanceof BatchNorm) {
            b.getParameters().forEach(p -> {
                NDArray a = p.getValue().getArray();
                float[] v = new float[(int) a.size()];
                boolean positive = p.getKey().equals("gamma") || p.getKey().equals("runningVar");
                for (int i = 0; i < v.length; i++) {
                    v[i] = positive ? 0.5f + rnd.nextFloat() : (float) rnd.nextGaussian() * 0.2f;
                }
                a.set(v);
            });
        }
        for (Block c : b.getChildren().values()) {
            randomizeBatchNorm(c, rnd);
        }
    }
}
