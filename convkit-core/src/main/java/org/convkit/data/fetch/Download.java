package org.convkit.data.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.convkit.core.AtomicFiles;
import org.convkit.core.ConvkitException;
import org.convkit.core.Progress;

/**
 * Downloads one file from the first mirror that serves it with the published MD5, into a temp
 * file next to the target that is renamed only once the checksum matches ({@link AtomicFiles}): a
 * half-written or corrupted file never sits under the final name.
 */
public final class Download {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20))
            .build();

    private Download() {}

    /** What was fetched: from where, and its SHA-256 (for the log; MD5 is what was checked). */
    public record Result(URI from, String sha256, long bytes) {}

    /**
     * @param mirrors tried in order
     * @param target the final file
     * @param md5 the published MD5, lower-case hex
     * @throws ConvkitException when no mirror served the file with that checksum, saying what each did
     */
    public static Result fetch(List<URI> mirrors, Path target, String md5) {
        List<String> failures = new ArrayList<>();
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ConvkitException("cannot create " + dir + ": " + e.getMessage() + ". Set CONVKIT_DATA to a writable folder.", e);
        }
        for (URI uri : mirrors) {
            Result[] got = new Result[1];
            try {
                // a temp file beside the target, renamed only when the writer returns: a bad checksum throws first
                AtomicFiles.write(target, out -> got[0] = fetchOne(uri, out, md5, target.getFileName().toString()));
                return got[0];
            } catch (IOException e) {
                failures.add(uri + ": " + e.getMessage());
            }
        }
        throw new ConvkitException("could not download " + target.getFileName() + " with MD5 " + md5 + ":\n  "
                + String.join("\n  ", failures) + "\nNothing was written to " + target + ".");
    }

    private static Result fetchOne(URI uri, OutputStream out, String md5, String name) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30)).GET().build();
        HttpResponse<InputStream> resp;
        try {
            resp = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConvkitException("download of " + uri + " interrupted", e);
        }
        try (InputStream in = resp.body()) {
            if (resp.statusCode() != 200) {
                throw new IOException("HTTP " + resp.statusCode());
            }
            long length = resp.headers().firstValueAsLong("Content-Length").orElse(0);
            MessageDigest md = digest("MD5");
            MessageDigest sha = digest("SHA-256");
            long n = 0;
            byte[] buf = new byte[1 << 16];
            try (Progress bar = new Progress("download " + name, length, "B")) {
                int r;
                while ((r = in.read(buf)) > 0) {
                    md.update(buf, 0, r);
                    sha.update(buf, 0, r);
                    out.write(buf, 0, r);
                    n += r;
                    bar.advance(r);
                }
            }
            if (length > 0 && n != length) {
                throw new IOException("connection closed after " + n + " of " + length + " bytes");
            }
            String got = HexFormat.of().formatHex(md.digest());
            if (!got.equalsIgnoreCase(md5)) {
                throw new IOException("MD5 " + got + " does not match the published " + md5 + " (" + n + " bytes): corrupted or a different file");
            }
            return new Result(uri, HexFormat.of().formatHex(sha.digest()), n);
        }
    }

    /** The MD5 of a file, lower-case hex. */
    public static String md5(Path file) throws IOException {
        return hexDigest(file, "MD5");
    }

    /** The SHA-256 of a file, lower-case hex. */
    public static String sha256(Path file) throws IOException {
        return hexDigest(file, "SHA-256");
    }

    private static String hexDigest(Path file, String algorithm) throws IOException {
        MessageDigest md = digest(algorithm);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) > 0) {
                md.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest(String alg) {
        try {
            return MessageDigest.getInstance(alg);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(alg + " missing from the JDK", e);
        }
    }
}
