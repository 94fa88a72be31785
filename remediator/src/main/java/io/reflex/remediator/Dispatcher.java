package io.reflex.remediator;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Outcome;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionResult;
import io.reflex.model.ActionStatus;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Carries one action to its connector and reports every step. Blocking: runs on a worker
 * thread. Knows nothing of Kafka: what it reports goes to a {@link Reporter}.
 *
 * <p>An action id is run at most once per dispatcher: ids already finished (seeded from
 * {@code reflex.results} at start, see {@link #markFinished}) are skipped.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    /** Where results and timeline entries go; the Kafka-backed one writes both topics. */
    interface Reporter {
        void result(String key, ActionResult result);

        void timeline(TimelineEntry entry);
    }

    private final Function<String, Optional<Connector>> connectors;
    private final Set<String> connectorNames;
    private final Reporter reporter;
    private final Clock clock;
    private final RemediatorMetrics metrics;
    private final Set<String> finished = ConcurrentHashMap.newKeySet();

    Dispatcher(Function<String, Optional<Connector>> connectors, Set<String> connectorNames, Reporter reporter,
            Clock clock, RemediatorMetrics metrics) {
        this.connectors = connectors;
        this.connectorNames = connectorNames;
        this.reporter = reporter;
        this.clock = clock;
        this.metrics = metrics;
    }

    void markFinished(String actionId) {
        finished.add(actionId);
    }

    /** Runs the action unless it already ran; returns the final status it reported (empty when skipped as a repeat). */
    Optional<ActionStatus> dispatch(Action action) {
        MDC.put("incidentId", action.incidentId());
        MDC.put("actionId", action.id());
        try {
            if (!finished.add(action.id())) {
                log.info("Action {} already ran; this delivery is a repeat and is ignored", action.id());
                return Optional.empty();
            }
            ActionStatus status = run(action);
            metrics.finished(action.type().wireName(), status);
            return Optional.of(status);
        } finally {
            MDC.remove("incidentId");
            MDC.remove("actionId");
        }
    }

    private ActionStatus run(Action action) {
        String what = action.type().wireName() + " " + action.target().key();
        Instant now = clock.instant();
        if (now.isAfter(action.deadline())) {
            return finish(action, ActionStatus.TIMED_OUT, 1, now,
                    "deadline " + action.deadline() + " passed before dispatch; nothing was done");
        }
        if (action.mode() != ActionMode.EXECUTE) {
            return finish(action, ActionStatus.SKIPPED, 1, now,
                    action.mode() + ": would " + what + " through " + action.target().connector() + "; nothing was done");
        }
        Optional<Connector> connector = connectors.apply(action.target().connector());
        if (connector.isEmpty()) {
            return finish(action, ActionStatus.FAILED, 1, now, "no connector named '" + action.target().connector()
                    + "' is configured (configured: " + connectorNames + "); add it under connectors: in the config");
        }
        reporter.result(action.resultKey(),
                new ActionResult(action.id(), action.incidentId(), ActionStatus.STARTED, 1, null, now, null,
                        action.type()));
        reporter.timeline(new TimelineEntry(action.incidentId(), now, TimelineKind.ACTION_DISPATCHED,
                "dispatched " + what + " to connector " + action.target().connector(),
                Map.of("actionId", action.id(), "connector", action.target().connector())));
        log.info("Dispatching {} through {}", what, action.target().connector());
        Outcome outcome;
        try {
            outcome = connector.get().execute(action);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = Outcome.failed("interrupted while running (Reflex is shutting down); check the target by hand", true);
        } catch (RuntimeException e) {
            log.warn("Connector {} threw while running {}", action.target().connector(), what, e);
            outcome = Outcome.failed("connector " + action.target().connector() + " failed unexpectedly: " + e, false);
        }
        return finish(action, outcome.status(), 1, now, outcome.detail());
    }

    private ActionStatus finish(Action action, ActionStatus status, int attempt, Instant startedAt, String detail) {
        Instant now = clock.instant();
        reporter.result(action.resultKey(),
                new ActionResult(action.id(), action.incidentId(), status, attempt, detail, startedAt, now,
                        action.type()));
        reporter.timeline(new TimelineEntry(action.incidentId(), now, TimelineKind.ACTION_RESULT,
                action.type().wireName() + " " + action.target().key() + " " + status + ": " + detail,
                Map.of("actionId", action.id(), "status", status.name())));
        log.info("Action {} {}: {}", action.type().wireName(), status, detail);
        return status;
    }
}
