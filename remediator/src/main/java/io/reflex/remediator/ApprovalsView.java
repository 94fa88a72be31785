package io.reflex.remediator;

import io.reflex.model.Approval;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approvals of the deployment as read from {@code reflex.approvals} (every process reads
 * all of it). The first decision after a request wins: a decision racing it (an approve and a
 * reject at once, an approval at the instant of expiry) comes later in the partition and is
 * ignored by every reader alike; the API tells its caller it lost (409) once it has read its own
 * write back. Thread-safe.
 */
public final class ApprovalsView {
    private static final Logger log = LoggerFactory.getLogger(ApprovalsView.class);

    private final ConcurrentMap<String, Approval> approvals = new ConcurrentHashMap<>();

    /** A record read from the topic, keyed by action id. */
    void apply(String key, Approval approval) {
        String id = key != null ? key : approval.actionId();
        approvals.compute(id, (k, current) -> {
            if (current == null || !current.state().decided()) {
                return approval;
            }
            if (!approval.equals(current)) {
                log.info("Approval of action {} was already {} by {}; ignoring the later {} by {}", id,
                        current.state(), current.decidedBy(), approval.state(), approval.decidedBy());
            }
            return current;
        });
    }

    public Optional<Approval> get(String actionId) {
        return Optional.ofNullable(approvals.get(actionId));
    }

    /** Every approval in this state, the oldest request first. */
    public List<Approval> inState(Approval.State state) {
        List<Approval> found = new ArrayList<>();
        approvals.values().forEach(a -> {
            if (a.state() == state) {
                found.add(a);
            }
        });
        found.sort(Comparator.comparing(Approval::requestedAt));
        return found;
    }

    public List<Approval> all() {
        List<Approval> found = new ArrayList<>(approvals.values());
        found.sort(Comparator.comparing(Approval::requestedAt));
        return found;
    }
}
