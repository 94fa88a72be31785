package io.reflex.console;

import java.util.Objects;

/**
 * A role whose consumer lag the status page shows, and the Kafka consumer group it commits
 * offsets under (the rules stage: its Kafka Streams {@code application.id}; the remediator:
 * its {@code groupId}).
 */
public record ConsumerGroupRole(String role, String groupId) {
    public ConsumerGroupRole {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(groupId, "groupId");
        if (role.isBlank() || groupId.isBlank()) {
            throw new IllegalArgumentException("role and groupId must not be blank, got role '" + role
                    + "' and groupId '" + groupId + "'");
        }
    }
}
