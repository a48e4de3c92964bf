package org.convkit.model.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A probe's numbers: the same values for every path and for the float64 reference, drawn from a
 * seed made of the probe's name and the input's key, then given the dtype being computed in. Every
 * value is a float32 number, so the float64 reference computes the very problem the float32 path
 * is given, not one rounded differently at its inputs.
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
        return independent("normal " + mean + " " + std, key, shape, r -> mean + std * r.nextGaussian());
    }

    /** Uniform [lo, hi) values of {@code shape}. */
    public NDArray uniform(String key, Shape shape, double lo, double hi) {
        return independent("uniform " + lo + " " + hi, key, shape, r -> lo + (hi - lo) * r.nextDouble());
    }

    /**
     * Values of {@code shape} that are all different, far apart and far from zero, in random order:
     * {@code +-(0.05 .. 3)} spaced {@code 5.9 / size} apart (1.6e-4 for 4x48x14x14, a thousand times
     * float32's rounding at 3). For probes of ReLU and max pooling, whose gradient is not defined
     * where an input is zero or two inputs of a window tie: with these inputs no such point is near,
     * so float32 and float64 must route every gradient alike.
     */
    public NDArray distinct(String key, Shape shape) {
        return drawn("distinct", key, shape, () -> {
            int n = Math.toIntExact(shape.size());
            int half = (n + 1) / 2;
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                int j = i % half;
                d[i] = (float) ((i < half ? -1 : 1) * (0.05 + 2.95 * j / half));
            }
            Random r = random(key);
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                double t = d[i];
                d[i] = d[j];
                d[j] = t;
            }
            return d;
        });
    }

    /** {@code shape}'s values, each drawn on its own from the key's generator by {@code draw}. */
    private NDArray independent(String distribution, String key, Shape shape, ToDoubleFunction<Random> draw) {
        return drawn(distribution, key, shape, () -> {
            Random r = random(key);
            double[] d = new double[Math.toIntExact(shape.size())];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) draw.applyAsDouble(r);
            }
            return d;
        });
    }

    /**
     * The values {@code make} draws for this probe, {@code key} and {@code shape}, drawn once per
     * process; {@code distribution} names the distribution with its parameters, so two calls share
     * values only when they ask for the very same numbers.
     */
    private NDArray drawn(String distribution, String key, Shape shape, Supplier<double[]> make) {
        return of(DRAWN.computeIfAbsent(probe + "\u0000" + distribution + " " + key + " " + shape, k -> make.get()), shape);
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
