package io.reflex.drill.gameday;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.drill.DrillFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file-reading paths: drill files relative to the GameDay file, and the scheduler's production job. */
class GameDayFilesTest {
    private static final String DRILL = """
            name: %s
            steadyState: {http: http://127.0.0.1:8081/health}
            fault: {type: kill, service: demo-shop}
            expect: {action: restart_service, target: service:demo-shop}
            slo: 30s
            """;

    @TempDir
    Path dir;

    @Test
    void drillFilesAreReadRelativeToTheGameDayFile() throws Exception {
        Files.createDirectories(dir.resolve("days/drills"));
        Files.writeString(dir.resolve("days/drills/kill.yaml"), DRILL.formatted("kill-demo-shop"));
        Files.writeString(dir.resolve("days/nightly.yaml"), "name: nightly\ndrills: [drills/kill.yaml, missing.yaml]\n");

        assertThatThrownBy(() -> GameDayFile.read(dir.resolve("days/nightly.yaml")))
                .isInstanceOfSatisfying(DrillFileException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(p -> assertThat(p.path()).isEqualTo("drills[1] (missing.yaml): (file)")));

        Files.writeString(dir.resolve("days/nightly.yaml"), "name: nightly\ndrills: [drills/kill.yaml]\n");
        GameDay gameDay = GameDayFile.read(dir.resolve("days/nightly.yaml"));
        assertThat(gameDay.entries()).singleElement().satisfies(e -> {
            assertThat(e.drill().name()).isEqualTo("kill-demo-shop");
            assertThat(e.file()).isEqualTo(dir.resolve("days/drills/kill.yaml").toAbsolutePath());
        });
    }

    @Test
    void theSchedulersJobRunsAGameDayOrASingleDrillByWhatTheFileHolds() throws Exception {
        Files.writeString(dir.resolve("kill.yaml"), DRILL.formatted("kill-demo-shop"));
        Files.writeString(dir.resolve("day.yaml"), "name: day\ndrills: [{file: kill.yaml, repeat: 2, pauseBetween: 0s}]\n");
        List<String> ran = new ArrayList<>();
        GameDayRunner.DrillRun drills = d -> {
            ran.add(d.name());
            return TestDrills.report(d.name(), true, 1000L, true, "ok");
        };
        GameDayRunner gameDays = new GameDayRunner(drills, new GameDayRunnerTest.FakeClock(TestDrills.T0),
                d -> { }, GameDayRunner.NO_LISTENER);
        DrillScheduler.Job job = DrillScheduler.files(dir, drills, gameDays);

        DrillScheduler.Outcome day = job.run(new Schedule("d", "@daily", null, "day.yaml"));
        assertThat(day.gameDay()).isNotNull();
        assertThat(day.gameDay().totals().drillsRun()).isEqualTo(2);
        DrillScheduler.Outcome one = job.run(new Schedule("k", "@daily", null, "kill.yaml"));
        assertThat(one.drill()).isNotNull();
        assertThat(one.gameDay()).isNull();
        assertThat(ran).containsExactly("kill-demo-shop", "kill-demo-shop", "kill-demo-shop");
    }
}
