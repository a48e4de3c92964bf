package org.convkit.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.launcher.JavaModuleOptions;
import org.convkit.TestPaths;
import org.junit.jupiter.api.Test;

/**
 * The JVM options Spark's own launcher adds on Java 17 (what spark-submit gives the JVMs it starts)
 * are given to the JVMs that start Spark without it: these tests' (surefire's argLine) and {@code
 * ./convkit spark}'s (target/launch/java.options). A Spark upgrade that needs one more fails here,
 * not in a user's job.
 */
class SparkJvmOptionsTest {
    /** Spark's ML library's option: nothing on this class path uses the vector API (see the pom). */
    private static final String LEFT_OUT = "--add-modules=jdk.incubator.vector";

    @Test
    void sparksModuleOptionsReachTheTestJvmAndTheLauncher() throws Exception {
        List<String> spark = List.of(JavaModuleOptions.defaultModuleOptions().trim().split("\\s+"));
        assertTrue(spark.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), spark.toString());
        List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments();
        Path file = TestPaths.repo().resolve("convkit-spark/target/launch/java.options");
        List<String> launcher = List.of(Files.readString(file).trim().split("\\s+"));
        for (String option : spark) {
            if (option.equals(LEFT_OUT)) {
                continue;
            }
            assertTrue(jvm.contains(option), "the test JVM lacks " + option + " (surefire argLine): " + jvm);
            assertTrue(launcher.contains(option), file + " lacks " + option);
        }
    }
}
