package org.convkit.spark.bench;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.convkit.core.Runtime;
import org.convkit.data.image.Normalize;
import org.convkit.model.ConvNet;
import org.convkit.model.Zoo;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;

/**
 * bench/spark.sh's model: {@code resnet18 --stem cifar} for 3x32x32 CIFAR-10 images (the network
 * of bench/run.sh's W3i) with seeded random weights, saved as a checkpoint. Throughput does not
 * depend on what the weights learned.
 *
 * <pre>BenchCheckpoint DIR</pre>
 */
public final class BenchCheckpoint {
    private BenchCheckpoint() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        if (Checkpoint.exists(dir)) {
            return;
        }
        Runtime.init().setRandomSeed(1);
        ConvNet net = Zoo.create("resnet18", Zoo.get("resnet18").defaults().withInput(3, 32, 32).withClasses(10).withStem("cifar"));
        Normalize cifar = Normalize.preset("cifar10");
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            List<String> classes = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
            Checkpoint.save(dir, net, ModelInfo.of(classes, cifar.mean(), cifar.std()), null);
        }
        System.out.println("bench: checkpoint " + dir);
    }
}
