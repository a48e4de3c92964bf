package org.convkit.eval;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.convkit.data.image.Decoder;
import org.convkit.data.image.Pipeline;
import org.convkit.model.ConvNet;
import org.convkit.model.ModelOptions;
import org.convkit.model.Zoo;
import org.convkit.model.weights.Checkpoint;
import org.convkit.model.weights.ModelInfo;

/** Checkpoints and image folders made the way users make them. */
public final class EvalFixtures {
    public static final List<String> SHAPES = List.of("circle", "square", "stripes");

    private EvalFixtures() {}

    /** A LeNet (1x28x28) checkpoint with random weights, class names and normalization. */
    public static Path lenetCheckpoint(Path dir, List<String> classes, int heads, Map<String, Object> extra) {
        ConvNet net = Zoo.create("lenet", ModelOptions.defaults().withInput(1, 28, 28).withClasses(classes.size()).withHeads(heads));
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m);
            Checkpoint.save(dir, net, new ModelInfo(classes, new float[] {0.5f}, new float[] {0.25f}, extra), null);
        }
        return dir;
    }

    /** An image of one of the shapes, at a random size and colour. */
    public static BufferedImage draw(int shape, Random rnd) {
        int size = 20 + rnd.nextInt(30);
        BufferedImage img = new BufferedImage(size, size + rnd.nextInt(8), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(rnd.nextInt(60), rnd.nextInt(60), rnd.nextInt(60)));
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(new Color(150 + rnd.nextInt(100), 150 + rnd.nextInt(100), 150 + rnd.nextInt(100)));
        int s = size / 2;
        switch (shape) {
            case 0 -> g.fillOval(size / 4, size / 4, s, s);
            case 1 -> g.fillRect(size / 4, size / 4, s, s);
            default -> {
                for (int y = 0; y < img.getHeight(); y += 4) {
                    g.fillRect(0, y, size, 2);
                }
            }
        }
        g.dispose();
        return img;
    }

    /** Writes an image as PNG or JPEG (by the extension) with ImageIO. */
    public static Path write(BufferedImage img, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        String ext = file.getFileName().toString().replaceAll(".*\\.", "");
        if (!ImageIO.write(img, ext.equals("jpg") ? "jpeg" : ext, file.toFile())) {
            throw new IOException("no ImageIO writer for " + ext);
        }
        return file;
    }

    /** root/split/class/NNN.(png|jpg) with n images per class; the split layout ImageFolder reads. */
    public static Path imageFolder(Path root, String split, int perClass, long seed) throws IOException {
        Random rnd = new Random(seed);
        for (int c = 0; c < SHAPES.size(); c++) {
            for (int i = 0; i < perClass; i++) {
                write(draw(c, rnd), root.resolve(split).resolve(SHAPES.get(c)).resolve(String.format("%03d.%s", i, i % 2 == 0 ? "png" : "jpg")));
            }
        }
        return root;
    }

    /**
     * The network's scores for one image file, computed without the loader or the evaluator: decode,
     * the pipeline, a forward pass in eval mode.
     */
    public static float[][] scoresOf(ConvNet net, Pipeline pipeline, Path file) throws IOException {
        float[] x = pipeline.apply(Decoder.decode(Files.readAllBytes(file), net.options().channels()), null);
        try (NDManager m = NDManager.newBaseManager()) {
            NDList out = net.forward(new ParameterStore(m, false),
                    new NDList(m.create(x, new Shape(1, net.options().channels(), net.options().height(), net.options().width()))), false);
            float[][] s = new float[out.size()][];
            for (int h = 0; h < s.length; h++) {
                s[h] = out.get(h).toFloatArray();
            }
            return s;
        }
    }
}
