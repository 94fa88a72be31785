package io.reflex.rules;

import static io.reflex.rules.Alerts.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a session behaves around the rules: failures, time, expiry and the prelude. */
class RuleSessionTest {
    private static final String HEADER = """
            package io.reflex.rules.test;

            import io.reflex.model.AlertEvent;
            import io.reflex.model.AlertStatus;

            global io.reflex.rules.Remediate remediate;
            """;

    private static RuleSession sessionFor(String rules) {
        RuleSession session = new RuleSession(RuleCompiler.compile("test", HEADER + rules));
        session.advanceTo(T0.toEpochMilli());
        return session;
    }

    @Test
    void throwingConsequenceIsReportedWithItsRuleAndDropsItsRequestsWhileOtherRulesStillFire() {
        String rules = """
                rule "broken" salience 10
                when $a : AlertEvent(name == "ServiceDown")
                then
                    remediate.restartService($a, "asked-before-the-throw");
                    throw new IllegalStateException("boom");
                end
                rule "healthy"
                when $a : AlertEvent(name == "ServiceDown")
                then remediate.restartService($a, $a.label("service"));
                end
                """;
        try (RuleSession session = sessionFor(rules)) {
            AlertEvent alert = Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0);
            session.insert(alert);

            RuleSession.Outcome outcome = session.fire();

            assertThat(outcome.failures()).singleElement().satisfies(f -> {
                assertThat(f.rule()).isEqualTo("broken");
                assertThat(f.trigger()).isEqualTo(alert);
                assertThat(f.error()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            });
            assertThat(outcome.requests()).extracting(ActionRequest::rule, ActionRequest::targetName)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("healthy", "demo-shop"));

            AlertEvent next = Alerts.serviceDown("cart", AlertStatus.FIRING, T0.plusSeconds(1));
            session.insert(next);
            RuleSession.Outcome after = session.fire();
            assertThat(after.failures()).extracting(RuleSession.Failure::rule).containsExactly("broken");
            assertThat(after.requests()).extracting(ActionRequest::targetName).containsExactly("cart");
        }
    }

    @Test
    void throwingConditionIsReportedWithItsRuleAndOtherRulesStillFire() {
        String rules = """
                rule "fragile condition"
                when $a : AlertEvent(label("team").length() > 3)
                then remediate.restartService($a, "from-fragile");
                end
                rule "sturdy"
                when $a : AlertEvent(name == "ServiceDown")
                then remediate.restartService($a, $a.label("service"));
                end
                """;
        try (RuleSession session = sessionFor(rules)) {
            session.insert(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));

            RuleSession.Outcome outcome = session.fire();

            assertThat(outcome.failures()).singleElement().satisfies(f -> {
                assertThat(f.rule()).isEqualTo("fragile condition");
                assertThat(f.trigger()).isNull();
            });
            assertThat(outcome.requests()).extracting(ActionRequest::rule).containsExactly("sturdy");

            session.insert(Alerts.alert("ServiceDown", Resource.of("service", "cart"),
                    Map.of("service", "cart", "team", "checkout"), AlertStatus.FIRING, T0));
            assertThat(session.fire().requests()).extracting(ActionRequest::targetName)
                    .containsExactlyInAnyOrder("from-fragile", "cart");
        }
    }

    @Test
    void blankServiceNameFailsTheRuleWithAMessageNamingTheAlert() {
        String rules = """
                rule "restart from missing label"
                when $a : AlertEvent()
                then remediate.restartService($a, $a.label("no-such-label"));
                end
                """;
        try (RuleSession session = sessionFor(rules)) {
            session.insert(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));

            RuleSession.Outcome outcome = session.fire();

            assertThat(outcome.requests()).isEmpty();
            assertThat(outcome.failures()).singleElement().extracting(RuleSession.Failure::error)
                    .satisfies(e -> assertThat(e).hasMessageContaining("restart_service needs a service name")
                            .hasMessageContaining("ServiceDown on service:demo-shop"));
        }
    }

    @Test
    void absenceRuleFiresWhenTheClockPassesTheWindowWithoutANewAlert() {
        String rules = """
                rule "still down after a minute"
                when
                    $a : AlertEvent(name == "ServiceDown", status == AlertStatus.FIRING)
                    not AlertEvent(name == "ServiceDown", status == AlertStatus.RESOLVED,
                                   resource == $a.resource, this after[0s, 1m] $a)
                then remediate.restartService($a, $a.label("service"));
                end
                """;
        try (RuleSession session = sessionFor(rules)) {
            session.insert(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
            assertThat(session.fire().requests()).isEmpty();

            session.advanceTo(T0.plusSeconds(59).toEpochMilli());
            assertThat(session.fire().requests()).isEmpty();

            session.advanceTo(T0.plusSeconds(61).toEpochMilli());
            assertThat(session.fire().requests()).extracting(ActionRequest::targetName).containsExactly("demo-shop");
        }
    }

    @Test
    void clockNeverMovesBackwards() {
        try (RuleSession session = sessionFor("")) {
            session.advanceTo(T0.plusSeconds(10).toEpochMilli());
            session.advanceTo(T0.toEpochMilli());

            assertThat(session.now()).isEqualTo(T0.plusSeconds(10).toEpochMilli());
        }
    }

    @Test
    void alertsLeaveTheSessionWhenTheyExpire() {
        try (RuleSession session = sessionFor("")) {
            session.insert(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
            session.fire();
            assertThat(session.factCount()).isEqualTo(1);

            session.advanceTo(T0.plus(RuleCompiler.ALERT_EXPIRY).minusMillis(1).toEpochMilli());
            session.fire();
            assertThat(session.factCount()).isEqualTo(1);

            session.advanceTo(T0.plus(RuleCompiler.ALERT_EXPIRY).plus(Duration.ofMillis(1)).toEpochMilli());
            session.fire();
            assertThat(session.factCount()).isZero();
        }
    }

    @Test
    void packageMayDeclareAlertEventAsAnEventItself() {
        String rules = """
                declare AlertEvent
                    @role(event)
                    @expires(5m)
                end
                rule "any" when $a : AlertEvent() then remediate.restartService($a, "x"); end
                """;
        try (RuleSession session = sessionFor(rules)) {
            session.insert(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
            assertThat(session.fire().requests()).hasSize(1);
        }
    }

    @Test
    void packageWithoutTheGlobalCompilesAndRuns() {
        String drl = """
                package io.reflex.rules.test;
                import io.reflex.model.AlertEvent;
                rule "log only" when AlertEvent() then end
                """;
        try (RuleSession session = new RuleSession(RuleCompiler.compile("test", drl))) {
            session.insert(Alerts.serviceDown("demo-shop", AlertStatus.FIRING, T0));
            assertThat(session.fire().fired()).isEqualTo(1);
        }
    }

    @Test
    void syntaxErrorsAreListedWithLineAndColumn() {
        String drl = HEADER + """
                rule "broken"
                when
                    $a : AlertEvent(name == )
                then
                end
                """;

        assertThatThrownBy(() -> RuleCompiler.compile("broken.drl", drl))
                .isInstanceOf(RuleCompilationException.class)
                .hasMessageStartingWith("rule package broken.drl does not compile")
                .satisfies(e -> assertThat(((RuleCompilationException) e).errors())
                        .isNotEmpty()
                        .allSatisfy(err -> assertThat(err.line()).isEqualTo(9)));
    }

    @Test
    void unknownFieldIsAnErrorOnItsLine() {
        String drl = HEADER + """
                rule "typo"
                when
                    $a : AlertEvent(nmae == "ServiceDown")
                then
                end
                """;

        assertThat(RuleCompiler.validate(drl)).isNotEmpty()
                .allSatisfy(err -> {
                    assertThat(err.line()).isEqualTo(9);
                    assertThat(err.column()).isEqualTo(4);
                })
                .anySatisfy(err -> assertThat(err.message()).contains("nmae"));
    }

    @Test
    void remediateGlobalOfAnotherTypeIsRejected() {
        String drl = """
                package io.reflex.rules.test;
                global java.util.List remediate;
                """;

        assertThat(RuleCompiler.validate(drl)).singleElement()
                .satisfies(err -> assertThat(err.message()).contains("global io.reflex.rules.Remediate remediate;"));
    }

    @Test
    void demoPackageIsValid() {
        assertThat(RuleCompiler.validate(RuleCompiler.demoPackage())).isEmpty();
    }

    @Test
    void requestNamesTheFactsOfTheMatchThatMadeItOnceEachAndCollectedOnesOneByOne() {
        String rules = """
                rule "two services down"
                when
                    not io.reflex.rules.vocabulary.Throttle(name == "quiet")
                    $first : AlertEvent(name == "ServiceDown", label("service") == "shop")
                    $all : java.util.List(size == 2) from collect(AlertEvent(name == "ServiceDown"))
                then
                    remediate.escalate($first, "two services down");
                    remediate.notify($first, "oncall", "two services down");
                end
                """;
        try (RuleSession session = sessionFor(rules)) {
            AlertEvent shop = Alerts.serviceDown("shop", AlertStatus.FIRING, T0);
            AlertEvent cart = Alerts.serviceDown("cart", AlertStatus.FIRING, T0);
            session.insert(shop);
            session.insert(cart);

            RuleSession.Outcome outcome = session.fire();

            assertThat(outcome.failures()).isEmpty();
            // Drools' initial fact (before the leading not) is left out; shop, bound and collected, is named once.
            assertThat(outcome.requests()).hasSize(2).allSatisfy(request -> {
                assertThat(request.matched()).containsExactlyInAnyOrder(
                        new ActionRequest.MatchedFact(shop.id(), "ServiceDown FIRING on service:shop"),
                        new ActionRequest.MatchedFact(cart.id(), "ServiceDown FIRING on service:cart"));
                assertThat(request.matched().get(0).id()).isEqualTo(shop.id());
            });
        }
    }
}
