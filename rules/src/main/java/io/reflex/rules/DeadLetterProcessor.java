package io.reflex.rules;

import io.reflex.model.AlertEvent;
import io.reflex.model.DeadLetter;
import io.reflex.model.Incident;
import io.reflex.model.IncidentStatus;
import io.reflex.model.TimelineEntry;
import io.reflex.model.TimelineKind;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an alert that ingest could not store ({@code reflex.alerts.dlq}) into an ESCALATED
 * incident, so it lands in front of a person on the console instead of vanishing. The rules
 * never see it: its content could not be kept whole. Stateless, and its incident id is derived
 * from the dead alert, so a repeated dead letter updates the same incident.
 */
final class DeadLetterProcessor implements Processor<String, DeadLetter, String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessor.class);

    private ProcessorContext<String, Object> context;

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, DeadLetter> record) {
        DeadLetter letter = record.value();
        if (letter == null) {
            return;
        }
        AlertEvent alert = letter.alert();
        String id = Incident.idFor(alert.resource(), alert.name(), "dead-letter:" + alert.id());
        Incident incident = new Incident(id, IncidentStatus.ESCALATED,
                alert.name() + " on " + alert.resource().key() + " could not be stored", alert.resource(),
                alert.name(), letter.at(), null, List.of(), List.of());
        LOG.warn("incident {} escalated: {} {} from {} was dead-lettered ({}): {}", id, alert.name(), alert.status(),
                alert.source(), letter.reason(), letter.detail());
        long timestamp = record.timestamp();
        context.forward(new Record<>(id, incident, timestamp), DecisionTopology.INCIDENTS_SINK);
        context.forward(new Record<>(id, new TimelineEntry(id, letter.at(), TimelineKind.ALERT_RECEIVED,
                alert.name() + " " + alert.status() + " from " + alert.source() + " could not be stored: "
                        + letter.detail(),
                Map.of("alertId", alert.id(), "source", alert.source(), "reason", letter.reason())), timestamp),
                DecisionTopology.TIMELINE_SINK);
        context.forward(new Record<>(id, new TimelineEntry(id, letter.at(), TimelineKind.ESCALATED,
                "escalated to a person: no rule can act on an alert that was not stored (kept on "
                        + "reflex.alerts.dlq, reason " + letter.reason() + ")",
                Map.of("alertId", alert.id(), "reason", letter.reason())), timestamp),
                DecisionTopology.TIMELINE_SINK);
    }
}
