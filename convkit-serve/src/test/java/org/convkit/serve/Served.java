package org.convkit.serve;

import org.convkit.eval.TorchClassifier;

/**
 * The trained shapes model served on a free port, with what the tests compare it to: the same
 * checkpoint as a classifier of its own, answering one image at a time, as {@code convkit predict}
 * does for one file.
 */
record Served(PredictionServer server, TorchClassifier reference, Http http) implements AutoCloseable {

    /** Serves {@link Shapes#run()} with {@code options} (the port is picked). */
    static Served start(ServeOptions options) {
        TorchClassifier reference = TorchClassifier.open(Shapes.run(), new TorchClassifier.Options("cpu", null, 1));
        PredictionServer server = PredictionServer.start(options.withPort(0), () -> TorchClassifier.open(Shapes.run(),
                new TorchClassifier.Options("cpu", null, options.maxBatch())), System.err);
        return new Served(server, reference, new Http(server.url()));
    }

    @Override
    public void close() {
        server.stop();
        reference.close();
    }
}
