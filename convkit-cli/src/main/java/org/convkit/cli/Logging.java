package org.convkit.cli;

/**
 * slf4j-simple reads its settings from system properties when the first logger is made; this runs
 * before that. Diagnostics go to stderr so stdout stays clean for tables and JSON.
 */
final class Logging {
    private Logging() {}

    static void configure(boolean debug) {
        set("org.slf4j.simpleLogger.logFile", "System.err");
        set("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "warn");
        set("org.slf4j.simpleLogger.log.org.convkit", debug ? "debug" : "info");
        // DJL probes for CUDA at start-up and warns when there is none; --device cuda says it clearly
        set("org.slf4j.simpleLogger.log.ai.djl.util.cuda", debug ? "debug" : "error");
        set("org.slf4j.simpleLogger.showThreadName", "false");
        set("org.slf4j.simpleLogger.showLogName", debug ? "true" : "false");
        set("org.slf4j.simpleLogger.showShortLogName", "false");
        set("org.slf4j.simpleLogger.levelInBrackets", "false");
    }

    private static void set(String k, String v) {
        if (System.getProperty(k) == null) {
            System.setProperty(k, v);
        }
    }
}
