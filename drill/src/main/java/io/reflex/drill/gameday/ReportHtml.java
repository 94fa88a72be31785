package io.reflex.drill.gameday;

import io.reflex.drill.DrillReport;
import io.reflex.drill.dr.DrDrillReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Drill and GameDay reports as self-contained HTML pages: inline CSS, no scripts, no external
 * resources (the console serves them as they are and people save them), every value escaped.
 */
public final class ReportHtml {
    private static final String CSS = """
            body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#1f2328;background:#fff}
            h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
            .id{color:#656d76;font-family:ui-monospace,monospace;font-size:.85rem}
            .summary{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}
            .card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
            .card .label{color:#656d76;font-size:.8rem}.card .value{font-size:1.3rem;font-weight:600}
            table{border-collapse:collapse;width:100%;font-size:.9rem}
            th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
            th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}
            dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{color:#656d76}dd{margin:0}
            """;

    private ReportHtml() {
    }

    /** The page of one drill run. */
    public static String drill(DrillReport report) {
        StringBuilder out = new StringBuilder();
        head(out, (report.passed() ? "PASS " : "FAIL ") + report.drill());
        out.append("<h1>").append(verdict(report.passed())).append(' ').append(esc(report.drill())).append("</h1>\n");
        out.append("<div class=\"id\">").append(esc(report.id())).append("</div>\n");
        out.append("<div class=\"summary\">\n");
        DrillReport.PhaseMillis p = report.phases();
        card(out, "detect", ms(p == null ? null : p.detectMs()));
        card(out, "decide", ms(p == null ? null : p.decideMs()));
        card(out, "act", ms(p == null ? null : p.actMs()));
        card(out, "recover", ms(p == null ? null : p.recoverMs()));
        card(out, "SLO", ms(report.sloMs()));
        out.append("</div>\n<dl>\n");
        item(out, "result", (report.passed() ? "passed: " : "failed: ") + text(report.reason()));
        item(out, "fault", text(report.fault()) + (report.injectedAt() == null ? " (not injected)"
                : " at " + report.injectedAt()));
        item(out, "resource", text(report.resource()));
        item(out, "expected", text(report.expected()));
        item(out, "rules fired", report.actualRules().isEmpty() ? "none" : String.join(", ", report.actualRules()));
        item(out, "actions", report.actualActions().isEmpty() ? "none" : String.join("; ", report.actualActions()));
        item(out, "incident", text(report.incidentId()));
        item(out, "undo", report.undo() == null ? (report.undone() ? "undone" : "not needed") : report.undo());
        item(out, "finished", report.finishedAt() == null ? "-" : report.finishedAt().toString());
        out.append("</dl>\n");
        return foot(out);
    }

    /** The page of one DR drill run: traffic, losses and repeats on top, then each step's time. */
    public static String dr(DrDrillReport report) {
        StringBuilder out = new StringBuilder();
        head(out, (report.passed() ? "PASS " : "FAIL ") + "DR drill " + report.drill());
        out.append("<h1>").append(verdict(report.passed())).append(" DR drill ").append(esc(report.drill()))
                .append("</h1>\n");
        out.append("<div class=\"id\">").append(esc(report.id())).append("</div>\n");
        out.append("<div class=\"summary\">\n");
        card(out, "alerts sent / acked", report.alertsSent() + " / " + report.alertsAcked());
        card(out, "lost", String.valueOf(report.alertsLost()));
        card(out, "decided twice", String.valueOf(report.alertsDecidedTwice()));
        card(out, "actions duplicated", String.valueOf(report.actionsDuplicated()));
        card(out, "results duplicated", String.valueOf(report.resultsDuplicated()));
        card(out, "caught up", report.caughtUpAt() == null ? "no" : since(report, report.caughtUpAt()));
        out.append("</div>\n<dl>\n");
        item(out, "result", (report.passed() ? "passed: " : "failed: ") + text(report.reason()));
        item(out, "path", report.executed() ? "real: actions executed; incidents labelled drillId=" + report.id()
                : "rehearsal: DRY_RUN actions, no connector called");
        item(out, "actions", report.actionsDecided() + " decided, " + report.actionsWithoutResult()
                + " without a result");
        item(out, "kill", report.role() == null ? "none" : report.role() + ": " + text(report.killed())
                + (report.killedAt() == null ? "" : " at " + since(report, report.killedAt()))
                + (report.alertsDecidedBeforeKill() == null ? ""
                : ", " + report.alertsDecidedBeforeKill() + " alerts decided before"));
        item(out, "restart", report.restartedAt() == null ? "-"
                : "pid " + report.restartedPid() + " at " + since(report, report.restartedAt()));
        item(out, "broker", report.brokerRestartedAt() == null ? "not restarted"
                : "restarted, answering again at " + since(report, report.brokerRestartedAt()));
        item(out, "started", report.startedAt() == null ? "-" : report.startedAt().toString());
        item(out, "finished", report.finishedAt() == null ? "-" : report.finishedAt().toString());
        if (!report.lostExamples().isEmpty()) {
            item(out, "lost alerts (examples)", String.join(", ", report.lostExamples()));
        }
        out.append("</dl>\n");
        if (!report.duplicateExamples().isEmpty()) {
            out.append("<h2>Repeats</h2>\n<ul>\n");
            report.duplicateExamples().forEach(d -> out.append("<li>").append(esc(d)).append("</li>\n"));
            out.append("</ul>\n");
        }
        return foot(out);
    }

    /** {@code +4.2s}: a step's time from the start of the traffic. */
    private static String since(DrDrillReport report, Instant at) {
        if (report.startedAt() == null) {
            return at.toString();
        }
        return String.format(java.util.Locale.ROOT, "+%.1fs", Duration.between(report.startedAt(), at).toMillis()
                / 1000.0);
    }

    /** The page of a GameDay: coverage and MTTR on top, then a row per drill run. */
    public static String gameDay(GameDayReport report) {
        StringBuilder out = new StringBuilder();
        GameDayReport.Totals t = report.totals();
        head(out, "GameDay " + report.name());
        out.append("<h1>GameDay ").append(esc(report.name())).append("</h1>\n");
        out.append("<div class=\"id\">").append(esc(report.id())).append(" &middot; ")
                .append(esc(String.valueOf(report.startedAt()))).append(" to ")
                .append(esc(String.valueOf(report.finishedAt()))).append("</div>\n");
        out.append("<div class=\"summary\">\n");
        card(out, "remediation coverage", t.coverage() == null ? "-" : t.coveragePercent() + "%");
        card(out, "faults healed / injected", t.faultsHealed() + " / " + t.faultsInjected());
        card(out, "MTTR p50", ms(t.mttr().p50Ms()));
        card(out, "MTTR p90", ms(t.mttr().p90Ms()));
        card(out, "MTTR max", ms(t.mttr().maxMs()));
        card(out, "passed", t.passed() + " / " + t.drillsRun() + (t.drillsRun() < report.planned()
                ? " (of " + report.planned() + " planned)" : ""));
        out.append("</div>\n");
        if (report.stopped() != null) {
            out.append("<p class=\"fail\">Stopped early: ").append(esc(report.stopped())).append("</p>\n");
        }
        out.append("<h2>Drills</h2>\n<table>\n<thead><tr><th>#</th><th>drill</th><th>result</th><th>detect</th>"
                + "<th>decide</th><th>act</th><th>recover</th><th>SLO</th><th>reason</th></tr></thead>\n<tbody>\n");
        List<DrillReport> drills = report.drills();
        for (int i = 0; i < drills.size(); i++) {
            DrillReport d = drills.get(i);
            DrillReport.PhaseMillis p = d.phases();
            out.append("<tr><td class=\"num\">").append(i + 1).append("</td><td>").append(esc(d.drill()))
                    .append("<div class=\"id\">").append(esc(d.id())).append("</div></td><td>")
                    .append(verdict(d.passed())).append("</td>");
            numCell(out, ms(p == null ? null : p.detectMs()));
            numCell(out, ms(p == null ? null : p.decideMs()));
            numCell(out, ms(p == null ? null : p.actMs()));
            numCell(out, ms(p == null ? null : p.recoverMs()));
            numCell(out, ms(d.sloMs()));
            out.append("<td>").append(esc(text(d.reason())));
            if (d.undo() != null) {
                out.append("<div class=\"id\">undo: ").append(esc(d.undo())).append("</div>");
            }
            out.append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n<h2>Per drill</h2>\n<table>\n<thead><tr><th>drill</th><th>passed</th>"
                + "<th>runs</th></tr></thead>\n<tbody>\n");
        t.byDrill().forEach((name, c) -> out.append("<tr><td>").append(esc(name)).append("</td><td class=\"num\">")
                .append(c.passed()).append("</td><td class=\"num\">").append(c.runs()).append("</td></tr>\n"));
        out.append("</tbody>\n</table>\n");
        return foot(out);
    }

    /** {@code text} with the five characters that mean something in HTML escaped. */
    public static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static void head(StringBuilder out, String title) {
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
                .append(esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
    }

    private static String foot(StringBuilder out) {
        return out.append("</body>\n</html>\n").toString();
    }

    private static String verdict(boolean passed) {
        return passed ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>";
    }

    private static void card(StringBuilder out, String label, String value) {
        out.append("<div class=\"card\"><div class=\"label\">").append(esc(label)).append("</div><div class=\"value\">")
                .append(esc(value)).append("</div></div>\n");
    }

    /** A definition-list row; {@code value} is plain text and is escaped here. */
    private static void item(StringBuilder out, String label, String value) {
        out.append("<dt>").append(esc(label)).append("</dt><dd>").append(esc(value)).append("</dd>\n");
    }

    private static void numCell(StringBuilder out, String value) {
        out.append("<td class=\"num\">").append(esc(value)).append("</td>");
    }

    private static String ms(Long ms) {
        return GameDayReport.human(ms);
    }

    private static String text(String s) {
        return s == null ? "-" : s;
    }
}
