package org.convkit.model.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A probe's numbers: the same values for every path and for the float64 reference, drawn from a
 * seed made of the probe's name and the input's key, then given the dtype being computed in.
 */
public final class ProbeInputs {
    /**
     * The values drawn so far, by probe, key and shape: every path and the reference of a check
     * use the same ones, and drawing millions of normal numbers costs more than the convolutions.
     * Lives as long as the check's child process (some tens of MB).
     */
    private static final Map<String, double[]> DRAWN = new ConcurrentHashMap<>();

    private final NDManager manager;
    private final DataType dtype;
    private final String probe;

    public ProbeInputs(NDManager manager, DataType dtype, String probe) {
        this.manager = manager;
        this.dtype = dtype;
        this.probe = probe;
    }

    /** Normal(mean, std) values of {@code shape}. */
    public NDArray normal(String key, Shape shape, double mean, double std) {
        double[] v = DRAWN.computeIfAbsent(probe + "\u0000normal " + mean + " " + std + " " + key + " " + shape, k -> {
            Random r = random(key);
            double[] d = new double[Math.toIntExact(shape.size())];
            for (int i = 0; i < d.length; i++) {
                d[i] = mean + std * r.nextGaussian();
            }
            return d;
        });
        return of(v, shape);
    }

    /** Uniform [lo, hi) values of {@code shape}. */
    public NDArray uniform(String key, Shape shape, double lo, double hi) {
        double[] v = DRAWN.computeIfAbsent(probe + "\u0000uniform " + lo + " " + hi + " " + key + " " + shape, k -> {
            Random r = random(key);
            double[] d = new double[Math.toIntExact(shape.size())];
            for (int i = 0; i < d.length; i++) {
                d[i] = lo + (hi - lo) * r.nextDouble();
            }
            return d;
        });
        return of(v, shape);
    }

    private Random random(String key) {
        return new Random(31L * probe.hashCode() + key.hashCode());
    }

    private NDArray of(double[] v, Shape shape) {
        NDArray a = manager.create(v, shape);
        if (dtype == DataType.FLOAT64) {
            return a;
        }
        NDArray t = a.toType(dtype, false);
        a.close();
        return t;
    }
}
