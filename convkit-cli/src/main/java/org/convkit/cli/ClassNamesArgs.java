package org.convkit.cli;

import java.util.List;
import org.convkit.data.ClassNames;
import picocli.CommandLine.Option;

/**
 * {@code --class-names}: the class names in order ({@link ClassNames}), one meaning on every
 * command. Its own mixin, declared once: a command that reads data and runs a model (eval) has one
 * {@code --class-names}, which both use.
 */
public final class ClassNamesArgs {
    @Option(names = "--class-names", paramLabel = "a,b,c|@FILE|imagenet",
            description = "The class names in order: comma-separated, @FILE with one name per line, or imagenet"
                    + " (torchvision's 1000 ImageNet classes, for torchvision's weights).")
    public String classNames;

    /** The names given, or an empty list when the option was not. */
    public List<String> names() {
        return classNames == null ? List.of() : ClassNames.parse(classNames, "--class-names");
    }
}
