package org.convkit.transfer;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Random;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.train.Batches;
import org.convkit.train.Callback;
import org.convkit.train.Learner;
import org.convkit.train.loss.Loss;
import org.convkit.train.optim.Optimizer;
import org.convkit.train.optim.Optimizers;
import org.convkit.train.optim.ParamGroup;
import org.convkit.train.schedule.Constant;

/** Small networks and in-memory batches for the fine-tuning tests. */
public final class Fixtures {
    private Fixtures() {}

    /** A narrow CIFAR-stem ResNet-18 (BatchNorm in every stage) for {@code channels} x 8 x 8 inputs. */
    public static ConvNet resnet(int channels, int classes) {
        ModelOptions o = Zoo.get("resnet18").defaults().withInput(channels, 8, 8).withClasses(classes)
                .withStem("cifar").withWidthMultiplier(0.125);
        return Zoo.create("resnet18", o);
    }

    /** A learner with SGD (momentum: the optimizer has state) at a constant rate over {@code groups}. */
    public static Learner learner(ConvNet net, NDManager m, List<ParamGroup> groups, double lr) {
        Optimizer opt = Optimizers.create("sgd", groups, m, new Optimizers.Settings(0.9, false, 5e-4));
        return Learner.builder(net, opt).device(Device.cpu()).loss(Loss.of("ce", 0)).schedule(new Constant(), lr)
                    .options(new Learner.Options(1, 0, 1)).callbacks(List.<Callback>of()).build();
    }

    /**
     * Random images whose class is told by the mean of the first channel (learnable, a little),
     * served in order by the same code that serves cached features (a file of float rows).
     */
    public static Batches random(int samples, int channels, int size, int classes, int batchSize, long seed) {
        Random r = new Random(seed);
        int n = channels * size * size;
        java.nio.ByteBuffer rows = java.nio.ByteBuffer.allocate(samples * n * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int[] y = new int[samples];
        String[] ids = new String[samples];
        int[] indices = new int[samples];
        List<String> names = new java.util.ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
        }
        for (int i = 0; i < samples; i++) {
            y[i] = r.nextInt(classes);
            ids[i] = "s" + i;
            indices[i] = i;
            for (int p = 0; p < n; p++) {
                rows.putFloat((float) (r.nextGaussian() + (p < size * size ? y[i] * 0.5 : 0)));
            }
        }
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("fixture", ".f32");
            file.toFile().deleteOnExit();
            java.nio.file.Files.write(file, rows.array());
            FeatureCache.Split split = new FeatureCache.Split(file, samples, new long[] {channels, size, size}, y, 1, ids,
                    indices);
            return new FeatureBatches(split, names, -1, batchSize, false, seed);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
