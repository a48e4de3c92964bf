package org.convkit.model.layers;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;

/**
 * Short factories for DJL's layers with PyTorch's defaults and argument order, so a family file
 * reads like its torchvision counterpart: {@code conv(64, 7, 2, 3, false)} is {@code
 * nn.Conv2d(in, 64, 7, stride=2, padding=3, bias=False)} (input channels are inferred).
 */
public final class Layers {
    private Layers() {}

    public static Block conv(int out, int kernel, int stride, int padding, boolean bias) {
        return Conv2d.builder()
                .setFilters(out)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .optBias(bias)
                .build();
    }

    /** Conv with a bias, as nn.Conv2d defaults to. */
    public static Block conv(int out, int kernel, int stride, int padding) {
        return conv(out, kernel, stride, padding, true);
    }

    /** nn.BatchNorm2d(eps=1e-5, momentum=0.1). DJL's momentum is the weight of the old value. */
    public static Block bn() {
        return bn(1e-5f);
    }

    public static Block bn(float eps) {
        return BatchNorm.builder().optEpsilon(eps).optMomentum(0.9f).build();
    }

    public static Block linear(int out) {
        return Linear.builder().setUnits(out).build();
    }

    public static Block dropout(double p) {
        return Dropout.builder().optRate((float) p).build();
    }

    public static Block relu() {
        return Activations.relu();
    }

    public static Block maxPool(int kernel, int stride) {
        return Pool2d.max(kernel, stride);
    }

    public static Block maxPool(int kernel, int stride, int padding, boolean ceil) {
        return Pool2d.max(kernel, stride, padding, ceil);
    }

    public static Block avgPool(int kernel, int stride) {
        return Pool2d.avg(kernel, stride);
    }

    public static Block adaptiveAvgPool(int h, int w) {
        return new AdaptiveAvgPool2d(h, w);
    }

    /** nn.AdaptiveMaxPool2d(1): each channel's maximum over the whole map. */
    public static Block globalMaxPool() {
        return new GlobalMaxPool2d();
    }

    public static Block flatten() {
        return new Flatten();
    }

    /**
     * The parameter {@code name} of layer {@code b} (DJL's names: weight, bias, gamma, beta,
     * runningMean, runningVar), which must be initialized: for code that reads a trained layer's
     * values (BatchNorm folding, ONNX export).
     */
    public static Parameter parameter(Block b, String name) {
        Parameter p = b.getParameters().get(name);
        if (p == null || !p.isInitialized()) {
            throw new IllegalStateException(b + " has no initialized " + name);
        }
        return p;
    }
}
