package org.convkit.cli;

import org.convkit.eval.Tta;
import picocli.CommandLine.Option;

/** {@code --tta}, declared once for the commands that run a model on images (eval, predict, serve, the spark jobs). */
public final class TtaArgs {
    @Option(names = "--tta", paramLabel = "T", description = "Test-time augmentation: none, or flip (the mean of the logits of"
            + " each image and its left-right mirror; twice the work; not for digits or text) (default: none).")
    public String tta;

    /** {@code --tta} as given, checked. */
    public Tta tta() {
        return Tta.parse(tta, "--tta");
    }
}
