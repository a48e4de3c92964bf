package org.convkit.data.image;

import java.io.IOException;
import org.convkit.data.Image;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decoding with OpenCV's {@code imdecode} (org.openpnp:opencv: native libraries inside the jar,
 * libjpeg-turbo and libpng built in): faster than ImageIO, by how much is in bench/RESULTS.md.
 *
 * <p>Asked for 8-bit BGR with EXIF orientation ignored: {@link Decoder} applies the orientation
 * itself so both backends behave the same; alpha is dropped and 16-bit samples keep their high
 * byte, as PIL's {@code convert("RGB")}. OpenCV 4.9 has no GIF reader: those go to ImageIO.
 */
final class OpenCvDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(OpenCvDecoder.class);
    private static final boolean AVAILABLE = load();

    private OpenCvDecoder() {}

    static boolean available() {
        return AVAILABLE;
    }

    static String version() {
        return AVAILABLE ? "opencv " + org.opencv.core.Core.VERSION : "opencv (not loaded)";
    }

    /** Formats this backend reads; anything else goes to ImageIO. */
    static boolean reads(String format) {
        return AVAILABLE && (format.equals("jpeg") || format.equals("png") || format.equals("bmp") || format.equals("webp"));
    }

    static Image decode(byte[] bytes, int channels) throws IOException {
        MatOfByte buf = new MatOfByte(bytes);
        Mat mat = null;
        try {
            mat = Imgcodecs.imdecode(buf, Imgcodecs.IMREAD_COLOR | Imgcodecs.IMREAD_IGNORE_ORIENTATION);
            if (mat.empty()) {
                throw new IOException("not a readable image: OpenCV could not decode these " + bytes.length + " bytes (corrupt or truncated?)");
            }
            int w = mat.cols();
            int h = mat.rows();
            byte[] bgr = new byte[w * h * 3];
            mat.get(0, 0, bgr);
            return channels == 1 ? grayFromBgr(bgr, w, h) : rgbFromBgr(bgr, w, h);
        } finally {
            buf.release();
            if (mat != null) {
                mat.release();
            }
        }
    }

    private static Image rgbFromBgr(byte[] p, int w, int h) {
        for (int i = 0; i < p.length; i += 3) {
            byte t = p[i];
            p[i] = p[i + 2];
            p[i + 2] = t;
        }
        return new Image(w, h, 3, p);
    }

    private static Image grayFromBgr(byte[] p, int w, int h) {
        byte[] out = new byte[w * h];
        for (int i = 0, j = 0; i < out.length; i++, j += 3) {
            out[i] = (byte) Pixels.luma(p[j + 2] & 0xFF, p[j + 1] & 0xFF, p[j] & 0xFF);
        }
        return new Image(w, h, 1, out);
    }

    private static boolean load() {
        if (Boolean.getBoolean("convkit.decoder.imageio")) {
            return false;
        }
        try {
            nu.pattern.OpenCV.loadLocally();
            return true;
        } catch (Throwable e) {
            LOG.warn("OpenCV's native library did not load ({}); decoding with Java ImageIO (slower)", e.toString());
            return false;
        }
    }
}
