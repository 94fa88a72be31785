package io.reflex.ingest;

import io.reflex.model.Resource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the resource an alert is about from its labels (ARCHITECTURE.md, "Incidents and
 * resources"). The default rules, tried in order, first match wins:
 * {@code deployment} (+{@code namespace}) → {@code deployment:NAME}, {@code pod} (+{@code namespace})
 * → {@code pod:NAME}, {@code service} → {@code service:NAME}, {@code host}, {@code node} or
 * {@code instance} → {@code host:NAME}. A label with an empty value counts as absent, as in Prometheus.
 *
 * <p><b>An alert that no rule places</b> is filed under kind {@value #FALLBACK_KIND} with the alert
 * name as its name ({@code alert:DiskFull}), and that is logged at INFO once per alert name. It is
 * not rejected: Alertmanager sends whole groups, and one unplaceable alert must not make the
 * webhook drop its neighbours. Such an alert still opens an incident, so nothing is lost; no
 * remediation rule matches it until the mapping (or the alert's labels) names a resource.
 *
 * <p>The resource's {@code host} is its name for kind {@code host}, otherwise the {@code host}
 * label when there is one. The value of {@code instance} is taken as it is (Prometheus usually
 * puts {@code host:port} there); map a cleaner label first if that matters.
 */
public final class ResourceMapper {

    private static final Logger LOG = LoggerFactory.getLogger(ResourceMapper.class);

    /** Kind of the resource of an alert that no rule places. */
    public static final String FALLBACK_KIND = "alert";

    public static final List<ResourceRule> DEFAULT_RULES = List.of(
            ResourceRule.namespaced("deployment", "deployment"),
            ResourceRule.namespaced("pod", "pod"),
            ResourceRule.of("service", "service"),
            ResourceRule.of("host", "host"),
            ResourceRule.of("node", "host"),
            ResourceRule.of("instance", "host"));

    /** Bounds the memory of "already logged": alert names come from outside. */
    private static final int MAX_REMEMBERED_UNPLACED = 10_000;

    private final List<ResourceRule> rules;
    private final List<String> labelsLookedFor;
    private final Set<String> unplacedLogged = ConcurrentHashMap.newKeySet();

    /** The default mapping. */
    public ResourceMapper() {
        this(DEFAULT_RULES);
    }

    /**
     * @param rules tried in order; an empty list files every alert under {@value #FALLBACK_KIND}
     * @throws IllegalArgumentException listing every bad rule
     */
    public ResourceMapper(List<ResourceRule> rules) {
        List<String> problems = new java.util.ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            problems.addAll(rules.get(i).problems("resourceMapping[" + i + "]"));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid resource mapping: " + String.join("; ", problems));
        }
        this.rules = List.copyOf(rules);
        this.labelsLookedFor = this.rules.stream().map(ResourceRule::label).distinct().toList();
    }

    public List<ResourceRule> rules() {
        return rules;
    }

    /**
     * The resource of one alert.
     *
     * @param alertName the alert's name, used when no rule matches; must not be empty
     * @param labels    the alert's labels
     */
    public Resource map(String alertName, Map<String, String> labels) {
        if (alertName == null || alertName.isBlank()) {
            throw new IllegalArgumentException("alertName must not be empty: it names the resource of unplaced alerts");
        }
        String hostLabel = nonEmpty(labels.get("host"));
        for (ResourceRule rule : rules) {
            String name = nonEmpty(labels.get(rule.label()));
            if (name != null) {
                String namespace = rule.namespaced() ? nonEmpty(labels.get("namespace")) : null;
                String host = "host".equals(rule.kind()) ? name : hostLabel;
                return new Resource(rule.kind(), name, namespace, host);
            }
        }
        logUnplacedOnce(alertName);
        return new Resource(FALLBACK_KIND, alertName, null, hostLabel);
    }

    private void logUnplacedOnce(String alertName) {
        if (unplacedLogged.size() < MAX_REMEMBERED_UNPLACED && unplacedLogged.add(alertName)) {
            LOG.info("alert {} has none of the labels {}; filed under resource {}:{}. Add one of those labels to "
                    + "the alert, or a rule to ingest.resourceMapping, so remediation rules can act on it "
                    + "(logged once per alert name)", alertName, labelsLookedFor, FALLBACK_KIND, alertName);
        }
    }

    private static String nonEmpty(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
