package io.reflex.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.model.IncidentStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IncidentFilterTest {

    @Test
    void readsEveryParameter() {
        IncidentFilter filter = IncidentFilter.parse(Map.of("status", "resolved", "resource", " service:a ",
                "alert", "ServiceDown", "from", "2026-11-26T10:00:00Z", "to", "2026-11-26T11:00:00Z",
                "drill", "FALSE", "q", "shop")::get);
        assertThat(filter).isEqualTo(new IncidentFilter(IncidentStatus.RESOLVED, "service:a", "ServiceDown",
                Instant.parse("2026-11-26T10:00:00Z"), Instant.parse("2026-11-26T11:00:00Z"), false, "shop"));
    }

    @Test
    void blankParametersDoNotFilter() {
        assertThat(IncidentFilter.parse(Map.of("status", "", "q", "  ", "drill", "")::get)).isEqualTo(IncidentFilter.ALL);
    }

    @Test
    void reportsEveryBadParameterByName() {
        List<String> problems = new ArrayList<>();
        IncidentFilter.parse(Map.of("status", "burning", "from", "yesterday", "drill", "maybe")::get, problems);
        assertThat(problems).hasSize(3);
        assertThat(problems.get(0)).startsWith("status: 'burning' is not one of [OPEN");
        assertThat(problems.get(1)).startsWith("from: 'yesterday' is not an ISO-8601 instant");
        assertThat(problems.get(2)).startsWith("drill: 'maybe' must be true");
    }

    @Test
    void refusesARangeThatEndsBeforeItStarts() {
        List<String> problems = new ArrayList<>();
        IncidentFilter.parse(Map.of("from", "2026-11-26T11:00:00Z", "to", "2026-11-26T10:00:00Z")::get, problems);
        assertThat(problems).singleElement().asString().startsWith("from: ").contains("swap them");
    }

    @Test
    void theErrorBodyNamesTheBadParameters() {
        List<String> problems = new ArrayList<>();
        IncidentFilter.parse(Map.of("to", "soon")::get, problems);
        ConsoleRoutes.parseLimit("0", problems);
        var error = ConsoleRoutes.badRequest(problems);
        assertThat(error.error()).isEqualTo("bad_request");
        assertThat(error.message()).startsWith("invalid query parameters to, limit: ");
        assertThat(error.details()).hasSize(2);
    }
}
