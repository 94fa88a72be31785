package io.reflex.drill.gameday;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflex.drill.DrillReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportHtmlTest {
    private static final String EVIL = "<script>alert('x')</script>";

    @Test
    void aDrillPageEscapesEveryValue() {
        DrillReport report = TestDrills.report(EVIL, true, 3100L, false, "rule \"" + EVIL + "\" & more");
        String html = ReportHtml.drill(report);
        assertThat(html).doesNotContain("<script").doesNotContain("alert('x')")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
                .contains("rule &quot;&lt;script&gt;").contains("&amp; more")
                .contains("3.1s").contains("FAIL");
    }

    @Test
    void aGameDayPageHasCoverageAndMttrOnTopAndARowPerRun() {
        GameDayReport report = GameDayReport.of(EVIL, TestDrills.T0, TestDrills.T0.plusSeconds(60), 3, null, List.of(
                TestDrills.report(EVIL, true, 2000L, true, "recovered"),
                TestDrills.report("b", true, null, false, "not recovered: " + EVIL)));
        String html = ReportHtml.gameDay(report);
        assertThat(html).doesNotContain("<script").contains("&lt;script&gt;");
        assertThat(html.indexOf("remediation coverage")).isLessThan(html.indexOf("<table>"));
        assertThat(html).contains("50.0%").contains("1 / 2").contains("MTTR p50").contains("2.0s")
                .contains("(of 3 planned)");
        assertThat(html.split("<tr><td class=\"num\">", -1)).hasSize(3);
        // Self-contained: no external resources.
        assertThat(html).doesNotContain("src=").doesNotContain("href=").contains("<style>");
    }
}
