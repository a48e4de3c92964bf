package org.convkit.examples;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.convkit.eval.CheckpointEvaluation;
import org.convkit.eval.Prediction;
import org.convkit.eval.ResultText;
import org.convkit.model.weights.ModelSource;
import org.convkit.train.TrainConfig;
import org.convkit.train.run.Training;

/**
 * convkit used as a library, from a project of its own: train a small CNN on a generated
 * two-class image folder, evaluate the best checkpoint on the test split, predict a folder of
 * unlabeled images to a CSV. Exits 1 when the result is not what so easy a task must give.
 */
public final class TrainEvaluatePredict {
    private TrainEvaluatePredict() {}

    public static void main(String[] args) throws IOException {
        Path work = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("convkit-example");
        Path data = work.resolve("squares");
        Path unlabeled = work.resolve("to-predict");
        writeImages(data, unlabeled);

        TrainConfig config = TrainConfig.builder().data(data.toString()).model("simplecnn").arch("8,16").fc("")
                .epochs(4).batchSize(8).lr(0.05).seed(1L).threads(2).workers(1)
                .runsDir(work.resolve("runs").toString()).run("squares").build();
        Training.Outcome run = Training.run(config, System.out);

        ModelSource model = ModelSource.checkpoint(run.runDir());
        CheckpointEvaluation.Outcome eval = CheckpointEvaluation.run(model, CheckpointEvaluation.Options.defaults());
        System.out.print(ResultText.of(eval.result()));

        Path csv = work.resolve("predictions.csv");
        Prediction.Outcome predicted;
        try (Writer w = Files.newBufferedWriter(csv)) {
            predicted = Prediction.run(model, unlabeled, w, Prediction.Options.defaults());
        }
        List<String> rows = Files.readAllLines(csv);
        System.out.println("predictions: " + csv + " (" + predicted.rows() + " rows), e.g. " + rows.subList(1, 3));

        if (eval.result().accuracy() < 0.9 || predicted.rows() != 10 || rows.size() != 11) {
            System.err.println("example failed: test accuracy " + eval.result().accuracy() + ", " + predicted.rows()
                    + " predictions");
            System.exit(1);
        }
    }

    /** train/ and test/ of class folders (a bright square top left or bottom right on noise), and 10 unlabeled images. */
    private static void writeImages(Path data, Path unlabeled) throws IOException {
        Random r = new Random(7);
        String[] classes = {"left", "right"};
        for (String split : List.of("train", "test")) {
            int n = split.equals("train") ? 40 : 10;
            for (int c = 0; c < 2; c++) {
                Path dir = Files.createDirectories(data.resolve(split).resolve(classes[c]));
                for (int i = 0; i < n; i++) {
                    ImageIO.write(square(c, r), "png", dir.resolve(i + ".png").toFile());
                }
            }
        }
        Files.createDirectories(unlabeled);
        for (int i = 0; i < 10; i++) {
            ImageIO.write(square(i % 2, r), "png", unlabeled.resolve("img" + i + ".png").toFile());
        }
    }

    private static BufferedImage square(int c, Random r) {
        int size = 16;
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int v = 40 + r.nextInt(60);
                img.setRGB(x, y, new Color(v, v, v).getRGB());
            }
        }
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(240, 220, 60));
        int o = c == 0 ? 1 : size / 2 - 1;
        g.fillRect(o + r.nextInt(2), o + r.nextInt(2), size / 2, size / 2);
        g.dispose();
        return img;
    }
}
