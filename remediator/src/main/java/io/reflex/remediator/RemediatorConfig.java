package io.reflex.remediator;

import java.util.ArrayList;
import java.util.List;

/**
 * The remediator role's settings (YAML section {@code remediator}).
 *
 * @param groupId       the consumer group: every remediator process of one deployment shares it,
 *                      so each action is handed to one of them
 * @param maxPollRecords how many actions one poll may hand over; a batch is finished (results
 *                      written, offsets committed) before the next poll
 */
public record RemediatorConfig(String groupId, Integer maxPollRecords) {

    public RemediatorConfig {
        groupId = groupId == null ? "reflex-remediator" : groupId;
        maxPollRecords = maxPollRecords == null ? 50 : maxPollRecords;
    }

    public static RemediatorConfig defaults() {
        return new RemediatorConfig(null, null);
    }

    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (groupId.isBlank()) {
            problems.add("remediator.groupId must not be empty");
        }
        if (maxPollRecords < 1) {
            problems.add("remediator.maxPollRecords must be at least 1, got " + maxPollRecords);
        }
        return problems;
    }
}
