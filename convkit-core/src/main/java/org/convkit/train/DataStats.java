package org.convkit.train;

import java.io.IOException;
import java.util.Arrays;
import org.convkit.data.Dataset;
import org.convkit.data.ImageSource;
import org.convkit.data.Sample;
import org.convkit.data.image.ImageHeader;
import org.convkit.data.inspect.ImageProbe;

/**
 * What {@link Recipe} looks at to choose defaults: how many training images and classes, and
 * what the images look like.
 *
 * @param images training samples
 * @param classes classes (of the first head)
 * @param channels image channels when known (the format says, or every probed image agrees)
 * @param size S when every image is S x S (the format says, or every probed header), else null
 * @param side the median shorter side of the probed images, null when none could be read
 * @param photos true for a folder of encoded images with one label each (the user's own photos),
 *     false for the built-in formats (IDX, CIFAR binary: their fixed recipes) and digit sequences
 */
public record DataStats(int images, int classes, Integer channels, Integer size, Integer side, boolean photos) {
    /** Headers read to learn the images' size: enough for a median, cheap on any folder. */
    static final int PROBES = 16;

    /** The dataset's own answer (IDX, CIFAR), else read from the headers of a few training files. */
    public static DataStats of(Dataset dataset) {
        ImageSource src = dataset.train();
        int n = src.size();
        int classes = dataset.classes().size();
        if (dataset.channels() != null && dataset.width() != null) {
            int w = dataset.width();
            int h = dataset.height();
            return new DataStats(n, classes, dataset.channels(), w == h ? w : null, Math.min(w, h), false);
        }
        int probes = Math.min(n, PROBES);
        int[] sides = new int[probes];
        int read = 0;
        Integer size = null;
        Integer channels = null;
        boolean sameSize = true;
        boolean sameChannels = true;
        for (int i = 0; i < probes; i++) {
            int w;
            int h;
            int c;
            try {
                Sample s = src.get((int) ((long) i * n / probes));
                if (s.pixels() != null) {
                    w = s.pixels().width();
                    h = s.pixels().height();
                    c = s.pixels().channels();
                } else {
                    ImageHeader info = ImageProbe.probe(s.encoded());
                    w = info.width();
                    h = info.height();
                    c = info.channels();
                }
            } catch (IOException | RuntimeException e) {
                continue; // a bad file: the loader will skip and record it
            }
            if (w != h || w <= 0 || (size != null && size != w)) {
                sameSize = false;
            }
            size = w;
            if (c <= 0 || (channels != null && channels != c)) {
                sameChannels = false;
            }
            channels = c;
            sides[read++] = Math.min(w, h);
        }
        Integer ch = dataset.channels() != null ? dataset.channels() : sameChannels ? channels : null;
        Integer side = null;
        if (read > 0) {
            int[] got = Arrays.copyOf(sides, read);
            Arrays.sort(got);
            side = got[read / 2];
        }
        return new DataStats(n, classes, ch, sameSize ? size : null, side, dataset.heads() == 1);
    }
}
