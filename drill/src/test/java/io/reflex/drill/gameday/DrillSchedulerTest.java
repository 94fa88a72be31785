package io.reflex.drill.gameday;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reflex.drill.DrillProblem;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class DrillSchedulerTest {
    private static final Instant START = Instant.parse("2026-03-01T23:59:00Z");
    private final GameDayRunnerTest.FakeClock clock = new GameDayRunnerTest.FakeClock(START);
    private final List<DrillScheduler.Outcome> outcomes = new CopyOnWriteArrayList<>();

    /** Jumps the fake clock to the instant; past {@code until} it blocks until the scheduler is closed. */
    private DrillScheduler.Waiter waiterUntil(Instant until) {
        return instant -> {
            if (instant.isAfter(until)) {
                new CountDownLatch(1).await();
            }
            if (instant.isAfter(clock.instant())) {
                clock.set(instant);
            }
        };
    }

    @Test
    void aRunDueWhileAnotherIsGoingIsSkippedNotQueued() {
        Schedule hourly = new Schedule("hourly", "0 * * * *", "UTC", "a.yaml");
        Schedule halfPast = new Schedule("half-past", "30 * * * *", "UTC", "b.yaml");
        // The first hourly run takes 90 minutes; every other run one minute.
        Map<String, Duration> firstRun = new java.util.concurrent.ConcurrentHashMap<>(Map.of("hourly",
                Duration.ofMinutes(90)));
        DrillScheduler.Job job = schedule -> {
            clock.advance(firstRun.getOrDefault(schedule.name(), Duration.ofMinutes(1)));
            firstRun.remove(schedule.name());
            return DrillScheduler.Outcome.of(schedule, TestDrills.report(schedule.name(), true, 1000L, true, "ok"));
        };
        try (DrillScheduler scheduler = new DrillScheduler(List.of(hourly, halfPast), job, outcomes::add, clock,
                waiterUntil(Instant.parse("2026-03-02T03:10:00Z")))) {
            scheduler.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() >= 4);
        }
        // 00:30 and 01:30 (half-past) and 01:00 (hourly) came due during the 90-minute run.
        assertThat(outcomes).extracting(o -> o.schedule().name() + "@" + o.startedAt()).containsExactly(
                "hourly@2026-03-02T00:00:00Z",
                "hourly@2026-03-02T02:00:00Z",
                "half-past@2026-03-02T02:30:00Z",
                "hourly@2026-03-02T03:00:00Z");
        assertThat(outcomes).allMatch(DrillScheduler.Outcome::passed);
        assertThat(outcomes).extracting(DrillScheduler.Outcome::dueAt).containsExactly(
                Instant.parse("2026-03-02T00:00:00Z"), Instant.parse("2026-03-02T02:00:00Z"),
                Instant.parse("2026-03-02T02:30:00Z"), Instant.parse("2026-03-02T03:00:00Z"));
    }

    @Test
    void schedulesDueTogetherRunOneAfterTheOther() {
        Schedule a = new Schedule("a", "0 0 * * *", "UTC", "a.yaml");
        Schedule b = new Schedule("b", "0 0 * * *", "UTC", "b.yaml");
        DrillScheduler.Job job = schedule -> {
            clock.advance(Duration.ofMinutes(5));
            return DrillScheduler.Outcome.of(schedule, TestDrills.report(schedule.name(), true, 1000L, true, "ok"));
        };
        try (DrillScheduler scheduler = new DrillScheduler(List.of(a, b), job, outcomes::add, clock,
                waiterUntil(Instant.parse("2026-03-02T01:00:00Z")))) {
            scheduler.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() >= 2);
        }
        assertThat(outcomes).extracting(o -> o.schedule().name() + "@" + o.startedAt()).containsExactly(
                "a@2026-03-02T00:00:00Z", "b@2026-03-02T00:05:00Z");
    }

    @Test
    void aFailingJobIsReportedAndTheSchedulerGoesOn() {
        Schedule broken = new Schedule("broken", "*/10 * * * *", "Europe/Berlin", "missing.yaml");
        DrillScheduler.Job job = schedule -> {
            throw new IllegalStateException("missing.yaml: cannot be read");
        };
        try (DrillScheduler scheduler = new DrillScheduler(List.of(broken), job, outcomes::add, clock,
                waiterUntil(Instant.parse("2026-03-02T00:30:00Z")))) {
            scheduler.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() >= 2);
        }
        assertThat(outcomes.get(0).error()).contains("cannot be read");
        assertThat(outcomes.get(0).passed()).isFalse();
        assertThat(outcomes.get(1).dueAt()).isEqualTo(outcomes.get(0).dueAt().plus(Duration.ofMinutes(10)));
    }

    @Test
    void schedulesAreValidatedTogether() {
        Schedule bad = new Schedule("", "0 25 * * *", "Mars/Olympus", " ");
        assertThat(bad.validate("drill.schedules[0]")).extracting(DrillProblem::path).containsExactly(
                "drill.schedules[0].name", "drill.schedules[0].cron", "drill.schedules[0].zone",
                "drill.schedules[0].file");
        assertThat(new Schedule("n", "@daily", null, "g.yaml").validate("s")).isEmpty();
        assertThatThrownBy(() -> new DrillScheduler(List.of(new Schedule("n", "@daily", null, "g.yaml"), bad),
                s -> null, o -> { }, clock, i -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schedules[1].cron").hasMessageContaining("hour field '25'");
    }
}
