package org.convkit.serve;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.convkit.data.TestImages;
import org.convkit.data.image.Decoder;
import org.convkit.eval.EvalFixtures;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;

/** The inputs users really send: every image format the decoder reads, and every way a request goes wrong. */
final class BadInputs {
    private BadInputs() {}

    static BufferedImage shape(int kind, long seed) {
        return EvalFixtures.draw(kind, new Random(seed));
    }

    static byte[] encode(BufferedImage img, String format) {
        return TestImages.encode(img, format);
    }

    /** A WebP made by OpenCV's encoder (ImageIO has no WebP writer); null when OpenCV is not loaded here. */
    static byte[] webp(BufferedImage img) {
        if (!Decoder.nativeAvailable()) {
            return null;
        }
        MatOfByte png = new MatOfByte(encode(img, "png"));
        var mat = Imgcodecs.imdecode(png, Imgcodecs.IMREAD_COLOR);
        MatOfByte out = new MatOfByte();
        if (!Imgcodecs.imencode(".webp", mat, out, new MatOfInt(Imgcodecs.IMWRITE_WEBP_QUALITY, 101))) {
            return null;
        }
        return out.toArray();
    }

    /** The first half of a JPEG: what an interrupted copy leaves. */
    static byte[] truncatedJpeg(long seed) {
        byte[] jpg = encode(shape(1, seed), "jpeg");
        return Arrays.copyOf(jpg, jpg.length / 2);
    }

    /** A PNG of a few dozen bytes whose header claims 50000 x 50000 pixels: a decompression bomb. */
    static byte[] pngBomb() {
        ByteBuffer b = ByteBuffer.allocate(33);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        b.putInt(50_000).putInt(50_000).put(new byte[] {8, 2, 0, 0, 0}).putInt(0);
        return b.array();
    }

    static byte[] text() {
        return "this is a text file, not an image\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
