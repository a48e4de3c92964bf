package org.convkit.data;

/**
 * Decoded pixels, 8 bits per channel, interleaved rows (HWC) like a PIL image in mode "L" (1
 * channel) or "RGB" (3 channels). Transforms work on this form, as torchvision's PIL path does,
 * and the last step turns it into floats.
 *
 * @param width pixels per row
 * @param height rows
 * @param channels 1 (gray) or 3 (RGB)
 * @param data {@code height * width * channels} bytes, unsigned
 */
public record Image(int width, int height, int channels, byte[] data) {
    public Image {
        if (data.length != (long) width * height * channels) {
            throw new IllegalArgumentException(
                    "pixel buffer " + data.length + " != " + width + "x" + height + "x" + channels);
        }
    }

    /** The unsigned value at (x, y, c). */
    public int get(int x, int y, int c) {
        return data[(y * width + x) * channels + c] & 0xff;
    }
}
