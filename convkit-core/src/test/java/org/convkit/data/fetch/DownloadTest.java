package org.convkit.data.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.convkit.core.ConvkitException;
import org.convkit.data.Dataset;
import org.convkit.data.load.Datasets;
import org.convkit.data.OpenOptions;
import org.convkit.data.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download path against a local HTTP server (never the internet). */
class DownloadTest {
    private static final Path DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path dir;

    private HttpServer server;
    private final Map<String, byte[]> files = new LinkedHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String name = ex.getRequestURI().getPath();
            byte[] body = files.get(name);
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            }
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    @Test
    void aFileWithThePublishedChecksumIsWrittenInPlace() throws Exception {
        byte[] real = TestImages.encode(TestImages.rgb(40, 30, 1), "png");
        files.put("/good/img.png", real);
        Path target = dir.resolve("data/img.png");
        Download.Result r = Download.fetch(List.of(url("/good/img.png")), target, md5(real));
        assertArrayEquals(real, Files.readAllBytes(target));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(real)), r.sha256());
        assertEquals(List.of(target), listed(target.getParent()), "no temp files left");
    }

    @Test
    void aCorruptedFileIsRejectedAndNothingIsWritten() throws Exception {
        byte[] real = TestImages.encode(TestImages.rgb(40, 30, 2), "png");
        byte[] bad = real.clone();
        bad[bad.length / 2] ^= 0x40;
        files.put("/bad/img.png", bad);
        Path target = dir.resolve("data/img.png");
        ConvkitException e = assertThrows(ConvkitException.class,
                () -> Download.fetch(List.of(url("/bad/img.png")), target, md5(real)));
        assertTrue(e.getMessage().contains("does not match the published " + md5(real)), e.getMessage());
        assertFalse(Files.exists(target));
        assertEquals(List.of(), listed(target.getParent()), "the partial download was removed");
    }

    @Test
    void theNextMirrorIsTriedWhenOneFails() throws Exception {
        byte[] real = TestImages.encode(TestImages.rgb(8, 8, 3), "png");
        byte[] bad = real.clone();
        bad[10] ^= 1;
        files.put("/corrupt/x.png", bad);
        files.put("/ok/x.png", real);
        Path target = dir.resolve("x.png");
        Download.Result r = Download.fetch(List.of(url("/missing/x.png"), url("/corrupt/x.png"), url("/ok/x.png")), target, md5(real));
        assertEquals(url("/ok/x.png"), r.from());
        assertArrayEquals(real, Files.readAllBytes(target));
    }

    @Test
    void fashionMnistIsDownloadedAndOpens() throws Exception {
        org.convkit.Needs.need(Files.isDirectory(DEBIAN), "Debian's dataset-fashion-mnist to serve real IDX files");
        Map<String, String> md5 = new LinkedHashMap<>();
        for (String f : FashionMnistFetch.MD5.keySet()) {
            byte[] b = Files.readAllBytes(DEBIAN.resolve(f));
            files.put("/fm/" + f, b);
            md5.put(f, md5(b));
        }
        Path home = dir.resolve("home");
        var plan = new FashionMnistFetch.Plan(home.resolve("fashion-mnist"), dir.resolve("nowhere"), false, false,
                List.of(url("/down/"), url("/fm/")), md5);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path got = FashionMnistFetch.acquire(plan, new PrintStream(log, true));
        assertTrue(log.toString().contains("downloading Fashion-MNIST"), log.toString());
        assertNull(NamedDatasets.locate("fashion-mnist", dir.resolve("nowhere"), dir.resolve("other")));
        assertEquals(got, NamedDatasets.locate("fashion-mnist", dir.resolve("nowhere"), home));
        Dataset ds = Datasets.open(got.toString(), OpenOptions.defaults().withValidSplit(0));
        assertEquals(60000, ds.train().size());
        assertEquals(10000, ds.test().size());
    }

    @Test
    void debiansRecompressedFilesDoNotPassZalandosChecksums() throws Exception {
        org.convkit.Needs.need(Files.isDirectory(DEBIAN), "Debian's dataset-fashion-mnist");
        // Debian recompressed the gzip files: same IDX content, other bytes, so other MD5s. A
        // mirror serving them must be refused by the published checksums.
        String f = "t10k-labels-idx1-ubyte.gz";
        files.put("/fm/" + f, Files.readAllBytes(DEBIAN.resolve(f)));
        var plan = new FashionMnistFetch.Plan(dir.resolve("fm"), dir.resolve("nowhere"), false, true,
                List.of(url("/fm/")), Map.of(f, FashionMnistFetch.MD5.get(f)));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ConvkitException e = assertThrows(ConvkitException.class, () -> FashionMnistFetch.acquire(plan, new PrintStream(log, true)));
        assertTrue(e.getMessage().contains(FashionMnistFetch.MD5.get(f)), e.getMessage());
        assertTrue(log.toString().contains(FashionMnistFetch.APT_COMMAND), "on Debian without root the apt command is printed");
        assertFalse(Files.exists(dir.resolve("fm").resolve(f)));
    }

    @Test
    void withoutAcquireTheMessageSaysHowToGetIt() {
        OpenOptions o = OpenOptions.defaults().withAcquire(false).withDataHome(dir);
        ConvkitException e = assertThrows(ConvkitException.class,
                () -> NamedDatasets.ensure("fashion-mnist", o, System.err, dir.resolve("nowhere")));
        assertTrue(e.getMessage().contains(FashionMnistFetch.APT_COMMAND), e.getMessage());
    }

    private static List<Path> listed(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }
}
