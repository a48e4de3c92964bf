package org.convkit.spark.cli;

import java.util.ArrayList;
import java.util.List;
import org.convkit.cli.Main;

/**
 * The main class of convkit-spark-*-all.jar, for spark-submit: {@code spark-submit ...
 * convkit-spark-all.jar predict --checkpoint ... } runs {@code convkit spark predict ...}.
 */
public final class SparkMain {
    private SparkMain() {}

    public static void main(String[] args) {
        List<String> all = new ArrayList<>(List.of("spark"));
        all.addAll(List.of(args));
        System.exit(Main.run(all.toArray(String[]::new)));
    }
}
