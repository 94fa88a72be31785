package io.reflex.drill.gameday;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflex.drill.DrillDefinition;
import io.reflex.drill.DrillFileException;
import io.reflex.drill.DrillProblem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class GameDayFileTest {
    private static final Path BASE = Path.of("/srv/drills");

    /** Drill files by name; "broken.yaml" has problems of its own. */
    private static final Function<Path, DrillDefinition> DRILLS = path -> {
        String name = path.getFileName().toString().replace(".yaml", "");
        if (name.equals("broken")) {
            throw new DrillFileException(path.toString(), List.of(new DrillProblem("fault.type",
                    "'explode' is not a fault type; use kill or stop")));
        }
        return TestDrills.drill(name);
    };

    private static GameDay parse(String yaml) {
        return GameDayFile.parse(yaml, "nightly.yaml", DRILLS, BASE);
    }

    @Test
    void readsPathsAndMappingsWithTheirDefaults() {
        GameDay gameDay = parse("""
                name: nightly
                drills:
                  - kill-demo-shop.yaml
                  - file: sub/stop-db.yaml
                    repeat: 3
                    pauseBetween: 10s
                    stopOnFailure: true
                """);
        assertThat(gameDay.name()).isEqualTo("nightly");
        assertThat(gameDay.runs()).isEqualTo(4);
        GameDay.Entry first = gameDay.entries().get(0);
        assertThat(first.drill().name()).isEqualTo("kill-demo-shop");
        assertThat(first.file()).isEqualTo(BASE.resolve("kill-demo-shop.yaml"));
        assertThat(first.repeat()).isEqualTo(1);
        assertThat(first.pauseBetween()).isEqualTo(Duration.ofSeconds(5));
        assertThat(first.stopOnFailure()).isFalse();
        GameDay.Entry second = gameDay.entries().get(1);
        assertThat(second.drill().name()).isEqualTo("stop-db");
        assertThat(second.file()).isEqualTo(BASE.resolve("sub/stop-db.yaml"));
        assertThat(second.repeat()).isEqualTo(3);
        assertThat(second.pauseBetween()).isEqualTo(Duration.ofSeconds(10));
        assertThat(second.stopOnFailure()).isTrue();
    }

    @Test
    void namesEveryProblemWithItsPathIncludingTheDrillFiles() {
        assertThatThrownBy(() -> parse("""
                name: night ly
                color: blue
                drills:
                  - broken.yaml
                  - file: ok.yaml
                    repeat: 0
                    pauseBetween: soon
                    stopOnFailure: maybe
                    retry: 2
                  - {repeat: 2}
                  - 42
                """))
                .isInstanceOfSatisfying(DrillFileException.class, e -> assertThat(e.problems())
                        .extracting(DrillProblem::path).containsExactly(
                                "color",
                                "name",
                                "drills[0] (broken.yaml): fault.type",
                                "drills[1].retry",
                                "drills[1].repeat",
                                "drills[1].pauseBetween",
                                "drills[1].stopOnFailure",
                                "drills[2].file",
                                "drills[3]"))
                .hasMessageContaining("'explode' is not a fault type")
                .hasMessageContaining("write a whole number of 1 or more")
                .hasMessageContaining("'soon' is not a duration")
                .hasMessageContaining("is not a GameDay setting here");
    }

    @Test
    void needsANameAndAtLeastOneDrill() {
        assertThatThrownBy(() -> parse("drills: []\n"))
                .isInstanceOfSatisfying(DrillFileException.class, e -> assertThat(e.problems())
                        .extracting(DrillProblem::path).containsExactly("name", "drills"));
        assertThatThrownBy(() -> parse("- a\n- b\n")).hasMessageContaining("must be a YAML mapping");
        assertThatThrownBy(() -> parse("name: [\n")).hasMessageContaining("is not YAML");
    }
}
