package io.reflex.drill.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One drill file of the drill dir as {@code GET /api/drills} lists it: what it does when it
 * parses, and every problem when it does not (it is listed anyway, so a broken file is seen).
 *
 * @param file     its name in the drill dir
 * @param problems {@code path: message}, empty when it parses
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DrillFileInfo(
        String file,
        String name,
        String mode,
        String fault,
        String resource,
        String expect,
        Long sloMs,
        List<String> problems) {

    public DrillFileInfo {
        problems = problems == null ? List.of() : List.copyOf(problems);
    }

    public boolean valid() {
        return problems.isEmpty();
    }
}
