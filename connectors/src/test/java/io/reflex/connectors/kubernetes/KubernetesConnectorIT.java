package io.reflex.connectors.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.ConnectorConfigException;
import io.reflex.connectors.spi.ConnectorContext;
import io.reflex.connectors.spi.Connectors;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.RuleRef;
import io.reflex.model.Target;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kubernetes connector against fabric8's {@link KubernetesMockServer} in CRUD mode (an
 * in-process HTTP server that stores objects like an API server but runs no controller):
 * there is no Kubernetes API server on this machine.
 */
class KubernetesConnectorIT {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00.250Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private KubernetesMockServer server;
    private KubernetesClient client;
    private KubernetesConnector connector;
    private final List<KubernetesConnector> created = new java.util.ArrayList<>();

    @BeforeEach
    void startMockServer() {
        // Mixed: answers expectations set with server.expect() first, CRUD for everything else.
        final Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        connector = connector(KubernetesSettings.defaults().withWaitForRollout(false), CLOCK);
    }

    @AfterEach
    void stopMockServer() {
        created.forEach(KubernetesConnector::close);
        client.close();
        server.destroy();
    }

    // ------------------------------------------------------------ deployments

    @Test
    void restartSetsTheRestartedAtAnnotationAndBumpsTheGeneration() throws Exception {
        final Deployment before = createDeployment("shop", "cart", 3);

        final Outcome outcome = connector.execute(action(ActionType.RESTART_SERVICE, "deployment", "shop/cart", Map.of()));

        assertThat(outcome.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(outcome.detail()).contains("restarted deployment shop/cart", "waitForRollout: false");
        final Deployment after = deployment("shop", "cart");
        assertThat(after.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(KubernetesConnector.RESTARTED_AT, NOW.toString());
        assertThat(after.getMetadata().getGeneration()).isGreaterThan(before.getMetadata().getGeneration());
    }

    @Test
    void restartWaitsUntilTheControllerReportsTheRolloutDone() throws Exception {
        createDeployment("shop", "cart", 2);
        final KubernetesConnector waiting = connector(KubernetesSettings.defaults(), Clock.systemUTC());
        // No controller runs against the mock: this thread plays it, once the restart has landed.
        final Thread controller = new Thread(() -> {
            await().atMost(Duration.ofSeconds(20)).until(() -> deployment("shop", "cart").getSpec().getTemplate()
                    .getMetadata().getAnnotations().containsKey(KubernetesConnector.RESTARTED_AT));
            final Deployment restarted = deployment("shop", "cart");
            restarted.setStatus(new DeploymentStatusBuilder()
                    .withObservedGeneration(restarted.getMetadata().getGeneration())
                    .withReplicas(2).withUpdatedReplicas(2).withAvailableReplicas(2).withReadyReplicas(2).build());
            client.apps().deployments().inNamespace("shop").resource(restarted).updateStatus();
        }, "fake-deployment-controller");
        controller.start();

        final Outcome outcome = waiting.execute(action(ActionType.RESTART_SERVICE, "deployment", "shop/cart", Map.of(),
                Instant.now().plusSeconds(30)));
        controller.join(Duration.ofSeconds(30).toMillis());

        assertThat(outcome.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(outcome.detail()).contains("rollout complete", "2/2 updated, 2 available");
    }

    @Test
    void restartThatNeverRollsOutFailsAtTheDeadlineWithoutRetry() throws Exception {
        createDeployment("shop", "cart", 2);
        // Each reading of the clock moves it one second on: the deadline comes after a few polls.
        final AtomicLong reads = new AtomicLong();
        final Clock stepping = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return NOW.plusSeconds(reads.getAndIncrement());
            }
        };
        final KubernetesConnector waiting = connector(KubernetesSettings.defaults(), stepping);

        final Outcome outcome = waiting.execute(action(ActionType.RESTART_SERVICE, "deployment", "shop/cart", Map.of(),
                NOW.plusSeconds(4)));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isFalse();
        assertThat(outcome.detail()).contains("did not finish by the deadline", "kubectl rollout status");
    }

    @Test
    void scaleSetsTheReplicasWithinTheConfiguredMaximum() throws Exception {
        createDeployment("default", "web", 2);

        final Outcome outcome = connector.execute(action(ActionType.SCALE, "deployment", "web", Map.of("replicas", "5")));

        assertThat(outcome.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(outcome.detail()).contains("scaled deployment default/web from 2 to 5 replicas");
        assertThat(deployment("default", "web").getSpec().getReplicas()).isEqualTo(5);
    }

    @Test
    void scaleBeyondMaxReplicasOrWithoutANumberIsRefusedWithoutARequest() throws Exception {
        createDeployment("default", "web", 2);
        final int requests = server.getRequestCount();

        final Outcome tooMany = connector.execute(action(ActionType.SCALE, "deployment", "web", Map.of("replicas", "51")));
        final Outcome notANumber = connector.execute(action(ActionType.SCALE, "deployment", "web", Map.of("replicas", "2; rm")));
        final Outcome missing = connector.execute(action(ActionType.SCALE, "deployment", "web", Map.of()));

        assertThat(tooMany.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(tooMany.detail()).contains("51", "0..50", "maxReplicas");
        assertThat(notANumber.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(missing.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(missing.detail()).contains("replicas");
        assertThat(server.getRequestCount()).isEqualTo(requests);
        assertThat(deployment("default", "web").getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void stopRemembersTheReplicasAndStartBringsThemBack() throws Exception {
        createDeployment("shop", "cart", 3);

        final Outcome stopped = connector.execute(action(ActionType.STOP_SERVICE, "deployment", "shop/cart", Map.of()));
        assertThat(stopped.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(deployment("shop", "cart").getSpec().getReplicas()).isZero();
        assertThat(deployment("shop", "cart").getMetadata().getAnnotations())
                .containsEntry(KubernetesConnector.REPLICAS_BEFORE_STOP, "3");

        // A second stop must not overwrite the remembered count with 0.
        final Outcome again = connector.execute(action(ActionType.STOP_SERVICE, "deployment", "shop/cart", Map.of()));
        assertThat(again.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(again.detail()).contains("already stopped", "brings back 3");
        assertThat(deployment("shop", "cart").getMetadata().getAnnotations())
                .containsEntry(KubernetesConnector.REPLICAS_BEFORE_STOP, "3");

        final Outcome started = connector.execute(action(ActionType.START_SERVICE, "deployment", "shop/cart", Map.of()));
        assertThat(started.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(started.detail()).contains("back to 3 replicas");
        final Deployment after = deployment("shop", "cart");
        assertThat(after.getSpec().getReplicas()).isEqualTo(3);
        assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(KubernetesConnector.REPLICAS_BEFORE_STOP);
    }

    @Test
    void startOfADeploymentReflexDidNotStopFailsWithoutGuessing() throws Exception {
        createDeployment("shop", "batch", 0);

        final Outcome outcome = connector.execute(action(ActionType.START_SERVICE, "deployment", "shop/batch", Map.of()));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isFalse();
        assertThat(outcome.detail()).contains("does not know how many replicas", "scale action");
        assertThat(deployment("shop", "batch").getSpec().getReplicas()).isZero();
    }

    @Test
    void missingDeploymentFailsWithoutRetry() throws Exception {
        final Outcome outcome = connector.execute(action(ActionType.RESTART_SERVICE, "deployment", "shop/cart", Map.of()));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isFalse();
        assertThat(outcome.detail()).startsWith("deployment shop/cart not found");
    }

    // ------------------------------------------------------------ API errors

    @Test
    void forbiddenPatchFailsWithoutRetryAndNamesTheRbacVerbs() throws Exception {
        createDeployment("shop", "cart", 1);
        server.expect().patch().withPath("/apis/apps/v1/namespaces/shop/deployments/cart")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                        .withMessage("deployments.apps \"cart\" is forbidden").build())
                .once();

        final Outcome outcome = connector.execute(action(ActionType.RESTART_SERVICE, "deployment", "shop/cart", Map.of()));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isFalse();
        assertThat(outcome.detail()).contains("HTTP 403", "RBAC", "get, patch on deployments");
    }

    @ParameterizedTest
    @ValueSource(ints = {409, 500, 503})
    void conflictsAndServerErrorsAreRetriable(int code) throws Exception {
        createDeployment("shop", "cart", 1);
        server.expect().patch().withPath("/apis/apps/v1/namespaces/shop/deployments/cart")
                .andReturn(code, new StatusBuilder().withCode(code).withMessage("try later").build())
                .once();

        final Outcome outcome = connector.execute(action(ActionType.SCALE, "deployment", "shop/cart", Map.of("replicas", "2")));

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isTrue();
        assertThat(outcome.detail()).contains("HTTP " + code);
    }

    @Test
    void unreachableApiServerIsRetriable(@TempDir Path dir) throws Exception {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        final Path kubeconfig = kubeconfig(dir, "http://127.0.0.1:" + closedPort);
        try (Connector unreachable = new KubernetesConnectorProvider().create(new ConnectorContext(
                Map.of("kubeconfig", kubeconfig.toString(), "requestTimeout", "3s", "waitForRollout", false),
                dir, CLOCK))) {
            final Outcome outcome = unreachable.execute(action(ActionType.CORDON_NODE, "node", "worker-1", Map.of()));

            assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
            assertThat(outcome.retriable()).isTrue();
            assertThat(outcome.detail()).contains("could not reach the API server");
        }
    }

    // ------------------------------------------------------------ nodes

    @Test
    void cordonMarksTheNodeUnschedulable() throws Exception {
        createNode("worker-1");

        final Outcome outcome = connector.execute(action(ActionType.CORDON_NODE, "node", "worker-1", Map.of()));

        assertThat(outcome.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(client.nodes().withName("worker-1").get().getSpec().getUnschedulable()).isTrue();
    }

    @Test
    void uncordonUndoesACordonAndReconcileTellsWhetherTheNodeIsSchedulable() throws Exception {
        createNode("worker-1");
        final Action cordon = action(ActionType.CORDON_NODE, "node", "worker-1", Map.of());
        final Action uncordon = action(ActionType.UNCORDON_NODE, "node", "worker-1", Map.of());
        assertThat(connector.execute(cordon).status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(connector.reconcile(uncordon, NOW).state()).isEqualTo(Reconciliation.State.NOT_APPLIED);

        final Outcome outcome = connector.execute(uncordon);

        assertThat(outcome.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(outcome.detail()).isEqualTo("uncordoned node worker-1: new pods can be scheduled on it again");
        assertThat(client.nodes().withName("worker-1").get().getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        assertThat(connector.reconcile(uncordon, NOW).state()).isEqualTo(Reconciliation.State.APPLIED);
        assertThat(connector.reconcile(cordon, NOW).state()).isEqualTo(Reconciliation.State.NOT_APPLIED);
        // Again: nothing to do, and it says so.
        assertThat(connector.execute(uncordon).detail()).isEqualTo("node worker-1 is already schedulable (not cordoned)");
        assertThat(connector.execute(action(ActionType.UNCORDON_NODE, "node", "worker-9", Map.of())).status())
                .isNotEqualTo(ActionStatus.SUCCEEDED);
        assertThat(connector.execute(action(ActionType.UNCORDON_NODE, "deployment", "cart", Map.of())).detail())
                .contains("uncordon_node acts on node, not on target kind 'deployment'");
    }

    @Test
    void drainCordonsAndEvictsEveryPodButDaemonSetPods() throws Exception {
        createNode("worker-1");
        createNode("worker-2");
        createPod("shop", "cart-1", "worker-1", false);
        createPod("default", "web-1", "worker-1", false);
        createPod("kube-system", "fluentd-x", "worker-1", true);
        createPod("shop", "cart-2", "worker-2", false);
        // The mock's CRUD mode has no Eviction subresource (it answers 409): answer as an API server does.
        expectEviction("shop", "cart-1", 201);
        expectEviction("default", "web-1", 201);

        final Outcome outcome = connector.execute(action(ActionType.DRAIN_NODE, "node", "worker-1", Map.of()));

        assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(outcome.detail()).contains("evicted default/web-1, shop/cart-1",
                "left DaemonSet and mirror pods: kube-system/fluentd-x");
        assertThat(outcome.detail()).doesNotContain("cart-2");
        assertThat(client.nodes().withName("worker-1").get().getSpec().getUnschedulable()).isTrue();
        assertThat(evictionRequests()).containsExactlyInAnyOrder("/api/v1/namespaces/shop/pods/cart-1/eviction",
                "/api/v1/namespaces/default/pods/web-1/eviction");
        assertThat(client.nodes().withName("worker-2").get().getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
    }

    @Test
    void drainBlockedByAPodDisruptionBudgetIsRetriableAndNamesThePod() throws Exception {
        createNode("worker-1");
        createPod("shop", "cart-1", "worker-1", false);
        createPod("shop", "db-0", "worker-1", false);
        expectEviction("shop", "cart-1", 201);
        expectEviction("shop", "db-0", 429);
        final Action drain = action(ActionType.DRAIN_NODE, "node", "worker-1", Map.of());

        final Outcome outcome = connector.execute(drain);

        assertThat(outcome.status()).isEqualTo(ActionStatus.FAILED);
        assertThat(outcome.retriable()).isTrue();
        assertThat(outcome.detail()).contains("evicted shop/cart-1", "PodDisruptionBudget blocked the eviction of shop/db-0");
        // No controller deletes evicted pods on the mock: the node still runs them.
        assertThat(connector.reconcile(drain, NOW).state()).isEqualTo(Reconciliation.State.NOT_APPLIED);
    }

    @Test
    void drainThatWouldEvictPodsOutsideTheAllowlistIsRefusedBeforeCordoning() throws Exception {
        createNode("worker-1");
        createPod("shop", "cart-1", "worker-1", false);
        createPod("payments", "ledger-1", "worker-1", false);
        final KubernetesConnector restricted = connector(settings(Map.of("namespaces", List.of("shop"),
                "namespace", "shop", "waitForRollout", false)), CLOCK);

        final Outcome outcome = restricted.execute(action(ActionType.DRAIN_NODE, "node", "worker-1", Map.of()));

        assertThat(outcome.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(outcome.detail()).contains("payments/ledger-1", "allowlist");
        assertThat(client.nodes().withName("worker-1").get().getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        assertThat(evictionRequests()).isEmpty();
    }

    @Test
    void isolatingANodeCordonsLabelsAndTaintsIt() throws Exception {
        createNode("worker-1");
        final Action isolate = action(ActionType.ISOLATE_HOST, "node", "worker-1", Map.of());

        final Outcome outcome = connector.execute(isolate);

        assertThat(outcome.status()).isEqualTo(ActionStatus.SUCCEEDED);
        final Node node = client.nodes().withName("worker-1").get();
        assertThat(node.getSpec().getUnschedulable()).isTrue();
        assertThat(node.getMetadata().getLabels()).containsEntry(KubernetesConnector.ISOLATED_LABEL, "true");
        assertThat(node.getSpec().getTaints()).anySatisfy(taint -> {
            assertThat(taint.getKey()).isEqualTo(KubernetesConnector.ISOLATED_TAINT);
            assertThat(taint.getEffect()).isEqualTo("NoExecute");
        });
        assertThat(connector.reconcile(isolate, NOW).state()).isEqualTo(Reconciliation.State.APPLIED);
        final Outcome again = connector.execute(isolate);
        assertThat(again.detail()).contains("already isolated");
        assertThat(client.nodes().withName("worker-1").get().getSpec().getTaints()).hasSize(1);
    }

    // ------------------------------------------------------------ pods

    @Test
    void isolatingAPodLabelsItAndCreatesADenyAllNetworkPolicyOnce() throws Exception {
        createPod("shop", "cart-1", "worker-1", false);
        final Action isolate = action(ActionType.ISOLATE_HOST, "pod", "cart-1", Map.of(), NOW.plusSeconds(60),
                Map.of("namespace", "shop"));
        final String policyName = KubernetesConnector.policyName(isolate);

        final Outcome outcome = connector.execute(isolate);

        assertThat(outcome.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(outcome.detail()).contains("pod shop/cart-1", policyName + " created");
        final Pod pod = client.pods().inNamespace("shop").withName("cart-1").get();
        assertThat(pod.getMetadata().getLabels()).containsEntry(KubernetesConnector.ISOLATED_LABEL, "true")
                .containsEntry(KubernetesConnector.ISOLATION_LABEL, policyName)
                .containsEntry("app", "cart");
        final NetworkPolicy policy = client.network().v1().networkPolicies().inNamespace("shop").withName(policyName).get();
        assertThat(policy).isNotNull();
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .containsExactly(Map.entry(KubernetesConnector.ISOLATION_LABEL, policyName));
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getIngress()).isNullOrEmpty();
        assertThat(policy.getSpec().getEgress()).isNullOrEmpty();

        final Outcome again = connector.execute(isolate);
        assertThat(again.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(again.detail()).contains(policyName + " already present");
        assertThat(client.network().v1().networkPolicies().inNamespace("shop").list().getItems()).hasSize(1);
    }

    // ------------------------------------------------------------ reconciliation

    @Test
    void reconcileTellsWhetherEachActionTookEffect() throws Exception {
        createDeployment("shop", "cart", 3);
        createNode("worker-1");
        createPod("shop", "cart-1", "worker-1", false);
        final Action restart = action(ActionType.RESTART_SERVICE, "deployment", "shop/cart", Map.of());
        final Action scale = action(ActionType.SCALE, "deployment", "shop/cart", Map.of("replicas", "4"));
        final Action cordon = action(ActionType.CORDON_NODE, "node", "worker-1", Map.of());
        final Action isolate = action(ActionType.ISOLATE_HOST, "pod", "shop/cart-1", Map.of());

        assertThat(connector.reconcile(restart, NOW).state()).isEqualTo(Reconciliation.State.NOT_APPLIED);
        assertThat(connector.reconcile(scale, NOW).state()).isEqualTo(Reconciliation.State.NOT_APPLIED);
        assertThat(connector.reconcile(cordon, NOW).state()).isEqualTo(Reconciliation.State.NOT_APPLIED);
        assertThat(connector.reconcile(isolate, NOW).state()).isEqualTo(Reconciliation.State.NOT_APPLIED);

        for (Action action : List.of(restart, scale, cordon, isolate)) {
            assertThat(connector.execute(action).status()).as(action.type().wireName()).isEqualTo(ActionStatus.SUCCEEDED);
        }

        // Started a second before it ran (the remediator wrote STARTED, then died): applied.
        final Instant startedAt = NOW.minusSeconds(1);
        assertThat(connector.reconcile(restart, startedAt).state()).isEqualTo(Reconciliation.State.APPLIED);
        assertThat(connector.reconcile(scale, startedAt).state()).isEqualTo(Reconciliation.State.APPLIED);
        assertThat(connector.reconcile(cordon, startedAt).state()).isEqualTo(Reconciliation.State.APPLIED);
        assertThat(connector.reconcile(isolate, startedAt).state()).isEqualTo(Reconciliation.State.APPLIED);
        // A restart recorded before this action started is an older one.
        assertThat(connector.reconcile(restart, NOW.plusSeconds(60)).state()).isEqualTo(Reconciliation.State.NOT_APPLIED);
        // Another replica count asked for.
        assertThat(connector.reconcile(action(ActionType.SCALE, "deployment", "shop/cart", Map.of("replicas", "1")),
                startedAt).state()).isEqualTo(Reconciliation.State.NOT_APPLIED);
    }

    @Test
    void reconcileIsUnknownWhenTheObjectCannotBeRead() throws Exception {
        final Reconciliation missing = connector.reconcile(
                action(ActionType.RESTART_SERVICE, "deployment", "shop/gone", Map.of()), NOW);
        assertThat(missing.state()).isEqualTo(Reconciliation.State.UNKNOWN);
        assertThat(missing.detail()).contains("deployment shop/gone not found");

        server.expect().get().withPath("/api/v1/nodes/worker-9")
                .andReturn(500, new StatusBuilder().withCode(500).withMessage("etcd unavailable").build()).once();
        final Reconciliation unreadable = connector.reconcile(action(ActionType.CORDON_NODE, "node", "worker-9", Map.of()), NOW);
        assertThat(unreadable.state()).isEqualTo(Reconciliation.State.UNKNOWN);
        assertThat(unreadable.detail()).contains("could not read node worker-9");
    }

    // ------------------------------------------------------------ security

    @ParameterizedTest
    @ValueSource(strings = {"x; touch /tmp/pwned", "$(touch /tmp/pwned)", "`id`", "../kube-system/cart",
            "../../etc/passwd", "shop/../cart", "Cart", "cart name", "cart\nx", "-cart", "a/b/c", "cart%2F..", "cart?x=1"})
    void hostileDeploymentNamesAreRefusedWithoutAnyRequest(String name) throws Exception {
        createDeployment("default", "cart", 1);
        final int requests = server.getRequestCount();

        for (ActionType type : List.of(ActionType.RESTART_SERVICE, ActionType.STOP_SERVICE, ActionType.SCALE)) {
            final Outcome outcome = connector.execute(action(type, "deployment", name, Map.of("replicas", "1")));
            assertThat(outcome.status()).as(type.wireName()).isEqualTo(ActionStatus.REJECTED);
            assertThat(outcome.detail()).contains("not a valid Kubernetes name");
            assertThat(connector.reconcile(action(type, "deployment", name, Map.of("replicas", "1")), NOW).state())
                    .isEqualTo(Reconciliation.State.NOT_APPLIED);
        }
        assertThat(server.getRequestCount()).as("requests reaching the API server").isEqualTo(requests);
        assertThat(Path.of("/tmp/pwned")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"worker-1; reboot", "$(id)", "`id`", "../worker-1", "shop/worker-1"})
    void hostileNodeNamesAreRefusedWithoutAnyRequest(String name) throws Exception {
        final int requests = server.getRequestCount();

        for (ActionType type : List.of(ActionType.CORDON_NODE, ActionType.DRAIN_NODE, ActionType.ISOLATE_HOST)) {
            assertThat(connector.execute(action(type, "node", name, Map.of())).status()).isEqualTo(ActionStatus.REJECTED);
        }
        assertThat(server.getRequestCount()).isEqualTo(requests);
    }

    @Test
    void hostileNamespaceLabelIsRefusedWithoutAnyRequest() throws Exception {
        final int requests = server.getRequestCount();

        final Outcome outcome = connector.execute(action(ActionType.RESTART_SERVICE, "deployment", "cart", Map.of(),
                NOW.plusSeconds(60), Map.of("namespace", "shop; kubectl delete ns prod")));

        assertThat(outcome.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(outcome.detail()).contains("namespace (from the alert label 'namespace')", "not a valid Kubernetes name");
        assertThat(server.getRequestCount()).isEqualTo(requests);
    }

    @Test
    void namespacesOutsideTheAllowlistAreRefusedWithoutAnyRequest() throws Exception {
        createDeployment("shop", "cart", 1);
        createDeployment("kube-system", "coredns", 2);
        final KubernetesConnector restricted = connector(settings(Map.of("namespaces", List.of("shop", "default"),
                "waitForRollout", false)), CLOCK);
        final int requests = server.getRequestCount();

        final Outcome byName = restricted.execute(action(ActionType.RESTART_SERVICE, "deployment", "kube-system/coredns", Map.of()));
        final Outcome byLabel = restricted.execute(action(ActionType.SCALE, "deployment", "coredns", Map.of("replicas", "0"),
                NOW.plusSeconds(60), Map.of("namespace", "kube-system")));

        assertThat(byName.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(byName.detail()).contains("'kube-system'", "allowlist [default, shop]");
        assertThat(byLabel.status()).isEqualTo(ActionStatus.REJECTED);
        assertThat(server.getRequestCount()).isEqualTo(requests);
        assertThat(deployment("kube-system", "coredns").getSpec().getReplicas()).isEqualTo(2);

        final Outcome allowed = restricted.execute(action(ActionType.RESTART_SERVICE, "deployment", "shop/cart", Map.of()));
        assertThat(allowed.status()).isEqualTo(ActionStatus.SUCCEEDED);
    }

    @Test
    void unsupportedTypesAndKindsAreRefused() throws Exception {
        final int requests = server.getRequestCount();

        assertThat(connector.execute(action(ActionType.RUN_PLAYBOOK, "deployment", "cart", Map.of())).detail())
                .contains("does not do run_playbook");
        assertThat(connector.execute(action(ActionType.CORDON_NODE, "deployment", "cart", Map.of())).detail())
                .contains("cordon_node acts on node, not on target kind 'deployment'");
        assertThat(connector.execute(action(ActionType.RESTART_SERVICE, "statefulset", "db", Map.of())).status())
                .isEqualTo(ActionStatus.REJECTED);
        assertThat(server.getRequestCount()).isEqualTo(requests);
    }

    @Test
    void dryRunMakesNoRequest() throws Exception {
        createDeployment("shop", "cart", 3);
        final int requests = server.getRequestCount();

        final Outcome outcome = connector.execute(action(ActionType.SCALE, "deployment", "shop/cart",
                Map.of("replicas", "0")).withMode(ActionMode.DRY_RUN));

        assertThat(outcome.status()).isEqualTo(ActionStatus.SUCCEEDED);
        assertThat(outcome.detail()).startsWith("DRY_RUN: would scale to 0 replicas deployment shop/cart");
        assertThat(server.getRequestCount()).isEqualTo(requests);
    }

    // ------------------------------------------------------------ provider

    @Test
    void providerBuildsTheClientFromTheKubeconfigAndContext(@TempDir Path dir) throws Exception {
        createDeployment("shop", "cart", 1);
        final Path kubeconfig = kubeconfig(dir, server.url("/").replaceAll("/$", ""));
        final Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("kubeconfig", kubeconfig.toString());
        settings.put("context", "mock");
        settings.put("namespace", "shop");
        settings.put("waitForRollout", "false");

        try (Connectors connectors = Connectors.create(List.of(new KubernetesConnectorProvider()),
                Map.of("kubernetes", settings), dir, CLOCK)) {
            final Connector kubernetes = connectors.get("kubernetes").orElseThrow();
            final Outcome outcome = kubernetes.execute(action(ActionType.SCALE, "deployment", "cart", Map.of("replicas", "2")));

            assertThat(outcome.status()).as(outcome.detail()).isEqualTo(ActionStatus.SUCCEEDED);
            assertThat(deployment("shop", "cart").getSpec().getReplicas()).isEqualTo(2);
        }
    }

    @Test
    void providerRefusesAContextTheKubeconfigDoesNotHave(@TempDir Path dir) throws Exception {
        final Path kubeconfig = kubeconfig(dir, server.url("/").replaceAll("/$", ""));
        final int requests = server.getRequestCount();

        assertThatThrownBy(() -> new KubernetesConnectorProvider().create(new ConnectorContext(
                Map.of("kubeconfig", kubeconfig.toString(), "context", "prod"), dir, CLOCK)))
                .isInstanceOfSatisfying(ConnectorConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().startsWith("connectors.kubernetes.context: 'prod' is not a context of")
                        .doesNotContain("not-a-real-token"));
        assertThat(server.getRequestCount()).isEqualTo(requests);
    }

    // ------------------------------------------------------------ fixtures

    private KubernetesConnector connector(KubernetesSettings settings, Clock clock) {
        // Each connector gets its own client: closing one must not close the test's client.
        // Configured as the provider configures it (no retries inside the client), against the mock.
        final Config config = KubernetesConnectorProvider.applyLimits(
                new ConfigBuilder(client.getConfiguration()).build(), settings);
        final KubernetesConnector made = new KubernetesConnector(KubernetesConnector.NAME, settings,
                new KubernetesClientBuilder().withConfig(config).build(), clock);
        created.add(made);
        return made;
    }

    private static KubernetesSettings settings(Map<String, Object> raw) {
        return KubernetesSettings.parse(KubernetesConnector.NAME, raw);
    }

    private static Action action(ActionType type, String kind, String name, Map<String, String> params) {
        return action(type, kind, name, params, NOW.plusSeconds(60), Map.of());
    }

    private static Action action(ActionType type, String kind, String name, Map<String, String> params, Instant deadline) {
        return action(type, kind, name, params, deadline, Map.of());
    }

    private static Action action(ActionType type, String kind, String name, Map<String, String> params,
            Instant deadline, Map<String, String> labels) {
        return new Action("act-" + type.wireName() + "-" + Integer.toHexString(name.hashCode()), "inc-k8s",
                new RuleRef("k8s-remediation", 1), type, new Target(KubernetesConnector.NAME, kind, name), params,
                ActionMode.EXECUTE, false, NOW.minusSeconds(5), deadline, "res-" + name.hashCode(), labels);
    }

    private Deployment createDeployment(String namespace, String name, int replicas) {
        return client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withGeneration(1L).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName(name).withImage("example/" + name + ":1").endContainer()
                .endSpec().endTemplate()
                .endSpec().build()).create();
    }

    private Deployment deployment(String namespace, String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name).get();
    }

    private void createNode(String name) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().endSpec().build()).create();
    }

    private void createPod(String namespace, String name, String node, boolean daemonSet) {
        final PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app", name.replaceAll("-[^-]*$", "")).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("example/app:1")
                .endContainer().endSpec();
        if (daemonSet) {
            pod.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet")
                    .withName("fluentd").withUid("uid-fluentd").withController(true).endOwnerReference().endMetadata();
        }
        client.pods().inNamespace(namespace).resource(pod.build()).create();
    }

    private void expectEviction(String namespace, String pod, int code) {
        server.expect().post().withPath("/api/v1/namespaces/" + namespace + "/pods/" + pod + "/eviction")
                .andReturn(code, new StatusBuilder().withCode(code)
                        .withMessage(code == 429 ? "Cannot evict pod as it would violate the pod's disruption budget."
                                : "evicted").build())
                .once();
    }

    /** The paths of the eviction requests the server received, in order. */
    private List<String> evictionRequests() throws InterruptedException {
        final List<String> paths = new java.util.ArrayList<>();
        final int count = server.getRequestCount();
        for (int i = 0; i < count; i++) {
            final var request = server.takeRequest(5, java.util.concurrent.TimeUnit.SECONDS);
            if (request != null && "POST".equals(request.getMethod()) && request.getPath().endsWith("/eviction")) {
                paths.add(request.getPath());
            }
        }
        return paths;
    }

    private static Path kubeconfig(Path dir, String serverUrl) throws Exception {
        final Path file = dir.resolve("kubeconfig");
        Files.writeString(file, String.join("\n",
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: mock",
                "  cluster:",
                "    server: " + serverUrl,
                "contexts:",
                "- name: mock",
                "  context: {cluster: mock, user: reflex, namespace: shop}",
                "- name: other",
                "  context: {cluster: mock, user: reflex}",
                "current-context: other",
                "users:",
                "- name: reflex",
                "  user: {token: not-a-real-token}",
                ""));
        return file;
    }
}
