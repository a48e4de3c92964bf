package org.convkit.model.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What this machine says about itself: the CPU (model, ISA flags, cores), its caches as the kernel
 * and glibc report them, memory, the operating system. oneDNN picks its convolution kernels from
 * the same facts (ISA, cache sizes, thread count), so they are part of the self-check's
 * fingerprint, and {@code convkit doctor} prints them.
 *
 * <p>Read from Linux's {@code /proc} and {@code /sys} and from {@code getconf}; on other systems
 * the fields it cannot read stay empty.
 *
 * @param cpuModel "Intel(R) Xeon(R) Processor" ({@code model name})
 * @param vendor GenuineIntel, AuthenticAMD, ...
 * @param cpuId family/model/stepping as reported
 * @param flags the ISA flags, sorted ({@code avx512f}, {@code amx_tile}, ...)
 * @param logicalCpus processors this JVM may use
 * @param physicalCores cores as {@code /proc/cpuinfo} counts them (0 when unknown)
 * @param caches cpu0's caches as the kernel lists them (empty when the hypervisor reports none)
 * @param getconf glibc's cache figures ({@code getconf -a}: LEVEL1_DCACHE_SIZE ...), what CPUID says
 * @param memTotalBytes physical memory (0 when unknown)
 * @param memAvailableBytes memory available now (0 when unknown)
 * @param os name, version (kernel) and architecture
 */
public record Machine(
        String cpuModel,
        String vendor,
        String cpuId,
        List<String> flags,
        int logicalCpus,
        int physicalCores,
        List<Cache> caches,
        Map<String, String> getconf,
        long memTotalBytes,
        long memAvailableBytes,
        String os) {

    /** One cache as {@code /sys/devices/system/cpu/cpu0/cache/indexN} lists it. */
    public record Cache(int level, String type, String size, String ways, String sharedWith) {
        @Override
        public String toString() {
            return "L" + level + " " + type.toLowerCase(Locale.ROOT) + " " + size
                    + (ways.isEmpty() ? "" : " " + ways + "-way") + (sharedWith.isEmpty() ? "" : " (cpus " + sharedWith + ")");
        }
    }

    private static Machine cached;

    /** This machine (read once per process; memory figures are those of the first call). */
    public static synchronized Machine current() {
        if (cached == null) {
            cached = read();
        }
        return cached;
    }

    private static Machine read() {
        Map<String, String> cpu = firstCpu(lines(Path.of("/proc/cpuinfo")));
        List<String> flags = new ArrayList<>(Arrays.asList(cpu.getOrDefault("flags", cpu.getOrDefault("Features", ""))
                .trim().split("\\s+")));
        flags.removeIf(String::isEmpty);
        flags.sort(null);
        String model = cpu.getOrDefault("model name", System.getProperty("os.arch"));
        String id = cpu.containsKey("cpu family")
                ? "family " + cpu.get("cpu family") + " model " + cpu.getOrDefault("model", "?") + " stepping "
                        + cpu.getOrDefault("stepping", "?")
                : "";
        Map<String, Long> mem = memInfo(lines(Path.of("/proc/meminfo")));
        return new Machine(model, cpu.getOrDefault("vendor_id", ""), id, List.copyOf(flags),
                java.lang.Runtime.getRuntime().availableProcessors(), physicalCores(lines(Path.of("/proc/cpuinfo"))),
                caches(Path.of("/sys/devices/system/cpu/cpu0/cache")), getconfCaches(),
                mem.getOrDefault("MemTotal", 0L), mem.getOrDefault("MemAvailable", 0L),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
    }

    /** The flags that tell which vector units oneDNN can use (the rest of {@link #flags} is noise for people). */
    public List<String> isa() {
        List<String> out = new ArrayList<>();
        for (String f : flags) {
            if (f.startsWith("avx") || f.startsWith("amx") || f.startsWith("sse4") || f.equals("fma")
                    || f.equals("f16c") || f.startsWith("asimd") || f.equals("sve") || f.startsWith("sve2")
                    || f.equals("bf16") || f.equals("i8mm")) {
                out.add(f);
            }
        }
        return out;
    }

    /** The facts of this machine that change what oneDNN computes: part of the self-check's key. */
    Map<String, Object> fingerprint() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("cpu", cpuModel);
        f.put("vendor", vendor);
        f.put("cpuId", cpuId);
        f.put("flags", String.join(" ", flags));
        f.put("logicalCpus", logicalCpus);
        f.put("caches", caches.stream().map(Cache::toString).toList());
        f.put("getconf", new TreeMap<>(getconf));
        f.put("os", os);
        return f;
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The "key : value" lines of the first processor in /proc/cpuinfo. */
    private static Map<String, String> firstCpu(List<String> lines) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.isBlank()) {
                if (!m.isEmpty()) {
                    break;
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                m.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return m;
    }

    private static int physicalCores(List<String> lines) {
        Map<String, Integer> coresPerPackage = new TreeMap<>();
        String pkg = "0";
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String k = line.substring(0, colon).trim();
            String v = line.substring(colon + 1).trim();
            if (k.equals("physical id")) {
                pkg = v;
            } else if (k.equals("cpu cores")) {
                try {
                    coresPerPackage.put(pkg, Integer.parseInt(v));
                } catch (NumberFormatException ignored) {
                    // leave this package out
                }
            }
        }
        return coresPerPackage.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static Map<String, Long> memInfo(List<String> lines) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : lines) {
            String[] parts = line.split("[:\\s]+");
            if (parts.length >= 2) {
                try {
                    long v = Long.parseLong(parts[1]);
                    m.put(parts[0], parts.length >= 3 && parts[2].equalsIgnoreCase("kB") ? v * 1024 : v);
                } catch (NumberFormatException ignored) {
                    // not a number line
                }
            }
        }
        return m;
    }

    private static List<Cache> caches(Path dir) {
        List<Cache> out = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Path d = dir.resolve("index" + i);
            if (!Files.isDirectory(d)) {
                break;
            }
            try {
                out.add(new Cache(Integer.parseInt(text(d.resolve("level"))), text(d.resolve("type")),
                        text(d.resolve("size")), text(d.resolve("ways_of_associativity")),
                        text(d.resolve("shared_cpu_list"))));
            } catch (NumberFormatException e) {
                // an index without a level: not a cache the kernel describes
            }
        }
        return List.copyOf(out);
    }

    private static String text(Path p) {
        List<String> l = lines(p);
        return l.isEmpty() ? "" : l.get(0).trim();
    }

    /** {@code getconf -a}'s cache lines (glibc reads CPUID itself): what a hypervisor makes of them. */
    private static Map<String, String> getconfCaches() {
        Map<String, String> m = new TreeMap<>();
        try {
            Process p = new ProcessBuilder("getconf", "-a").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return m;
            }
            for (String line : out.split("\n")) {
                String[] kv = line.trim().split("\\s+", 2);
                if (kv[0].startsWith("LEVEL") && kv[0].contains("CACHE")) {
                    m.put(kv[0], kv.length > 1 ? kv[1].trim() : "");
                }
            }
        } catch (IOException e) {
            // no getconf (not glibc): the kernel's list is all there is
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return m;
    }
}
