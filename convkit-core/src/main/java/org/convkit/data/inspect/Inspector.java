package org.convkit.data.inspect;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.convkit.core.InOrder;
import org.convkit.core.Progress;
import org.convkit.data.Dataset;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;
import org.convkit.data.image.Decoder;
import org.convkit.data.image.ImageHeader;

/**
 * Reads every sample of a dataset once and reports classes and counts per split, image sizes and
 * modes, files that do not decode, class imbalance and duplicates across splits (same SHA-256 of
 * the stored bytes, or of the pixels for raw datasets). Samples are checked on all cores; the
 * report's order does not depend on the thread count.
 */
public final class Inspector {
    /** Imbalance (largest / smallest class) from which a warning is printed. */
    public static final double IMBALANCE_WARNING = 3.0;

    static final int TINY = 8;
    private static final int MAX_SIZES = 20;

    private Inspector() {}

    /** What one sample turned out to be. */
    private record Look(String id, String format, String size, String mode, String sha256, int label, String error) {}

    public static InspectReport inspect(Dataset ds, int threads) {
        List<InspectReport.SplitReport> splits = new ArrayList<>();
        List<InspectReport.Duplicate> cross = new ArrayList<>();
        List<String> warnings = new ArrayList<>(ds.warnings());
        Map<String, String[]> seen = new HashMap<>(); // sha256 -> {split, id}
        int duplicates = 0;
        for (String split : ds.splitNames()) {
            ImageSource src = ds.split(split);
            Look[] looks = look(src, split, threads);
            splits.add(summarize(split, ds.classes(), src, looks, warnings));
            for (Look l : looks) {
                if (l.sha256() == null) {
                    continue;
                }
                String[] first = seen.putIfAbsent(l.sha256(), new String[] {split, l.id()});
                if (first != null) {
                    duplicates++;
                    if (!first[0].equals(split)) {
                        cross.add(new InspectReport.Duplicate(l.sha256(), first[0], first[1], split, l.id()));
                    }
                }
            }
        }
        if (!cross.isEmpty()) {
            warnings.add(cross.size() + " sample(s) appear in two splits with identical bytes (e.g. " + cross.get(0).firstSplit() + " "
                    + cross.get(0).firstId() + " = " + cross.get(0).secondSplit() + " " + cross.get(0).secondId()
                    + "): evaluation scores will be too optimistic");
        }
        if (duplicates > cross.size()) {
            warnings.add((duplicates - cross.size()) + " sample(s) repeat another one of the same split byte for byte");
        }
        if (!ds.skipped().isEmpty()) {
            warnings.add(ds.skipped().size() + " file(s) were left out when opening (listed under skipped)");
        }
        return new InspectReport(ds.name(), ds.classes(), ds.heads(), splits, cross, duplicates, ds.skipped(), warnings, ds.layout());
    }

    /** Every sample looked at once, on {@code threads} threads, in index order. */
    private static Look[] look(ImageSource src, String split, int threads) {
        Look[] out = new Look[src.size()];
        try (Progress bar = new Progress("inspect " + split, out.length, "img")) {
            int i = 0;
            for (Look l : new InOrder<>(out.length, threads, j -> lookAt(src, j))) {
                out[i++] = l;
                bar.advance(1);
            }
        }
        return out;
    }

    private static Look lookAt(ImageSource src, int i) {
        Sample s;
        try {
            s = src.get(i);
        } catch (IOException e) {
            return new Look(src.location(i), null, null, null, null, -1, e.getMessage());
        }
        int label = s.labels().length > 0 ? s.labels()[0] : -1;
        if (s.pixels() != null) {
            var p = s.pixels();
            return new Look(s.id(), "raw", p.width() + "x" + p.height(), p.channels() == 1 ? "L" : "RGB", sha256(p.data()), label, null);
        }
        String hash = sha256(s.encoded());
        ImageHeader info;
        try {
            info = ImageProbe.probe(s.encoded());
        } catch (IOException e) {
            return new Look(s.id(), null, null, null, hash, label, e.getMessage());
        }
        try {
            // the real test of a file: decode it as training will
            var img = Decoder.decode(s.encoded(), 3);
            String size = info.width() > 0 ? info.width() + "x" + info.height() : img.width() + "x" + img.height();
            return new Look(s.id(), info.format(), size, info.mode(), hash, label, null);
        } catch (IOException | RuntimeException e) {
            return new Look(s.id(), info.format(), null, info.mode(), hash, label, "does not decode: " + e.getMessage());
        }
    }

    private static InspectReport.SplitReport summarize(String split, List<String> classes, ImageSource src, Look[] looks, List<String> warnings) {
        int[] counts = new int[classes.size()];
        Map<String, Integer> sizes = new HashMap<>();
        Map<String, Integer> modes = new HashMap<>();
        Map<String, Integer> formats = new HashMap<>();
        List<InspectReport.Problem> bad = new ArrayList<>();
        List<String> tiny = new ArrayList<>();
        for (int i = 0; i < looks.length; i++) {
            Look l = looks[i];
            if (l.label() >= 0 && l.label() < counts.length) {
                counts[l.label()]++;
            }
            if (l.error() != null) {
                bad.add(new InspectReport.Problem(l.id(), src.location(i), l.error()));
                continue;
            }
            sizes.merge(l.size(), 1, Integer::sum);
            modes.merge(l.mode(), 1, Integer::sum);
            formats.merge(l.format(), 1, Integer::sum);
            String[] wh = l.size().split("x");
            if (Integer.parseInt(wh[0]) < TINY || Integer.parseInt(wh[1]) < TINY) {
                tiny.add(l.id());
            }
        }
        Map<String, Integer> classCounts = new LinkedHashMap<>();
        int max = 0;
        int min = Integer.MAX_VALUE;
        for (int c = 0; c < counts.length; c++) {
            classCounts.put(classes.get(c), counts[c]);
            max = Math.max(max, counts[c]);
            min = Math.min(min, counts[c]);
        }
        Double imbalance = null;
        if (counts.length > 1 && looks.length > 0) {
            if (min == 0) {
                List<String> empty = new ArrayList<>();
                for (int c = 0; c < counts.length; c++) {
                    if (counts[c] == 0) {
                        empty.add(classes.get(c));
                    }
                }
                warnings.add(split + ": class(es) without samples: " + String.join(", ", empty));
            } else {
                imbalance = (double) max / min;
                if (imbalance >= IMBALANCE_WARNING) {
                    warnings.add(String.format(Locale.ROOT, "%s: classes are imbalanced, largest/smallest = %d/%d = %.1f"
                            + " (consider class weights or resampling)", split, max, min, imbalance));
                }
            }
        }
        if (!bad.isEmpty()) {
            warnings.add(split + ": " + bad.size() + " sample(s) cannot be read (e.g. " + bad.get(0).file() + ": " + bad.get(0).reason() + ")");
        }
        if (!tiny.isEmpty()) {
            warnings.add(split + ": " + tiny.size() + " image(s) smaller than " + TINY + " pixels on a side (e.g. " + tiny.get(0) + ")");
        }
        return new InspectReport.SplitReport(split, looks.length, classCounts, imbalance, top(sizes), top(modes), top(formats), bad, tiny);
    }

    /** Most frequent first; beyond {@link #MAX_SIZES} entries the rest are summed under "other". */
    private static Map<String, Integer> top(Map<String, Integer> m) {
        List<Map.Entry<String, Integer>> es = new ArrayList<>(m.entrySet());
        es.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        Map<String, Integer> out = new LinkedHashMap<>();
        int other = 0;
        for (int i = 0; i < es.size(); i++) {
            if (i < MAX_SIZES) {
                out.put(es.get(i).getKey(), es.get(i).getValue());
            } else {
                other += es.get(i).getValue();
            }
        }
        if (other > 0) {
            out.put("other", other);
        }
        return out;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
