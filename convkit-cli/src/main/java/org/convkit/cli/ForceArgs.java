package org.convkit.cli;

import picocli.CommandLine.Option;

/**
 * {@code --force}, declared once for the commands that create {@code --out} and refuse to write over
 * one that exists ({@code data pack}, {@code spark pack}, {@code spark predict}).
 */
public final class ForceArgs {
    @Option(names = "--force", description = "Replace --out if it exists.")
    public boolean force;
}
