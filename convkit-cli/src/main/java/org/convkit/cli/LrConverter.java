package org.convkit.cli;

import org.convkit.core.ConvkitException;
import org.convkit.train.LrAuto;
import picocli.CommandLine;

/** {@code --lr 0.1} or {@code --lr auto}, parsed by {@link LrAuto}. */
final class LrConverter implements CommandLine.ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
        try {
            return LrAuto.parse(value, "--lr");
        } catch (ConvkitException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
