package org.convkit.data.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.convkit.core.ConvkitException;

/**
 * Gets Fashion-MNIST when it is absent: on Debian as root, installs the {@code
 * dataset-fashion-mnist} package; otherwise (or when apt fails) downloads Zalando's four files
 * into {@code $CONVKIT_DATA/fashion-mnist}, each checked against the MD5 published in their README
 * and written atomically.
 */
public final class FashionMnistFetch {
    /** Zalando's published MD5 of each gzipped file (github.com/zalandoresearch/fashion-mnist README). */
    public static final Map<String, String> MD5 = published();

    /** Zalando's GitHub raw folder first, then their S3 mirror. */
    public static final List<URI> MIRRORS = List.of(
            URI.create("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"),
            URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"));

    public static final String APT_COMMAND = "apt-get install -y dataset-fashion-mnist";

    private FashionMnistFetch() {}

    /**
     * Where and how to get it.
     *
     * @param target the folder to download into ($CONVKIT_DATA/fashion-mnist)
     * @param systemDir where the Debian package puts it (/usr/share/datasets/fashion-mnist)
     * @param useApt try apt-get first (Debian as root)
     * @param debian this is Debian or a derivative with apt-get
     * @param mirrors base URLs, tried in order
     * @param md5 file name -> expected MD5
     */
    public record Plan(Path target, Path systemDir, boolean useApt, boolean debian, List<URI> mirrors, Map<String, String> md5) {
        public static Plan standard(Path dataHome) {
            boolean debian = Files.isRegularFile(Path.of("/etc/debian_version")) && onPath("apt-get");
            return new Plan(dataHome.resolve("fashion-mnist"), NamedDatasets.DEBIAN_DATASETS.resolve("fashion-mnist"),
                    debian && isRoot(), debian, MIRRORS, MD5);
        }
    }

    /** Makes Fashion-MNIST present and returns its folder. */
    public static Path acquire(Plan plan, PrintStream log) {
        if (plan.useApt()) {
            log.println("convkit: Fashion-MNIST is not installed; installing Debian's package: " + APT_COMMAND);
            if (runApt(log) && NamedDatasets.complete("fashion-mnist", plan.systemDir())) {
                log.println("convkit: Fashion-MNIST installed in " + plan.systemDir());
                return plan.systemDir();
            }
            log.println("convkit: apt-get did not install it (see above); downloading it instead");
        } else if (plan.debian()) {
            log.println("convkit: Fashion-MNIST is not installed. To install it for every user, run as root: " + APT_COMMAND);
        }
        log.println("convkit: downloading Fashion-MNIST (4 files, 30 MB) into " + plan.target()
                + " from " + plan.mirrors().get(0) + ", checking Zalando's published MD5 checksums");
        for (Map.Entry<String, String> f : plan.md5().entrySet()) {
            Path dest = plan.target().resolve(f.getKey());
            if (Files.isRegularFile(dest) && md5Matches(dest, f.getValue())) {
                continue;
            }
            List<URI> urls = new ArrayList<>();
            for (URI base : plan.mirrors()) {
                urls.add(base.resolve(f.getKey()));
            }
            Download.Result r = Download.fetch(urls, dest, f.getValue());
            log.println("convkit: " + dest + " ok (" + r.bytes() + " bytes, md5 " + f.getValue() + ", sha256 " + r.sha256() + ")");
        }
        return plan.target();
    }

    private static boolean md5Matches(Path file, String md5) {
        try {
            return Download.md5(file).equalsIgnoreCase(md5);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean runApt(PrintStream log) {
        try {
            Process p = new ProcessBuilder("apt-get", "install", "-y", "dataset-fashion-mnist")
                    .redirectErrorStream(true)
                    .start();
            // apt's own output is diagnostics: it goes where ours goes, never to stdout
            try (InputStream in = p.getInputStream()) {
                in.transferTo(log);
            }
            return p.waitFor() == 0;
        } catch (IOException e) {
            log.println("convkit: cannot run apt-get: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConvkitException("interrupted while installing Fashion-MNIST", e);
        }
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall back to the user name
        }
        return "root".equals(System.getProperty("user.name"));
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, String> published() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d");
        m.put("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe");
        m.put("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79");
        m.put("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310");
        return java.util.Collections.unmodifiableMap(m);
    }
}
