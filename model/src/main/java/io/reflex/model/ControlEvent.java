package io.reflex.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * A change to the remediators' shared state, on the compacted topic {@code reflex.control}:
 * every remediator process reads it from the beginning and applies it, so the kill switch,
 * silences added at run time and releases hold for the whole deployment and survive restarts.
 * Keyed so the latest per key wins: {@link #PAUSE_KEY} (PAUSE or RESUME),
 * {@code silence:<id>} (SILENCE or UNSILENCE), {@code release:<target key>} (RELEASE).
 *
 * @param by     who did it ({@code X-Reflex-Author})
 * @param reason optional, for people
 * @param data   what the kind needs: SILENCE carries {@code silence} (the silence as JSON),
 *               UNSILENCE {@code id}, RELEASE {@code target}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlEvent(Kind kind, String by, Instant at, String reason, Map<String, String> data) {

    public static final String PAUSE_KEY = "pause";

    public enum Kind {
        PAUSE,
        RESUME,
        SILENCE,
        UNSILENCE,
        RELEASE
    }

    public ControlEvent {
        Names.require(kind, "kind");
        Names.requireText(by, "by");
        Names.require(at, "at");
        data = Names.copy(data);
    }

    /** The topic key: the latest event per key wins. */
    public String key() {
        return switch (kind) {
            case PAUSE, RESUME -> PAUSE_KEY;
            case SILENCE, UNSILENCE -> "silence:" + Names.requireText(data.get("id"), "data.id");
            case RELEASE -> "release:" + Names.requireText(data.get("target"), "data.target");
        };
    }
}
