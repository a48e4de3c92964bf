package org.convkit.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process, as the kernel counts it (native tensors included). */
public final class Memory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private Memory() {}

    /** VmRSS in MiB from /proc/self/status, or 0 where there is no /proc (not Linux). */
    public static double rssMb() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring(6).trim().split("\\s+")[0];
                    return Long.parseLong(kb) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
