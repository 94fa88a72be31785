package io.reflex.bench;

/** The Reflex configuration the benchmarks run with. */
final class BenchConfig {
    private BenchConfig() {
    }

    /** Ingest only, the Alertmanager hook open: the benchmark measures the pipeline, not auth. */
    static final String INGEST_YAML = """
            demo:
              enabled: false
            ingest:
              sources:
                alertmanager:
                  auth: {type: none}
            """;
}
