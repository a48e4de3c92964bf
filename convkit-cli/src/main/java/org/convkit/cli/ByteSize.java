package org.convkit.cli;

import java.util.Locale;
import picocli.CommandLine;

/** Parses sizes like "128MB", "1GB", "512k", "4096" (powers of 1024, as file sizes are shown). */
public final class ByteSize implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT).replace("IB", "B");
        long mul = 1;
        for (String[] u : new String[][] {{"KB", "1024"}, {"MB", "1048576"}, {"GB", "1073741824"}, {"K", "1024"}, {"M", "1048576"},
                {"G", "1073741824"}, {"B", "1"}}) {
            if (v.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                v = v.substring(0, v.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            return Math.round(Double.parseDouble(v) * mul);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size; use e.g. 128MB, 1GB, 500k");
        }
    }
}
