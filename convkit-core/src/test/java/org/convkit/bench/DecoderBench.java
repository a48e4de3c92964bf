package org.convkit.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.convkit.data.image.Decoder;

/**
 * Single-thread decode speed of each available backend on real JPEGs, rounds alternating
 * A B C A B C, each at least 2 s. Usage: DecoderBench DIR [LIMIT] [ROUNDS]. Prints img/s per round and the median.
 */
public final class DecoderBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        List<byte[]> files = new ArrayList<>();
        for (Path p : new FileSource(dir).files()) {
            if (files.size() == limit) {
                break;
            }
            files.add(Files.readAllBytes(p));
        }
        Decoder.Backend[] backends = java.util.Arrays.stream(
                        new Decoder.Backend[] {Decoder.Backend.TURBOJPEG, Decoder.Backend.OPENCV, Decoder.Backend.IMAGEIO})
                .filter(Decoder.Backend::available)
                .toArray(Decoder.Backend[]::new);
        double[][] rates = new double[backends.length][rounds];
        for (Decoder.Backend b : backends) {
            run(files, b, 1); // warm-up
        }
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < backends.length; i++) {
                rates[i][r] = run(files, backends[i], 2.0);
                System.out.printf("round %d %-8s %9.1f img/s%n", r, backends[i], rates[i][r]);
            }
        }
        for (int i = 0; i < backends.length; i++) {
            double[] s = rates[i].clone();
            java.util.Arrays.sort(s);
            System.out.printf("median %-9s %9.1f img/s  (%d images, %s)%n", backends[i], s[s.length / 2], files.size(), dir);
        }
    }

    /** Decodes the files in a loop for at least {@code seconds}; img/s. */
    private static double run(List<byte[]> files, Decoder.Backend backend, double seconds) throws Exception {
        long t = System.nanoTime();
        long sink = 0;
        int n = 0;
        do {
            for (byte[] b : files) {
                sink += Decoder.decode(b, 3, backend).data()[0];
                n++;
            }
        } while (System.nanoTime() - t < seconds * 1e9);
        double s = (System.nanoTime() - t) / 1e9;
        if (sink == 42) {
            System.out.print("");
        }
        return n / s;
    }
}
