package org.convkit.data.shard;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.convkit.data.image.Pixels;
import org.convkit.data.Image;

/** Raw pixels (IDX, CIFAR) to lossless PNG bytes with ImageIO, so shards only hold encoded images. */
final class Png {
    private Png() {}

    static byte[] encode(Image img) throws IOException {
        BufferedImage bi = Pixels.toBufferedImage(img);
        ByteArrayOutputStream out = new ByteArrayOutputStream(img.data().length / 2 + 128);
        if (!ImageIO.write(bi, "png", out)) {
            throw new IOException("no PNG writer in this Java runtime");
        }
        return out.toByteArray();
    }
}
