package io.reflex.connectors.kubernetes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on a Kubernetes cluster through the fabric8 client: rollout restart, scale, stop and
 * start of deployments; cordon, uncordon, drain and isolation of nodes; isolation of pods with a
 * deny-all NetworkPolicy.
 *
 * <p>Targets: {@code deployment:NAME} or {@code deployment:NAMESPACE/NAME}, {@code pod:…} likewise,
 * {@code node:NAME}. The namespace is, in order, the one in the target name, the alert label
 * {@code namespace}, the configured default. Every name is checked against the DNS-1123 rules
 * and the namespace against the allowlist before any request: a refused action makes no call.
 *
 * <p>Changes are JSON merge patches, JSON patches and creates of named objects, so running an
 * action twice leaves the same state (a second restart restarts again, as
 * {@code kubectl rollout restart} does). Nothing is logged from the client configuration:
 * tokens and keys stay in the kubeconfig or the service account.
 */
public final class KubernetesConnector implements Connector {

    public static final String NAME = "kubernetes";
    /** The annotation {@code kubectl rollout restart} sets: the same one, so both tools agree. */
    public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
    /** Remembers a stopped deployment's replica count so {@code start_service} can bring it back. */
    public static final String REPLICAS_BEFORE_STOP = "reflex.io/replicas-before-stop";
    public static final String ISOLATED_LABEL = "reflex.io/isolated";
    /** Names the NetworkPolicy that isolates a pod, so the policy selects only the pods of its action. */
    public static final String ISOLATION_LABEL = "reflex.io/isolation";
    public static final String ISOLATED_TAINT = "reflex.io/isolated";
    public static final String REPLICAS_PARAM = "replicas";

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesConnector.class);
    private static final Duration POLL = Duration.ofSeconds(1);

    private final String name;
    private final KubernetesSettings settings;
    private final KubernetesClient client;
    private final Clock clock;

    /**
     * @param client owned from now on: {@link #close()} closes it
     */
    public KubernetesConnector(String name, KubernetesSettings settings, KubernetesClient client, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.client = Objects.requireNonNull(client, "client");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Outcome execute(Action action) throws InterruptedException {
        final Plan plan;
        try {
            plan = plan(action);
        } catch (Refusal refusal) {
            LOG.warn("action {} (incident {}) refused: {}", action.id(), action.incidentId(), refusal.getMessage());
            return Outcome.refused(refusal.getMessage());
        }
        if (action.mode() != ActionMode.EXECUTE) {
            return Outcome.succeeded(action.mode() + ": would " + plan.verb() + " " + plan.target.describe()
                    + "; nothing was sent to the API server");
        }
        if (!clock.instant().isBefore(action.deadline())) {
            return Outcome.failed("the deadline " + action.deadline() + " passed before " + plan.verb() + " "
                    + plan.target.describe() + " could start; nothing was changed", true);
        }
        LOG.info("{} {} for action {} (incident {}), deadline {}", plan.verb(), plan.target.describe(), action.id(),
                action.incidentId(), action.deadline());
        Outcome outcome;
        try {
            outcome = switch (action.type()) {
                case RESTART_SERVICE -> restart(plan, action);
                case SCALE -> scale(plan, action);
                case STOP_SERVICE -> stop(plan, action);
                case START_SERVICE -> start(plan, action);
                case CORDON_NODE -> cordon(plan.target);
                case UNCORDON_NODE -> uncordon(plan.target);
                case DRAIN_NODE -> drain(plan.target);
                case ISOLATE_HOST -> plan.target.kind() == KubeTarget.Kind.NODE
                        ? isolateNode(plan.target) : isolatePod(plan.target, action);
                default -> throw new IllegalStateException("plan() accepted " + action.type());
            };
        } catch (KubernetesClientException e) {
            outcome = failure(e, plan);
        }
        LOG.info("action {} on {}: {} - {}", action.id(), plan.target.describe(), outcome.status(), outcome.detail());
        return outcome;
    }

    @Override
    public Reconciliation reconcile(Action action, Instant startedAt) throws InterruptedException {
        final Plan plan;
        try {
            plan = plan(action);
        } catch (Refusal refusal) {
            // Running it again is safe: it is refused again without a call.
            return Reconciliation.notApplied("the action is refused, so it changed nothing: " + refusal.getMessage());
        }
        if (action.mode() != ActionMode.EXECUTE) {
            return Reconciliation.notApplied(action.mode() + " actions never touch the cluster");
        }
        final KubeTarget target = plan.target;
        final Reconciliation result;
        try {
            result = switch (action.type()) {
                case RESTART_SERVICE, SCALE, STOP_SERVICE, START_SERVICE -> reconcileDeployment(plan, action, startedAt);
                case CORDON_NODE, DRAIN_NODE -> reconcileNode(plan, action);
                case UNCORDON_NODE -> reconcileUncordoned(target);
                case ISOLATE_HOST -> target.kind() == KubeTarget.Kind.NODE
                        ? reconcileIsolatedNode(target) : reconcileIsolatedPod(target, action);
                default -> throw new IllegalStateException("plan() accepted " + action.type());
            };
        } catch (KubernetesClientException e) {
            rethrowInterrupt(e);
            return Reconciliation.unknown("could not read " + target.describe() + ": " + describe(e)
                    + "; check it by hand (kubectl get " + target.kind().word() + ")");
        }
        LOG.info("reconciled action {} ({} {}, started {}): {} - {}", action.id(), action.type().wireName(),
                target.describe(), startedAt, result.state(), result.detail());
        return result;
    }

    @Override
    public void close() {
        client.close();
    }

    // ---------------------------------------------------------------- checking, no I/O

    /** What an action will do, checked completely before any request. */
    private record Plan(ActionType type, KubeTarget target, int replicas) {
        String verb() {
            return switch (type) {
                case RESTART_SERVICE -> "restart";
                case SCALE -> "scale to " + replicas + " replicas";
                case STOP_SERVICE -> "stop (scale to 0)";
                case START_SERVICE -> "start (scale back)";
                case CORDON_NODE -> "cordon";
                case UNCORDON_NODE -> "uncordon";
                case DRAIN_NODE -> "drain";
                case ISOLATE_HOST -> "isolate";
                default -> type.wireName();
            };
        }
    }

    /** A reason to refuse an action; thrown before any request is made. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        Refusal(String message) {
            super(message, null, false, false);
        }
    }

    private Plan plan(Action action) throws Refusal {
        final Set<KubeTarget.Kind> kinds = switch (action.type()) {
            case RESTART_SERVICE, SCALE, STOP_SERVICE, START_SERVICE -> Set.of(KubeTarget.Kind.DEPLOYMENT);
            case CORDON_NODE, UNCORDON_NODE, DRAIN_NODE -> Set.of(KubeTarget.Kind.NODE);
            case ISOLATE_HOST -> Set.of(KubeTarget.Kind.POD, KubeTarget.Kind.NODE);
            default -> throw new Refusal("the kubernetes connector does not do " + action.type().wireName()
                    + "; it does restart_service, scale, stop_service, start_service (deployment), cordon_node,"
                    + " uncordon_node, drain_node (node) and isolate_host (pod or node)");
        };
        final String kindText = action.target().kind();
        final KubeTarget.Kind kind = KubeTarget.Kind.of(kindText);
        if (kind == null || !kinds.contains(kind)) {
            throw new Refusal(action.type().wireName() + " acts on " + words(kinds) + ", not on target kind "
                    + KubernetesNames.quote(kindText));
        }
        final KubeTarget target = target(kind, action);
        int replicas = -1;
        if (action.type() == ActionType.SCALE) {
            replicas = replicas(action.params().get(REPLICAS_PARAM));
        }
        return new Plan(action.type(), target, replicas);
    }

    private KubeTarget target(KubeTarget.Kind kind, Action action) throws Refusal {
        final String raw = action.target().name();
        final int slash = raw.indexOf('/');
        if (!kind.namespaced()) {
            if (!KubernetesNames.isSubdomain(raw)) {
                throw new Refusal(KubernetesNames.whyNotSubdomain(kind.word() + " name", raw));
            }
            return new KubeTarget(kind, null, raw);
        }
        final String objectName = slash < 0 ? raw : raw.substring(slash + 1);
        if (!KubernetesNames.isSubdomain(objectName)) {
            // Covers "a/b/c" and "../x" too: '/' and a leading '.' are never part of a name.
            throw new Refusal(KubernetesNames.whyNotSubdomain(kind.word() + " name", raw));
        }
        final String namespace;
        final String from;
        if (slash >= 0) {
            namespace = raw.substring(0, slash);
            from = "the target name";
        } else if (action.label("namespace") != null) {
            namespace = action.label("namespace");
            from = "the alert label 'namespace'";
        } else {
            namespace = settings.namespace();
            from = "the configured default";
        }
        if (!KubernetesNames.isLabel(namespace)) {
            throw new Refusal(KubernetesNames.whyNotLabel("namespace (from " + from + ")", namespace));
        }
        if (!settings.namespaceAllowed(namespace)) {
            throw new Refusal("namespace '" + namespace + "' (from " + from + ") is not in the allowlist "
                    + settings.namespaces() + " of connector " + name + "; add it to connectors." + name
                    + ".namespaces if Reflex may act there");
        }
        return new KubeTarget(kind, namespace, objectName);
    }

    private int replicas(String raw) throws Refusal {
        if (raw == null || raw.isBlank()) {
            throw new Refusal("scale needs the parameter '" + REPLICAS_PARAM + "' (a whole number from 0 to "
                    + settings.maxReplicas() + ")");
        }
        final int replicas;
        try {
            replicas = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new Refusal("parameter '" + REPLICAS_PARAM + "' is " + KubernetesNames.quote(raw)
                    + ", not a whole number from 0 to " + settings.maxReplicas());
        }
        if (replicas < 0 || replicas > settings.maxReplicas()) {
            throw new Refusal("parameter '" + REPLICAS_PARAM + "' is " + replicas + ", outside 0.."
                    + settings.maxReplicas() + " (connectors." + name + ".maxReplicas)");
        }
        return replicas;
    }

    // ---------------------------------------------------------------- deployments

    private Outcome restart(Plan plan, Action action) throws InterruptedException {
        final KubeTarget t = plan.target;
        final Deployment before = deployment(t);
        if (before == null) {
            return notFound(t);
        }
        final String restartedAt = clock.instant().toString();
        final ObjectNode patch = Json.MAPPER.createObjectNode();
        patch.putObject("spec").putObject("template").putObject("metadata").putObject("annotations")
                .put(RESTARTED_AT, restartedAt);
        final Deployment after = patchDeployment(t, patch);
        if (!restartedAt.equals(templateAnnotation(after, RESTARTED_AT))) {
            // An admission webhook may rewrite or drop it: then no rollout was triggered.
            return Outcome.failed("the API server accepted the restart of " + t.describe() + " but its pod template"
                    + " does not carry " + RESTARTED_AT + "=" + restartedAt + " (an admission webhook may have changed"
                    + " it); check the deployment", true);
        }
        final String change = "restarted " + t.describe() + " (" + RESTARTED_AT + "=" + restartedAt + ", generation "
                + generation(before) + " -> " + generation(after) + ")";
        return awaitRollout(t, after, change, action);
    }

    private Outcome scale(Plan plan, Action action) throws InterruptedException {
        final KubeTarget t = plan.target;
        final Deployment before = deployment(t);
        if (before == null) {
            return notFound(t);
        }
        final ObjectNode patch = Json.MAPPER.createObjectNode();
        patch.putObject("spec").put("replicas", plan.replicas);
        final Deployment after = patchDeployment(t, patch);
        return awaitRollout(t, after, "scaled " + t.describe() + " from " + specReplicas(before) + " to "
                + plan.replicas + " replicas", action);
    }

    private Outcome stop(Plan plan, Action action) throws InterruptedException {
        final KubeTarget t = plan.target;
        final Deployment before = deployment(t);
        if (before == null) {
            return notFound(t);
        }
        final int current = specReplicas(before);
        final String remembered = annotation(before, REPLICAS_BEFORE_STOP);
        if (current == 0) {
            // Never overwrite the remembered count with 0: a second stop would make start impossible.
            return Outcome.succeeded(t.describe() + " is already stopped (0 replicas"
                    + (remembered == null ? "; no earlier replica count recorded)" : "; start_service brings back "
                    + remembered + ")"));
        }
        final ObjectNode patch = Json.MAPPER.createObjectNode();
        patch.putObject("metadata").putObject("annotations").put(REPLICAS_BEFORE_STOP, Integer.toString(current));
        patch.putObject("spec").put("replicas", 0);
        final Deployment after = patchDeployment(t, patch);
        return awaitRollout(t, after, "stopped " + t.describe() + ": scaled from " + current
                + " to 0 replicas (remembered in annotation " + REPLICAS_BEFORE_STOP + ")", action);
    }

    private Outcome start(Plan plan, Action action) throws InterruptedException {
        final KubeTarget t = plan.target;
        final Deployment before = deployment(t);
        if (before == null) {
            return notFound(t);
        }
        final int current = specReplicas(before);
        final String remembered = annotation(before, REPLICAS_BEFORE_STOP);
        if (remembered == null) {
            if (current > 0) {
                return Outcome.succeeded(t.describe() + " is already running with " + current + " replicas");
            }
            return Outcome.failed(t.describe() + " has 0 replicas and no " + REPLICAS_BEFORE_STOP
                    + " annotation, so Reflex did not stop it and does not know how many replicas to start;"
                    + " use a scale action with a replica count", false);
        }
        int target;
        try {
            target = Integer.parseInt(remembered.trim());
        } catch (NumberFormatException e) {
            target = -1;
        }
        if (target < 1 || target > settings.maxReplicas()) {
            return Outcome.failed(t.describe() + " has annotation " + REPLICAS_BEFORE_STOP + "="
                    + KubernetesNames.quote(remembered) + ", which is not a replica count from 1 to "
                    + settings.maxReplicas() + "; fix or remove the annotation, or use a scale action", false);
        }
        // A JSON patch, not a merge patch: "test" makes it fail (422) when someone changed the
        // annotation meanwhile, and "remove" drops the key (fabric8's mock keeps a merge-patch null).
        final String pointer = "/metadata/annotations/" + REPLICAS_BEFORE_STOP.replace("~", "~0").replace("/", "~1");
        final com.fasterxml.jackson.databind.node.ArrayNode patch = Json.MAPPER.createArrayNode();
        patch.addObject().put("op", "test").put("path", pointer).put("value", remembered);
        patch.addObject().put("op", "remove").put("path", pointer);
        patch.addObject().put("op", "add").put("path", "/spec/replicas").put("value", target);
        final Deployment after = client.apps().deployments().inNamespace(t.namespace()).withName(t.name())
                .patch(PatchContext.of(PatchType.JSON), patch.toString());
        return awaitRollout(t, after, "started " + t.describe() + ": scaled from " + current + " back to " + target
                + " replicas", action);
    }

    /**
     * Waits until the deployment controller has rolled out {@code after}'s generation, bounded by
     * the deadline. With {@code waitForRollout: false} the accepted spec change is the success
     * (no controller runs against fabric8's mock server).
     */
    private Outcome awaitRollout(KubeTarget t, Deployment after, String change, Action action)
            throws InterruptedException {
        if (!settings.waitForRollout()) {
            return Outcome.succeeded(change + "; the API server accepted the change, rollout not awaited"
                    + " (waitForRollout: false)");
        }
        final long generation = generation(after) == null ? 0 : generation(after);
        String progress = "not observed yet";
        while (true) {
            final Deployment current = deployment(t);
            if (current == null) {
                return Outcome.failed(t.describe() + " disappeared while rolling out (" + change + ")", false);
            }
            final int wanted = specReplicas(current);
            final DeploymentStatus status = current.getStatus();
            if (status != null) {
                final long observed = status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
                final int updated = zero(status.getUpdatedReplicas());
                final int total = zero(status.getReplicas());
                final int available = zero(status.getAvailableReplicas());
                progress = updated + "/" + wanted + " updated, " + available + " available, " + total + " total,"
                        + " observed generation " + observed + " of " + generation;
                if (observed >= generation && updated == wanted && total == wanted && available == wanted) {
                    return Outcome.succeeded(change + "; rollout complete (" + progress + ")");
                }
                final Optional<DeploymentCondition> stuck = condition(status, "Progressing")
                        .filter(c -> "ProgressDeadlineExceeded".equals(c.getReason()));
                if (observed >= generation && stuck.isPresent()) {
                    return Outcome.failed(change + ", but the rollout is stuck (ProgressDeadlineExceeded: "
                            + stuck.get().getMessage() + "); check `kubectl rollout status` and the new pods' events",
                            false);
                }
            }
            final Duration left = Duration.between(clock.instant(), action.deadline());
            if (left.isNegative() || left.isZero()) {
                // Not retriable: the change is in place and the controller keeps rolling; running
                // the action again would only restart once more.
                return Outcome.failed(change + ", but the rollout did not finish by the deadline (" + progress
                        + "); check `kubectl rollout status " + t.kind().word() + "/" + t.name() + " -n "
                        + t.namespace() + "`", false);
            }
            Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), left.toMillis())));
        }
    }

    // ---------------------------------------------------------------- nodes

    private Outcome cordon(KubeTarget t) {
        final Node node = client.nodes().withName(t.name()).get();
        if (node == null) {
            return notFound(t);
        }
        if (unschedulable(node)) {
            return Outcome.succeeded(t.describe() + " is already cordoned (unschedulable)");
        }
        cordonNode(t);
        return Outcome.succeeded("cordoned " + t.describe() + ": no new pods are scheduled on it");
    }

    /** Undoes a cordon (a drill's cordon fault, or a person's): the node takes new pods again. */
    private Outcome uncordon(KubeTarget t) {
        final Node node = client.nodes().withName(t.name()).get();
        if (node == null) {
            return notFound(t);
        }
        if (!unschedulable(node)) {
            return Outcome.succeeded(t.describe() + " is already schedulable (not cordoned)");
        }
        final ObjectNode patch = Json.MAPPER.createObjectNode();
        // A merge patch with null removes the field, as kubectl uncordon leaves it.
        patch.putObject("spec").putNull("unschedulable");
        client.nodes().withName(t.name()).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
        return Outcome.succeeded("uncordoned " + t.describe() + ": new pods can be scheduled on it again");
    }

    private Outcome drain(KubeTarget t) {
        final Node node = client.nodes().withName(t.name()).get();
        if (node == null) {
            return notFound(t);
        }
        final List<Pod> pods = podsOn(t.name());
        final List<String> skipped = new ArrayList<>();
        final List<Pod> evictable = new ArrayList<>();
        final List<String> forbidden = new ArrayList<>();
        for (Pod pod : pods) {
            if (daemonOrMirror(pod)) {
                skipped.add(podKey(pod));
            } else if (!settings.namespaceAllowed(pod.getMetadata().getNamespace())) {
                forbidden.add(podKey(pod));
            } else {
                evictable.add(pod);
            }
        }
        if (!forbidden.isEmpty()) {
            // Checked before cordoning: a refused drain leaves the node as it was.
            return Outcome.refused("drain " + t.describe() + " would evict pods outside the namespace allowlist "
                    + settings.namespaces() + ": " + String.join(", ", forbidden) + "; drain it by hand or widen"
                    + " connectors." + name + ".namespaces");
        }
        if (!unschedulable(node)) {
            cordonNode(t);
        }
        final List<String> evicted = new ArrayList<>();
        final List<String> gone = new ArrayList<>();
        final List<String> blocked = new ArrayList<>();
        for (Pod pod : evictable) {
            try {
                final boolean accepted = client.pods().inNamespace(pod.getMetadata().getNamespace())
                        .withName(pod.getMetadata().getName()).evict();
                (accepted ? evicted : blocked).add(podKey(pod));
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    gone.add(podKey(pod));
                } else {
                    throw e;
                }
            }
        }
        final StringBuilder detail = new StringBuilder("drained " + t.describe() + ": cordoned; evicted "
                + (evicted.isEmpty() ? "no pods" : String.join(", ", evicted)));
        if (!gone.isEmpty()) {
            detail.append("; already gone: ").append(String.join(", ", gone));
        }
        if (!skipped.isEmpty()) {
            detail.append("; left DaemonSet and mirror pods: ").append(String.join(", ", skipped));
        }
        if (!blocked.isEmpty()) {
            return Outcome.failed(detail + "; a PodDisruptionBudget blocked the eviction of "
                    + String.join(", ", blocked) + " (HTTP 429); try again when the budget allows", true);
        }
        return Outcome.succeeded(detail + " (evicted pods terminate within their grace period)");
    }

    private Outcome isolateNode(KubeTarget t) {
        final Node node = client.nodes().withName(t.name()).get();
        if (node == null) {
            return notFound(t);
        }
        if (isolated(node)) {
            return Outcome.succeeded(t.describe() + " is already isolated (cordoned, labelled " + ISOLATED_LABEL
                    + "=true, tainted " + ISOLATED_TAINT + ":NoExecute)");
        }
        client.nodes().withName(t.name()).edit(n -> {
            if (n.getMetadata().getLabels() == null) {
                n.getMetadata().setLabels(new java.util.HashMap<>());
            }
            n.getMetadata().getLabels().put(ISOLATED_LABEL, "true");
            n.getSpec().setUnschedulable(true);
            if (n.getSpec().getTaints() == null) {
                n.getSpec().setTaints(new ArrayList<>());
            }
            if (n.getSpec().getTaints().stream().noneMatch(KubernetesConnector::isIsolationTaint)) {
                n.getSpec().getTaints().add(isolationTaint());
            }
            return n;
        });
        return Outcome.succeeded("isolated " + t.describe() + ": cordoned, labelled " + ISOLATED_LABEL
                + "=true and tainted " + ISOLATED_TAINT + "=true:NoExecute (pods without a toleration are evicted)");
    }

    // ---------------------------------------------------------------- pods

    private Outcome isolatePod(KubeTarget t, Action action) {
        final Pod pod = client.pods().inNamespace(t.namespace()).withName(t.name()).get();
        if (pod == null) {
            return notFound(t);
        }
        final String policyName = policyName(action);
        // The policy first: once the label lands, the pod is cut off at once, never labelled but open.
        final boolean created;
        if (client.network().v1().networkPolicies().inNamespace(t.namespace()).withName(policyName).get() == null) {
            final NetworkPolicy policy = new NetworkPolicyBuilder()
                    .withNewMetadata()
                    .withName(policyName)
                    .withNamespace(t.namespace())
                    .addToLabels("app.kubernetes.io/managed-by", "reflex")
                    .addToAnnotations("reflex.io/action-id", action.id())
                    .addToAnnotations("reflex.io/incident-id", action.incidentId())
                    .endMetadata()
                    .withNewSpec()
                    .withNewPodSelector().addToMatchLabels(ISOLATION_LABEL, policyName).endPodSelector()
                    // Both types and no rule: nothing in, nothing out.
                    .withPolicyTypes("Ingress", "Egress")
                    .endSpec()
                    .build();
            created = createPolicy(t.namespace(), policy);
        } else {
            created = false;
        }
        final ObjectNode patch = Json.MAPPER.createObjectNode();
        patch.putObject("metadata").putObject("labels").put(ISOLATED_LABEL, "true").put(ISOLATION_LABEL, policyName);
        client.pods().inNamespace(t.namespace()).withName(t.name())
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
        return Outcome.succeeded("isolated " + t.describe() + ": labelled " + ISOLATED_LABEL + "=true, "
                + ISOLATION_LABEL + "=" + policyName + "; NetworkPolicy " + t.namespace() + "/" + policyName
                + (created ? " created" : " already present") + " denies all ingress and egress of pods with that"
                + " label (enforced only when the cluster's network plugin supports NetworkPolicy)");
    }

    /** Creates the policy, and takes a concurrent creation of the same one (409) as done. */
    private boolean createPolicy(String namespace, NetworkPolicy policy) {
        try {
            client.network().v1().networkPolicies().inNamespace(namespace).resource(policy).create();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    /** Deterministic from the action id, so a second run finds the policy of the first. */
    static String policyName(Action action) {
        try {
            final byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(action.id().getBytes(StandardCharsets.UTF_8));
            return "reflex-isolate-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    // ---------------------------------------------------------------- reconciliation

    private Reconciliation reconcileDeployment(Plan plan, Action action, Instant startedAt) {
        final KubeTarget t = plan.target;
        final Deployment d = deployment(t);
        if (d == null) {
            return Reconciliation.unknown(t.describe() + " not found; it may have been deleted or renamed: check by hand");
        }
        final int replicas = specReplicas(d);
        switch (action.type()) {
            case RESTART_SERVICE -> {
                final String raw = templateAnnotation(d, RESTARTED_AT);
                if (raw == null) {
                    return Reconciliation.notApplied(t.describe() + " has no " + RESTARTED_AT + " annotation");
                }
                final Instant restartedAt;
                try {
                    restartedAt = Instant.parse(raw);
                } catch (DateTimeParseException e) {
                    return Reconciliation.unknown(t.describe() + " has " + RESTARTED_AT + "="
                            + KubernetesNames.quote(raw) + ", which is not a timestamp");
                }
                // kubectl writes whole seconds: compare at that precision.
                return restartedAt.isBefore(startedAt.truncatedTo(ChronoUnit.SECONDS))
                        ? Reconciliation.notApplied(t.describe() + " was last restarted at " + raw
                        + ", before the action started at " + startedAt)
                        : Reconciliation.applied(t.describe() + " was restarted at " + raw + ", after the action started at "
                        + startedAt);
            }
            case SCALE -> {
                return replicas == plan.replicas
                        ? Reconciliation.applied(t.describe() + " has " + replicas + " replicas, as asked")
                        : Reconciliation.notApplied(t.describe() + " has " + replicas + " replicas, not " + plan.replicas);
            }
            case STOP_SERVICE -> {
                return replicas == 0
                        ? Reconciliation.applied(t.describe() + " has 0 replicas")
                        : Reconciliation.notApplied(t.describe() + " still has " + replicas + " replicas");
            }
            default -> {
                return replicas > 0 && annotation(d, REPLICAS_BEFORE_STOP) == null
                        ? Reconciliation.applied(t.describe() + " runs with " + replicas + " replicas")
                        : Reconciliation.notApplied(t.describe() + " has " + replicas + " replicas"
                        + (annotation(d, REPLICAS_BEFORE_STOP) == null ? "" : " and is still marked as stopped"));
            }
        }
    }

    private Reconciliation reconcileNode(Plan plan, Action action) {
        final KubeTarget t = plan.target;
        final Node node = client.nodes().withName(t.name()).get();
        if (node == null) {
            return Reconciliation.unknown(t.describe() + " not found; check by hand");
        }
        if (!unschedulable(node)) {
            return Reconciliation.notApplied(t.describe() + " is schedulable (not cordoned)");
        }
        if (action.type() == ActionType.CORDON_NODE) {
            return Reconciliation.applied(t.describe() + " is cordoned");
        }
        final List<String> left = podsOn(t.name()).stream().filter(p -> !daemonOrMirror(p))
                .map(KubernetesConnector::podKey).toList();
        return left.isEmpty()
                ? Reconciliation.applied(t.describe() + " is cordoned and runs no pods besides DaemonSet and mirror pods")
                : Reconciliation.notApplied(t.describe() + " is cordoned but still runs " + String.join(", ", left));
    }

    private Reconciliation reconcileUncordoned(KubeTarget t) {
        final Node node = client.nodes().withName(t.name()).get();
        if (node == null) {
            return Reconciliation.unknown(t.describe() + " not found; check by hand");
        }
        return unschedulable(node)
                ? Reconciliation.notApplied(t.describe() + " is still cordoned (unschedulable)")
                : Reconciliation.applied(t.describe() + " is schedulable");
    }

    private Reconciliation reconcileIsolatedNode(KubeTarget t) {
        final Node node = client.nodes().withName(t.name()).get();
        if (node == null) {
            return Reconciliation.unknown(t.describe() + " not found; check by hand");
        }
        return isolated(node)
                ? Reconciliation.applied(t.describe() + " is cordoned, labelled and tainted " + ISOLATED_TAINT)
                : Reconciliation.notApplied(t.describe() + " is not (completely) isolated");
    }

    private Reconciliation reconcileIsolatedPod(KubeTarget t, Action action) {
        final Pod pod = client.pods().inNamespace(t.namespace()).withName(t.name()).get();
        if (pod == null) {
            return Reconciliation.unknown(t.describe() + " not found (it may have been replaced); check by hand");
        }
        final String policyName = policyName(action);
        final Map<String, String> labels = pod.getMetadata().getLabels();
        final boolean labelled = labels != null && "true".equals(labels.get(ISOLATED_LABEL))
                && policyName.equals(labels.get(ISOLATION_LABEL));
        final boolean policy = client.network().v1().networkPolicies().inNamespace(t.namespace())
                .withName(policyName).get() != null;
        if (labelled && policy) {
            return Reconciliation.applied(t.describe() + " is labelled and NetworkPolicy " + policyName + " exists");
        }
        return Reconciliation.notApplied(t.describe() + ": label " + (labelled ? "present" : "missing")
                + ", NetworkPolicy " + policyName + " " + (policy ? "present" : "missing"));
    }

    // ---------------------------------------------------------------- helpers

    private Deployment deployment(KubeTarget t) {
        return client.apps().deployments().inNamespace(t.namespace()).withName(t.name()).get();
    }

    private Deployment patchDeployment(KubeTarget t, ObjectNode patch) {
        return client.apps().deployments().inNamespace(t.namespace()).withName(t.name())
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }

    private void cordonNode(KubeTarget t) {
        final ObjectNode patch = Json.MAPPER.createObjectNode();
        patch.putObject("spec").put("unschedulable", true);
        client.nodes().withName(t.name()).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }

    private List<Pod> podsOn(String node) {
        // The field selector keeps the answer small on a real cluster. A server without field
        // selector support (fabric8's mock server) answers an empty list: an empty answer is
        // confirmed with a full list, which costs one more request only for an empty node.
        List<Pod> pods = client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems();
        if (pods.isEmpty()) {
            pods = client.pods().inAnyNamespace().list().getItems();
        }
        return pods.stream().filter(p -> p.getSpec() != null && node.equals(p.getSpec().getNodeName()))
                .sorted(java.util.Comparator.comparing(KubernetesConnector::podKey))
                .toList();
    }

    private static boolean daemonOrMirror(Pod pod) {
        final List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        final boolean daemon = owners != null && owners.stream().anyMatch(o -> "DaemonSet".equals(o.getKind()));
        final Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return daemon || (annotations != null && annotations.containsKey("kubernetes.io/config.mirror"));
    }

    private static String podKey(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private static boolean unschedulable(Node node) {
        return node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    }

    private static boolean isolated(Node node) {
        final Map<String, String> labels = node.getMetadata().getLabels();
        return unschedulable(node) && labels != null && "true".equals(labels.get(ISOLATED_LABEL))
                && node.getSpec().getTaints() != null
                && node.getSpec().getTaints().stream().anyMatch(KubernetesConnector::isIsolationTaint);
    }

    private static boolean isIsolationTaint(Taint taint) {
        return ISOLATED_TAINT.equals(taint.getKey()) && "NoExecute".equals(taint.getEffect());
    }

    private static Taint isolationTaint() {
        return new TaintBuilder().withKey(ISOLATED_TAINT).withValue("true").withEffect("NoExecute").build();
    }

    private static int specReplicas(Deployment d) {
        // The API server defaults a missing replicas field to 1.
        return d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    private static Long generation(Deployment d) {
        return d == null || d.getMetadata() == null ? null : d.getMetadata().getGeneration();
    }

    private static String annotation(Deployment d, String key) {
        final Map<String, String> annotations = d.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    private static String templateAnnotation(Deployment d, String key) {
        if (d.getSpec() == null || d.getSpec().getTemplate() == null || d.getSpec().getTemplate().getMetadata() == null
                || d.getSpec().getTemplate().getMetadata().getAnnotations() == null) {
            return null;
        }
        return d.getSpec().getTemplate().getMetadata().getAnnotations().get(key);
    }

    private static Optional<DeploymentCondition> condition(DeploymentStatus status, String type) {
        return status.getConditions() == null ? Optional.empty()
                : status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    private static int zero(Integer value) {
        return value == null ? 0 : value;
    }

    private static String words(Set<KubeTarget.Kind> kinds) {
        return kinds.stream().map(KubeTarget.Kind::word).sorted().reduce((a, b) -> a + " or " + b).orElse("");
    }

    private static Outcome notFound(KubeTarget t) {
        return Outcome.failed(t.describe() + " not found; check the target name"
                + (t.namespace() == null ? "" : " and namespace"), false);
    }

    /**
     * The one place that decides retriable or not: conflicts, throttling, server errors and
     * connection problems may pass; a missing object, a refused permission or an invalid
     * request will not.
     */
    private Outcome failure(KubernetesClientException e, Plan plan) throws InterruptedException {
        rethrowInterrupt(e);
        final KubeTarget t = plan.target;
        final int code = e.getCode();
        final String doing = plan.verb() + " " + t.describe();
        if (code == 404) {
            return notFound(t);
        }
        if (code == 403) {
            return Outcome.failed("forbidden to " + doing + " (HTTP 403): the kubeconfig user or service account lacks"
                    + " RBAC permission; it needs " + rbacFor(plan) + " (see docs/connectors.md)", false);
        }
        if (code == 401) {
            return Outcome.failed("the API server did not accept the credentials (HTTP 401) while trying to " + doing
                    + "; check the kubeconfig or the service account token", false);
        }
        if (code == 409 || code == 429 || code >= 500 || code <= 0) {
            // fabric8 reports a connection failure (refused, reset, timed out) without an HTTP code.
            final String why = code <= 0 ? "could not reach the API server" : "the API server answered HTTP " + code;
            return Outcome.failed(why + " while trying to " + doing + ": " + describe(e) + "; trying again may help",
                    true);
        }
        return Outcome.failed("the API server refused to " + doing + " (HTTP " + code + "): " + describe(e), false);
    }

    private static String rbacFor(Plan plan) {
        return switch (plan.type()) {
            case RESTART_SERVICE, SCALE, STOP_SERVICE, START_SERVICE -> "get, patch on deployments (apps)";
            case CORDON_NODE, UNCORDON_NODE -> "get, patch on nodes";
            case DRAIN_NODE -> "get, patch on nodes; list pods in all namespaces; create on pods/eviction";
            default -> plan.target().kind() == KubeTarget.Kind.NODE ? "get, patch on nodes"
                    : "get, patch on pods; get, create on networkpolicies (networking.k8s.io)";
        };
    }

    private static void rethrowInterrupt(KubernetesClientException e) throws InterruptedException {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                final InterruptedException interrupted = new InterruptedException("interrupted during a Kubernetes request");
                interrupted.initCause(e);
                throw interrupted;
            }
        }
    }

    /** The API server's message, or the cause; never the request headers. */
    private static String describe(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return KubernetesNames.quote(e.getStatus().getMessage());
        }
        final Throwable root = e.getCause() != null ? e.getCause() : e;
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
