package org.convkit.cli;

import java.nio.file.Path;
import org.convkit.data.OpenOptions;
import picocli.CommandLine.Option;

/**
 * Where a dataset's labels and images are, declared once for every command that reads data
 * ({@code train}, {@code finetune}, {@code lr-find}, {@code eval}, {@code predict}, {@code data
 * ...}). The class names ({@code --class-names}) are {@link ClassNamesArgs}, which commands that
 * also run a model share with the model.
 */
public final class DataArgs {
    @Option(names = "--images", paramLabel = "DIR",
            description = "Folder that the paths of a label file are relative to (default: the --data folder with"
                    + " --labels, else a folder named like the label file next to it, else the label file's folder).")
    public Path images;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "The labels of the --data images: a CSV (path,label), a Tianchi JSON or a JSON map"
                    + " {\"file.jpg\": \"label\"}; its split is the one its name says (val.csv), else train.")
    public Path labels;

    @Option(names = "--labels-from", paramLabel = "REGEX|PRESET",
            description = "Labels from file names: a regular expression with one capture group, searched in each file"
                    + " name, or a preset: class.N.ext (Kaggle's cat.0.jpg), class_N.ext (Food-11's 3_117.jpg).")
    public String labelsFrom;

    @Option(names = "--no-download",
            description = "Never install or download a named dataset (fashion-mnist); fail saying how.")
    public boolean noDownload;

    /**
     * {@code o} with these options set (those not given keep {@code o}'s values). {@code --labels}
     * and {@code --labels-from} are one choice, where the labels come from: either replaces both.
     */
    public OpenOptions applyTo(OpenOptions o) {
        OpenOptions r = o;
        if (labels != null || labelsFrom != null) {
            r = r.withLabels(labels).withLabelsFrom(labelsFrom);
        }
        if (images != null) {
            r = r.withImages(images);
        }
        return noDownload ? r.withAcquire(false) : r;
    }

    /** {@code o} with these options and the command's {@code --class-names} set (those not given keep {@code o}'s). */
    public OpenOptions applyTo(OpenOptions o, ClassNamesArgs classNames) {
        OpenOptions r = applyTo(o);
        return classNames.classNames != null ? r.withClasses(classNames.names()) : r;
    }
}
