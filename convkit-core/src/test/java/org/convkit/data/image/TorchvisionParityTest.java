package org.convkit.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.convkit.data.Image;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * convkit's decoder and transforms against PIL + torchvision 0.14 (Debian's, the oracle) on real
 * images: CIFAR-10 JPEGs and photos from Debian's mate-backgrounds, stored as PNG so decoders
 * cannot differ. Deterministic transforms must agree to 1/255 mean absolute difference; random
 * transforms are given the parameters our samplers drew.
 */
@Tag("integration")
class TorchvisionParityTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Path CIFAR = org.convkit.SharedData.cifar10Jpg();
    private static final Path PHOTOS = Path.of("/usr/share/backgrounds/mate/nature");
    private static final double TOLERANCE = 1.0 / 255;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static List<Path> pngs = new ArrayList<>();
    static List<Path> decodeCases = new ArrayList<>();

    @BeforeAll
    static void fixtures() throws Exception {
        org.convkit.Needs.torch();
        org.convkit.Needs.need(python("-c", "import PIL").exitCode == 0, PYTHON + " with PIL (apt-get install python3-pil)");
        Path tgz = CIFAR;
        org.convkit.Needs.optional(Files.exists(tgz), "CIFAR-10 JPEGs at " + CIFAR + " (see shared/datasets/README.md)");
        List<String> args = new ArrayList<>(List.of(script().toString(), "fixtures", dir.toString(), tgz.toString()));
        if (org.convkit.Needs.has(Files.isDirectory(PHOTOS), PHOTOS + " (apt-get install mate-backgrounds)")) {
            try (Stream<Path> s = Files.list(PHOTOS)) {
                s.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(3).forEach(p -> args.add(p.toString()));
            }
        } else {
            System.out.println("photos: " + PHOTOS + " absent (apt-get install mate-backgrounds); CIFAR images only");
        }
        Result r = python(args.toArray(String[]::new));
        assertEquals(0, r.exitCode, r.output);
        JsonNode files = JSON.readTree(r.output.lines().reduce((a, b) -> b).orElseThrow());
        files.get("pngs").forEach(n -> pngs.add(Path.of(n.asText())));
        files.get("decode").forEach(n -> decodeCases.add(Path.of(n.asText())));
    }

    @Test
    void decoderMatchesPil() throws IOException {
        System.out.println("decoders: " + Decoder.backendName());
        System.out.println("decoder vs PIL convert('RGB') + exif_transpose, mean/max |diff| in 0..255 levels:");
        for (Path p : decodeCases) {
            JsonNode size = JSON.readTree(Files.readString(Path.of(p + ".json")));
            byte[] ref = Files.readAllBytes(Path.of(p + ".rgb"));
            byte[] bytes = Files.readAllBytes(p);
            boolean jpeg = p.toString().endsWith(".jpg");
            for (Decoder.Backend backend : Decoder.Backend.values()) {
                if (!backend.available()
                        || backend == Decoder.Backend.TURBOJPEG && (!jpeg || p.toString().endsWith("cmyk.jpg"))
                        || backend == Decoder.Backend.OPENCV && p.toString().endsWith(".gif")
                        || backend == Decoder.Backend.IMAGEIO && p.toString().endsWith(".webp")) {
                    continue; // not installed here, or a format that backend does not read
                }
                Image img = Decoder.decode(bytes, 3, backend);
                String name = p.getFileName() + " [" + backend.name().toLowerCase() + "]";
                assertEquals(size.get("width").asInt(), img.width(), name + " width (EXIF orientation?)");
                assertEquals(size.get("height").asInt(), img.height(), name + " height");
                double[] d = diff(img.data(), ref);
                System.out.printf("  %-28s mean %.4f  max %.0f%n", name, d[0], d[1]);
                // OpenCV converts CMYK one level off PIL; AUTO sends CMYK JPEGs to TwelveMonkeys for that reason
                double allowed = backend == Decoder.Backend.OPENCV && p.toString().endsWith("cmyk.jpg") ? 1.0 : 0.5;
                assertTrue(d[0] <= allowed, name + ": mean difference " + d[0] + " levels");
            }
        }
    }

    @Test
    void transformsMatchTorchvision() throws Exception {
        List<Case> cases = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(7);
        for (Path png : pngs) {
            Image img = Decoder.decode(Files.readAllBytes(png), 3);
            boolean small = img.width() <= 64;
            String in = png.toString();
            // deterministic
            cases.add(mk("totensor", in, List.of(), null, x -> x));
            cases.add(mk("normalize", in, List.of(), Normalize.preset("imagenet"), x -> x));
            cases.add(mk("resize shorter up", in, List.of(op("resize", "size", List.of(small ? 224 : 900))), null,
                    x -> Resize.shorterSide(small ? 224 : 900).apply(x)));
            cases.add(mk("resize shorter down", in, List.of(op("resize", "size", List.of(small ? 20 : 224))), null,
                    x -> Resize.shorterSide(small ? 20 : 224).apply(x)));
            cases.add(mk("resize HxW up", in, List.of(op("resize", "size", List.of(small ? 48 : 700, small ? 40 : 1000))), null,
                    x -> Resize.to(small ? 48 : 700, small ? 40 : 1000).apply(x)));
            cases.add(mk("resize HxW down", in, List.of(op("resize", "size", List.of(small ? 17 : 150, small ? 25 : 203))), null,
                    x -> Resize.to(small ? 17 : 150, small ? 25 : 203).apply(x)));
            int[] cc = small ? new int[] {23, 27} : new int[] {301, 257};
            cases.add(mk("centercrop", in, List.of(op("centercrop", "size", List.of(cc[0], cc[1]))), null,
                    x -> new CenterCrop(cc[0], cc[1]).apply(x)));
            int[] big = small ? new int[] {41, 36} : new int[] {img.height() + 11, img.width() + 4};
            cases.add(mk("centercrop padded", in, List.of(op("centercrop", "size", List.of(big[0], big[1]))), null,
                    x -> new CenterCrop(big[0], big[1]).apply(x)));
            cases.add(mk("resize+centercrop+normalize", in,
                    List.of(op("resize", "size", List.of(small ? 32 : 256)), op("centercrop", "size", List.of(small ? 32 : 224))),
                    Normalize.preset("imagenet"), x -> Presets.eval(small ? 32 : 224, Normalize.NONE).transform(x, null)));
            cases.add(mk("grayscale 1", in, List.of(op("grayscale", "channels", 1)), null, x -> new Grayscale(1).apply(x, null)));
            cases.add(mk("grayscale 3", in, List.of(op("grayscale", "channels", 3)), null, x -> new Grayscale(3).apply(x, null)));
            cases.add(mk("hflip", in, List.of(op("hflip")), null, x -> RandomFlip.horizontal(1).apply(x, true)));
            cases.add(mk("vflip", in, List.of(op("vflip")), null, x -> RandomFlip.vertical(1).apply(x, true)));
            // random, with the parameters our samplers drew
            for (int k = 0; k < 3; k++) {
                int s = small ? 32 : 224;
                RandomResizedCrop rrc = new RandomResizedCrop(s, s);
                RandomResizedCrop.Box box = rrc.sample(img.height(), img.width(), rng);
                Map<String, Object> o = op("resized_crop", "top", box.top(), "left", box.left());
                o.put("height", box.height());
                o.put("width", box.width());
                o.put("size", List.of(s, s));
                cases.add(mk("randomresizedcrop", in, List.of(o), null, x -> rrc.apply(x, box)));

                RandomCrop rc = small
                        ? new RandomCrop(32, 32, new int[] {4}, false, new int[] {0})
                        : new RandomCrop(224, 224, new int[] {8, 3}, true, new int[] {0});
                Image padded = rc.pad(img);
                RandomCrop.Offset at = rc.sample(padded.height(), padded.width(), rng);
                List<Integer> pad = small ? List.of(4, 4, 4, 4) : List.of(8, 3, 8, 3);
                Map<String, Object> pc = op("pad_crop", "padding", pad, "top", at.top());
                pc.put("left", at.left());
                pc.put("height", rc.fixedSize()[0]);
                pc.put("width", rc.fixedSize()[1]);
                cases.add(mk("randomcrop", in, List.of(pc), null, x -> rc.crop(rc.pad(x), at)));

                // the other padding modes, with borders wider than a thumbnail (np.pad repeats them)
                PaddingMode mode = PaddingMode.values()[1 + k];
                int[] wide = small ? new int[] {6, 40, 3, 2} : new int[] {16, 5, 9, 30};
                RandomCrop rm = new RandomCrop(small ? 32 : 224, small ? 32 : 224, wide, false, new int[] {0}, mode);
                Image paddedM = rm.pad(img);
                RandomCrop.Offset atM = rm.sample(paddedM.height(), paddedM.width(), rng);
                Map<String, Object> pm = op("pad_crop", "padding", List.of(wide[0], wide[1], wide[2], wide[3]), "top", atM.top());
                pm.put("left", atM.left());
                pm.put("height", rm.fixedSize()[0]);
                pm.put("width", rm.fixedSize()[1]);
                pm.put("padding_mode", mode.token());
                cases.add(mk("randomcrop " + mode.token(), in, List.of(pm), null, x -> rm.crop(rm.pad(x), atM)));

                ColorJitter cj = new ColorJitter(0.4, 0.4, 0.4, 0.1);
                ColorJitter.Params p = cj.sample(rng);
                Map<String, Object> jo = op("jitter", "order", List.of(p.order()[0], p.order()[1], p.order()[2], p.order()[3]));
                jo.put("brightness", p.brightness());
                jo.put("contrast", p.contrast());
                jo.put("saturation", p.saturation());
                jo.put("hue", p.hue());
                cases.add(mk("colorjitter", in, List.of(jo), null, x -> cj.apply(x, p)));

                RandomRotation rot = new RandomRotation(-30, 30, new int[] {0});
                double angle = k == 0 ? 90 : rot.sample(rng);
                cases.add(mk("rotation", in, List.of(op("rotate", "angle", angle)), null,
                        x -> RandomRotation.rotate(x, angle, new int[] {0})));
            }
            for (double h : new double[] {-0.5, -0.21, 0.07, 0.5}) { // hue extremes and negative shifts
                Map<String, Object> jo = op("jitter", "order", List.of(3, 0, 1, 2));
                jo.put("hue", h);
                cases.add(mk("hue", in, List.of(jo), null, x -> ColorJitter.hue(x, h)));
            }
        }
        runOracle(cases);
        Map<String, double[]> byName = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            Image img = Decoder.decode(Files.readAllBytes(Path.of(c.input)), 3);
            Image out = c.ours.apply(img);
            Normalize n = c.normalize == null ? Normalize.NONE : c.normalize;
            float[] mine = new float[out.channels() * out.height() * out.width()];
            n.toTensor(out, mine, 0);
            String shape = Files.readString(Path.of(c.out + ".shape")).trim();
            assertEquals(out.channels() + " " + out.height() + " " + out.width(), shape, c.name + " on " + c.input + ": shape");
            float[] ref = readFloats(Path.of(c.out));
            double sum = 0;
            double max = 0;
            for (int i = 0; i < ref.length; i++) {
                double d = Math.abs(ref[i] - mine[i]);
                sum += d;
                max = Math.max(max, d);
            }
            double mean = sum / ref.length;
            double[] agg = byName.computeIfAbsent(c.name, k -> new double[3]);
            agg[0] += mean;
            agg[1] = Math.max(agg[1], max);
            agg[2]++;
            if (mean > TOLERANCE) {
                failures.add(String.format("%s on %s: mean %.5f max %.4f", c.name, Path.of(c.input).getFileName(), mean, max));
            }
        }
        System.out.println("transforms vs torchvision 0.14 + PIL (tensor units, 1/255 = 0.00392), over " + pngs.size() + " images:");
        byName.forEach((k, v) -> System.out.printf("  %-30s mean %.6f  max %.6f  (%d cases)%n", k, v[0] / v[2], v[1], (int) v[2]));
        assertTrue(failures.isEmpty(), "cases above 1/255 mean difference:\n" + String.join("\n", failures));
    }

    private record Case(
            String name, String input, List<Map<String, Object>> ops, Normalize normalize, UnaryOperator<Image> ours, String out) {}

    private static int counter;

    private static Case mk(String name, String input, List<Map<String, Object>> ops, Normalize normalize, UnaryOperator<Image> ours) {
        return new Case(name, input, ops, normalize, ours, dir.resolve("out_" + (counter++) + ".f32").toString());
    }

    private static void runOracle(List<Case> cases) throws Exception {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Case c : cases) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("input", c.input);
            m.put("ops", c.ops);
            if (c.normalize != null) {
                m.put("normalize", Map.of("mean", floats(c.normalize.mean()), "std", floats(c.normalize.std())));
            }
            m.put("out", c.out);
            list.add(m);
        }
        Path job = dir.resolve("job.json");
        JSON.writeValue(job.toFile(), Map.of("cases", list));
        Result r = python(script().toString(), "run", job.toString());
        assertEquals(0, r.exitCode, r.output);
    }

    private static List<Double> floats(float[] v) {
        List<Double> l = new ArrayList<>();
        for (float f : v) {
            l.add((double) f);
        }
        return l;
    }

    private static Map<String, Object> op(String name, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", name);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static double[] diff(byte[] a, byte[] b) {
        assertEquals(b.length, a.length, "pixel count");
        double sum = 0;
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            int d = Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
            sum += d;
            max = Math.max(max, d);
        }
        return new double[] {sum / a.length, max};
    }

    private static float[] readFloats(Path p) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[bb.remaining() / 4];
        bb.asFloatBuffer().get(f);
        return f;
    }

    private static Path script() {
        return org.convkit.TestPaths.python("transforms_oracle.py");
    }

    private record Result(int exitCode, String output) {}

    private static Result python(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(PYTHON);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(p.waitFor(), out);
    }
}
