package io.reflex.bench;

import io.reflex.model.AlertEvent;
import io.reflex.rules.RuleCompiler;
import io.reflex.rules.RuleSession;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.kie.api.KieBase;

/**
 * The rule core on this machine: one {@link RuleSession} in STREAM mode, its pseudo clock moved
 * to each alert's time, fed alerts one at a time and fired after each, as the rules stage does
 * for each record. Per ruleset it reports the compile time, alerts/s, the latency of one alert
 * (advance the clock + insert + fire) sampled every {@code --sample}th alert, and the heap the
 * knowledge base and the session hold at the end. Measures; asserts nothing.
 */
public final class RulesBench {
    private static final int CHUNK = 10_000;

    private final int alerts;
    private final int instances;
    private final double match;
    private final int warmup;
    private final int sampleEvery;
    private final List<String> rulesets;
    private final Path out;

    private RulesBench(Args args) {
        this.alerts = args.integer("--alerts", 1_000_000);
        this.instances = args.integer("--instances", 500);
        this.match = Double.parseDouble(args.text("--match", "0.4"));
        this.warmup = args.integer("--warmup", 50_000);
        this.sampleEvery = args.integer("--sample", 100);
        this.rulesets = Arrays.stream(args.text("--rulesets", String.join(",", RulesDrl.KEYS)).split(","))
                .map(String::trim).toList();
        this.out = Path.of(args.text("--out", "bench/results"));
        if (alerts <= 0 || instances <= 0 || match < 0 || match > 1 || warmup < 0 || sampleEvery <= 0) {
            throw new IllegalArgumentException("--alerts, --instances and --sample must be positive, --warmup not"
                    + " negative and --match between 0 and 1; see --help");
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, """
                Usage: bench/run rules [--alerts 1000000] [--instances 500] [--match 0.4] [--warmup 50000]
                                       [--sample 100] [--rulesets 10,100,10-throttle,10-join,1000] [--out DIR]

                Compiles each ruleset (generated DRL), warms a throwaway session up with --warmup alerts, then
                feeds one RuleSession --alerts alerts 1 ms apart on its pseudo clock, over --instances instances,
                a --match share of them named for some rule, firing after each; prints alerts/s, p50/p99 latency
                per alert (sampled every --sample th), and the live heap after the run.
                Rulesets: 10 and 100 and 1000 plain rules (alertname is X and firing -> restart), 10-throttle (the
                10, once within 10 s per alertname and instance), 10-join (the 10 + NodeNotReady then
                PodCrashLooping on one instance within 1 m).
                """);
        new RulesBench(args).run();
    }

    private void run() throws IOException {
        List<RulesDrl> drls = rulesets.stream().map(RulesDrl::of).toList();
        System.out.printf("Rules benchmark: %,d alerts over %d instances, %.0f%% matching, rulesets %s, %d cores%n",
                alerts, instances, match * 100, rulesets, Runtime.getRuntime().availableProcessors());
        // The first build in a JVM also loads and JITs the compiler (seconds): pay that before timing compiles.
        RuleCompiler.compile("a compiler warm-up", RulesDrl.of("10").drl());
        List<RulesResult> results = new ArrayList<>();
        for (RulesDrl drl : drls) {
            results.add(measure(drl));
        }
        report(results);
    }

    private RulesResult measure(RulesDrl drl) {
        long baseline = usedHeapAfterGc();
        long compileStart = System.nanoTime();
        KieBase base = RuleCompiler.compile("the generated ruleset " + drl.key(), drl.drl());
        double compileSeconds = (System.nanoTime() - compileStart) / 1e9;
        System.out.printf("  %s: compiled %d rules in %.2f s; warming up with %,d alerts…%n", drl.key(),
                drl.ruleCount(), compileSeconds, warmup);
        if (warmup > 0) {
            try (RuleSession session = new RuleSession(base)) {
                feed(session, new RulesAlerts(drl.matchingNames(), match, instances), warmup, null);
            }
        }
        System.out.printf("  %s: measuring %,d alerts…%n", drl.key(), alerts);
        RulesAlerts load = new RulesAlerts(drl.matchingNames(), match, instances);
        Latencies latencies = new Latencies();
        try (RuleSession session = new RuleSession(base)) {
            long gcBefore = gcMillis();
            Fed fed = feed(session, load, alerts, latencies);
            double gcSeconds = (gcMillis() - gcBefore) / 1e3;
            // The session (and the base) stay reachable until the heap is read: that is what is measured.
            double heapMegabytes = (usedHeapAfterGc() - baseline) / 1024.0 / 1024.0;
            long facts = session.factCount();
            RulesResult result = new RulesResult(drl.key(), drl.ruleCount(), compileSeconds, alerts, load.matching(),
                    fed.actions, fed.failures, fed.nanos / 1e9, gcSeconds, latencies.quantileMillis(0.50) * 1000,
                    latencies.quantileMillis(0.99) * 1000, heapMegabytes, facts);
            System.out.printf("  %s: %,.0f alerts/s, %,d actions%n", drl.key(), result.alertsPerSecond(), fed.actions);
            return result;
        }
    }

    /** What feeding a session produced; {@code nanos} counts only the session's work, not making the alerts. */
    private static final class Fed {
        long nanos;
        long actions;
        long failures;
    }

    /**
     * Feeds {@code count} alerts, each advancing the clock to its time, inserted, then fired. The
     * alerts are made a chunk at a time outside the timed part; the requests each fire returns are
     * counted and dropped, as the rules stage drains them into actions.
     */
    private Fed feed(RuleSession session, RulesAlerts load, int count, Latencies latencies) {
        Fed fed = new Fed();
        AlertEvent[] chunk = new AlertEvent[Math.min(CHUNK, count)];
        String firstFailure = null;
        for (int done = 0; done < count; ) {
            int n = Math.min(chunk.length, count - done);
            for (int i = 0; i < n; i++) {
                chunk[i] = load.next();
            }
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                AlertEvent alert = chunk[i];
                chunk[i] = null;
                boolean sample = latencies != null && (done + i) % sampleEvery == 0;
                long sent = sample ? System.nanoTime() : 0;
                session.advanceTo(alert.receivedAt().toEpochMilli());
                session.insert(alert);
                RuleSession.Outcome outcome = session.fire();
                if (sample) {
                    latencies.add(System.nanoTime() - sent);
                }
                fed.actions += outcome.requests().size();
                if (!outcome.failures().isEmpty()) {
                    fed.failures += outcome.failures().size();
                    if (firstFailure == null) {
                        firstFailure = outcome.failures().get(0).rule() + ": " + outcome.failures().get(0).error();
                    }
                }
            }
            fed.nanos += System.nanoTime() - start;
            done += n;
        }
        if (firstFailure != null) {
            System.out.printf("    %,d rule failures; the first: %s%n", fed.failures, firstFailure);
        }
        return fed;
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).filter(t -> t > 0).sum();
    }

    /** Used heap after two full collections: roughly the live data. */
    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private void report(List<RulesResult> results) throws IOException {
        String when = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(Instant.now().atOffset(ZoneOffset.UTC)).substring(0, 19);
        Duration span = Duration.ofMillis(alerts);
        StringBuilder text = new StringBuilder();
        text.append("Rules benchmark, ").append(when).append(" UTC, ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, max heap ").append(Runtime.getRuntime().maxMemory() / 1024 / 1024).append(" MB\n\n")
                .append(String.format("One RuleSession (STREAM, pseudo clock) per ruleset, fed %,d alerts 1 ms apart "
                        + "(%s of pseudo time) over %d instances, %.0f%% named for some rule, firing after each "
                        + "alert; after %,d warm-up alerts on a throwaway session.%n", alerts, span, instances,
                        match * 100, warmup))
                .append(String.format("Latency = advance clock + insert + fireAllRules of one alert, sampled every "
                        + "%dth alert. Live heap = used heap after two System.gc() with the session open, minus "
                        + "before compiling. GC s = collection time while feeding (part of the alerts/s time). "
                        + "Compile times follow a warm-up compile.%n", sampleEvery))
                .append(String.format("Alerts expire after %d min of pseudo time: a run shorter than that keeps every "
                        + "alert in the session, so the heap grows with --alerts.%n%n", RuleCompiler.ALERT_EXPIRY.toMinutes()));
        text.append("Rulesets:\n");
        rulesets.forEach(key -> text.append("- ").append(key).append(": ").append(RulesDrl.of(key).description())
                .append('\n'));
        text.append('\n').append(RulesResult.header()).append('\n');
        results.forEach(r -> text.append(r.row()).append('\n'));
        System.out.println();
        System.out.print(text);
        Files.createDirectories(out);
        Path file = out.resolve("rules-" + when.replace(':', '-') + ".md");
        Files.writeString(file, text.toString());
        System.out.println("Written to " + file);
    }
}
