package org.convkit.data.image;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import org.convkit.data.Image;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JPEG decoding with the system's libjpeg-turbo through its TurboJPEG API (Debian: {@code apt-get
 * install libturbojpeg0}), called with JNA (already on the class path through DJL). Optional: used
 * when the library is installed, because the libjpeg-turbo builds inside the Maven Central OpenCV
 * jars lack SIMD and decode photos slower (bench/RESULTS.md "Decoders" has the figures). It is the library
 * PIL uses, with PIL's defaults (accurate integer IDCT, smooth chroma upsampling), so its pixels
 * are PIL's. {@code -Dconvkit.decoder.turbojpeg=false} turns it off.
 */
final class TurboJpegDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(TurboJpegDecoder.class);
    private static final int TJPF_RGB = 0;
    private static final int TJERR_FATAL = 1;
    private static final TurboJpeg LIB = load();
    /** TurboJPEG handles are not thread-safe: one per thread. */
    private static final ThreadLocal<Pointer> HANDLE = ThreadLocal.withInitial(() -> LIB.tjInitDecompress());

    /** The subset of turbojpeg.h (libjpeg-turbo 2.x) this class calls. */
    interface TurboJpeg extends Library {
        Pointer tjInitDecompress();

        int tjDecompressHeader3(Pointer handle, byte[] jpeg, long size, int[] width, int[] height, int[] subsamp, int[] colorspace);

        int tjDecompress2(Pointer handle, byte[] jpeg, long size, byte[] dst, int width, int pitch, int height, int format, int flags);

        String tjGetErrorStr2(Pointer handle);

        int tjGetErrorCode(Pointer handle);

        int tjDestroy(Pointer handle);
    }

    private TurboJpegDecoder() {}

    static boolean available() {
        return LIB != null;
    }

    static Image decode(byte[] bytes, int channels) throws IOException {
        Pointer h = HANDLE.get();
        if (h == null) {
            throw new IOException("libturbojpeg could not create a decompressor");
        }
        int[] w = new int[1];
        int[] ht = new int[1];
        int[] sub = new int[1];
        int[] cs = new int[1];
        if (LIB.tjDecompressHeader3(h, bytes, bytes.length, w, ht, sub, cs) != 0) {
            throw fail(h);
        }
        byte[] rgb = new byte[w[0] * ht[0] * 3];
        // flags 0: accurate islow IDCT and fancy upsampling, libjpeg's and PIL's defaults
        if (LIB.tjDecompress2(h, bytes, bytes.length, rgb, w[0], 0, ht[0], TJPF_RGB, 0) != 0
                && LIB.tjGetErrorCode(h) == TJERR_FATAL) {
            throw fail(h);
        }
        // warnings (e.g. extraneous bytes before a marker) are ignored, as PIL does
        return Pixels.toChannels(new Image(w[0], ht[0], 3, rgb), channels);
    }

    /** The error, and a fresh handle for this thread's next image: a failed one keeps stale state. */
    private static IOException fail(Pointer h) {
        IOException e = new IOException("not a readable JPEG: " + LIB.tjGetErrorStr2(h));
        HANDLE.remove();
        LIB.tjDestroy(h);
        return e;
    }

    private static TurboJpeg load() {
        if (!Boolean.parseBoolean(System.getProperty("convkit.decoder.turbojpeg", "true"))
                || Boolean.getBoolean("convkit.decoder.imageio")) {
            return null;
        }
        for (String name : new String[] {"turbojpeg", "libturbojpeg.so.0"}) {
            try {
                TurboJpeg lib = Native.load(name, TurboJpeg.class);
                lib.tjGetErrorCode(null); // the 2.x API is there
                return lib;
            } catch (Throwable e) {
                LOG.debug("libturbojpeg not loaded as {}: {}", name, e.toString());
            }
        }
        return null;
    }
}
