package io.reflex.drill.gameday;

import io.reflex.drill.DrillDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Many drills in a row, as a GameDay file ({@link GameDayFile}) lists them.
 *
 * @param name    part of the GameDay report's id
 * @param entries in the order they run
 */
public record GameDay(String name, List<Entry> entries) {

    public static final Duration DEFAULT_PAUSE = Duration.ofSeconds(5);

    public GameDay {
        Objects.requireNonNull(name, "name");
        entries = List.copyOf(entries);
    }

    /** How many drill runs the GameDay makes when none stops it early. */
    public int runs() {
        return entries.stream().mapToInt(Entry::repeat).sum();
    }

    /**
     * One line of the GameDay.
     *
     * @param file          the drill file it was read from
     * @param repeat        how many times in a row to run it (at least 1)
     * @param pauseBetween  the pause after each of its runs, before the next run of the GameDay
     * @param stopOnFailure when one of its runs fails, run nothing more of the GameDay
     */
    public record Entry(Path file, DrillDefinition drill, int repeat, Duration pauseBetween, boolean stopOnFailure) {
        public Entry {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(drill, "drill");
            Objects.requireNonNull(pauseBetween, "pauseBetween");
            if (repeat < 1) {
                throw new IllegalArgumentException("repeat must be at least 1, not " + repeat);
            }
            if (pauseBetween.isNegative()) {
                throw new IllegalArgumentException("pauseBetween must not be negative, not " + pauseBetween);
            }
        }
    }
}
