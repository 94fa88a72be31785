package io.reflex.app.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The stages one Reflex process can run; {@code ./reflex up} runs them all. */
public enum Role {
    INGEST,
    RULES,
    REMEDIATOR,
    CONSOLE,
    /** Runs drills asked for over the API ({@code /api/drills}) and keeps their reports. */
    DRILL;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String text) {
        for (Role role : values()) {
            if (role.id().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + text.trim() + "'; roles are "
                + Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", ")));
    }
}
