package io.reflex.drill;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.Ids;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import io.reflex.model.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Restarts a faulted service by writing a {@code restart_service} action to {@code reflex.actions}
 * for the running Reflex's remediator to execute through the service's connector. Only that Reflex
 * can restart it: its process connector owns the process (a restart from the drill's own process
 * would start a second, unmanaged copy). The action goes through the remediator's guardrails like
 * any other, carries the rule name {@value #RULE} and the label {@code drillId}, and lands on the
 * incident's timeline when there is one.
 */
public final class KafkaActionUndo implements FaultUndo {
    static final String RULE = "drill undo";
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    private final Map<String, Object> kafka;
    private final Clock clock;

    public KafkaActionUndo(Map<String, Object> kafka, Clock clock) {
        this.kafka = Map.copyOf(kafka);
        this.clock = clock;
    }

    @Override
    public String restart(Fault fault, String incidentId, String drillId) {
        Fault.ProcessSignal process = (Fault.ProcessSignal) fault;
        Instant now = clock.instant();
        // The time too: two runs of one drill within a second share a drill id, and the remediator would drop the second undo as a repeat.
        String id = Ids.stable("act", drillId, RULE, process.service(), now);
        Action action = new Action(id, incidentId != null ? incidentId : drillId, new RuleRef(RULE, 0),
                ActionType.RESTART_SERVICE, new Target(process.connector(), "service", process.service()), Map.of(),
                ActionMode.EXECUTE, false, now, now.plus(DEADLINE), fault.resourceKey(), Map.of("drillId", drillId));
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "reflex-drill-undo");
        try (KafkaProducer<String, Action> producer = new KafkaProducer<>(props, new StringSerializer(),
                Topics.ACTIONS.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(Topics.ACTIONS.name(), action.target().key(), action))
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write the undo action to " + Topics.ACTIONS.name() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the undo action", e);
        }
        return id;
    }
}
