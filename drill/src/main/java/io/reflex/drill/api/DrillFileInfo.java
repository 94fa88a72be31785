package io.reflex.drill.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One file of the drill dir as {@code GET /api/drills} lists it: what it does when it parses, and
 * every problem when it does not (it is listed anyway, so a broken file is seen).
 *
 * @param file     its name in the drill dir
 * @param kind     {@code drill}, {@code gameday} or {@code dr} (a DR drill)
 * @param fault    a drill's fault; for a DR drill, what it does (traffic, kill, broker restart)
 * @param runs     a GameDay's drill runs (its drills times their repeats); null for a drill
 * @param problems {@code path: message}, empty when it parses
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DrillFileInfo(
        String file,
        String kind,
        String name,
        String mode,
        String fault,
        String resource,
        String expect,
        Long sloMs,
        Integer runs,
        List<String> problems) {

    public static final String DRILL = "drill";
    public static final String GAMEDAY = "gameday";
    public static final String DR = "dr";

    public DrillFileInfo {
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    /** A drill file. */
    public static DrillFileInfo drill(String file, String name, String mode, String fault, String resource,
            String expect, Long sloMs, List<String> problems) {
        return new DrillFileInfo(file, DRILL, name, mode, fault, resource, expect, sloMs, null, problems);
    }

    /** A GameDay file. */
    public static DrillFileInfo gameDay(String file, String name, Integer runs, List<String> problems) {
        return new DrillFileInfo(file, GAMEDAY, name, null, null, null, null, null, runs, problems);
    }

    /** A DR drill file; {@code does} says what it does (traffic, kill, broker restart). */
    public static DrillFileInfo dr(String file, String name, String does, List<String> problems) {
        return new DrillFileInfo(file, DR, name, null, does, null, null, null, null, problems);
    }

    public boolean valid() {
        return problems.isEmpty();
    }
}
