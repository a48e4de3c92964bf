package org.convkit.data.shard;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.convkit.data.Image;

/** Raw pixels (IDX, CIFAR) to lossless PNG bytes with ImageIO, so shards only hold encoded images. */
final class Png {
    private Png() {}

    static byte[] encode(Image img) throws IOException {
        int type = img.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR;
        BufferedImage bi = new BufferedImage(img.width(), img.height(), type);
        // data elements are per pixel in band order (R, G, B); the raster maps them to BGR storage
        bi.getRaster().setDataElements(0, 0, img.width(), img.height(), img.data());
        ByteArrayOutputStream out = new ByteArrayOutputStream(img.data().length / 2 + 128);
        if (!ImageIO.write(bi, "png", out)) {
            throw new IOException("no PNG writer in this Java runtime");
        }
        return out.toByteArray();
    }
}
