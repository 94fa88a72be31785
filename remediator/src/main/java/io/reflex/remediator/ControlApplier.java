package io.reflex.remediator;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.reflex.model.ControlEvent;
import io.reflex.model.Json;
import io.reflex.remediator.guard.Guardrails;
import io.reflex.remediator.guard.KillSwitch;
import io.reflex.remediator.guard.Silence;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code reflex.control} events to this process's guardrails, in topic order: every
 * remediator reads the topic from the beginning, so all of them end up in the state the latest
 * event per switch set, also after a restart.
 */
final class ControlApplier implements Consumer<ControlEvent> {
    private static final Logger log = LoggerFactory.getLogger(ControlApplier.class);
    static final String SILENCE = "silence";
    static final String ID = "id";
    static final String TARGET = "target";

    private final Guardrails guardrails;

    ControlApplier(Guardrails guardrails) {
        this.guardrails = guardrails;
    }

    @Override
    public void accept(ControlEvent event) {
        switch (event.kind()) {
            case PAUSE -> guardrails.killSwitch().set(new KillSwitch.State(true, event.by(), event.at(), event.reason()));
            case RESUME -> guardrails.killSwitch().set(new KillSwitch.State(false, event.by(), event.at(), null));
            case SILENCE -> {
                try {
                    guardrails.holds().addSilence(Json.MAPPER.readValue(event.data().get(SILENCE), Silence.class));
                } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
                    log.warn("Ignoring silence {} from {}: {}", event.data().get(ID), event.by(), e.getMessage());
                }
            }
            case UNSILENCE -> guardrails.holds().removeSilence(event.data().get(ID));
            // At the event's time, not now: replayed at start it must not undo what happened after it.
            case RELEASE -> guardrails.activity().release(event.data().get(TARGET), event.at());
        }
        log.info("Applied {} by {} at {}{}", event.kind(), event.by(), event.at(),
                event.reason() == null ? "" : " (" + event.reason() + ")");
    }
}
