package io.reflex.rules;

import static io.reflex.rules.Alerts.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.ActionType;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kie.api.KieBase;

/** The demo package, as users read it: alerts in, restart requests out, on the pseudo clock. */
class DemoRulesTest {
    private static final String RULE = "restart service on ServiceDown";
    private static KieBase demo;
    private RuleSession session;

    @BeforeAll
    static void compileDemo() {
        demo = RuleCompiler.compile("the demo package", RuleCompiler.demoPackage());
    }

    @BeforeEach
    void openSession() {
        session = new RuleSession(demo);
        session.advanceTo(T0.toEpochMilli());
    }

    @AfterEach
    void closeSession() {
        session.close();
    }

    private RuleSession.Outcome decide(AlertEvent alert) {
        session.insert(alert);
        return session.fire();
    }

    @Test
    void serviceDownFiringWithServiceLabelRestartsThatService() {
        AlertEvent alert = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);

        RuleSession.Outcome outcome = decide(alert);

        assertThat(outcome.failures()).isEmpty();
        assertThat(outcome.requests()).containsExactly(new ActionRequest(RULE, ActionType.RESTART_SERVICE, alert,
                "service", "demo-shop", Map.of()));
    }

    @Test
    void serviceDownWithoutServiceLabelAsksForNothing() {
        AlertEvent alert = Alerts.alert("ServiceDown", Resource.of("host", "web-1"), Map.of("instance", "web-1"),
                AlertStatus.FIRING, T0);

        RuleSession.Outcome outcome = decide(alert);

        assertThat(outcome.fired()).isZero();
        assertThat(outcome.requests()).isEmpty();
    }

    @Test
    void resolvedServiceDownAsksForNothing() {
        RuleSession.Outcome outcome = decide(Alerts.serviceDown("demo-shop", AlertStatus.RESOLVED, T0));

        assertThat(outcome.requests()).isEmpty();
    }

    @Test
    void otherAlertNameAsksForNothing() {
        RuleSession.Outcome outcome = decide(Alerts.alert("HighLatency", Resource.of("service", "demo-shop"),
                Map.of("service", "demo-shop"), AlertStatus.FIRING, T0));

        assertThat(outcome.requests()).isEmpty();
    }

    @Test
    void eachFiringAlertIsDecidedOnceAndTwoServicesGetOneRestartEach() {
        AlertEvent shop = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
        AlertEvent cart = Alerts.serviceDown("cart", AlertStatus.FIRING, T0.plusSeconds(5));

        List<ActionRequest> first = decide(shop).requests();
        session.advanceTo(T0.plusSeconds(5).toEpochMilli());
        List<ActionRequest> second = decide(cart).requests();

        assertThat(first).extracting(ActionRequest::targetName).containsExactly("demo-shop");
        assertThat(second).extracting(ActionRequest::targetName).containsExactly("cart");
    }
}
