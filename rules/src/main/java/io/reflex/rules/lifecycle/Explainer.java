package io.reflex.rules.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflex.model.AlertEvent;
import io.reflex.model.AlertStatus;
import io.reflex.model.Resource;
import io.reflex.rules.RuleSession;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kie.api.KieBase;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;

/**
 * Why a rule version did or did not act on one alert ({@code POST /api/rules/explain}): the rules
 * that fire for the alert alone in a fresh session, and, when none does, the "nearest" rules:
 * those whose text mentions the alert's name, one of its label names or values.
 *
 * <p>The nearest rules are a heuristic, and the answer says so: Drools reports the matches that
 * fired, never which condition of a rule failed, so Reflex can only point at the rules that look
 * as if they were meant for this alert and at the lines of their conditions.
 */
public final class Explainer {
    /** The most nearest rules listed: past a handful the list stops helping. */
    static final int MAX_NEAREST = 5;
    static final String SOURCE = "explain";

    /** {@code rule "name"}, {@code rule 'name'} or {@code rule name}, at the start of a line. */
    private static final Pattern RULE_HEADER =
            Pattern.compile("^\\s*rule\\s+(?:\"((?:[^\"\\\\]|\\\\.)*)\"|'((?:[^'\\\\]|\\\\.)*)'|([\\w.$-]+))");
    private static final Pattern END = Pattern.compile("^\\s*end\\b.*");
    private static final Pattern WHEN = Pattern.compile("^\\s*when\\b(.*)");
    private static final Pattern THEN = Pattern.compile("^\\s*then\\b.*");
    /** The rest of a rule's header line when the whole rule is on it; group 1: its conditions. */
    private static final Pattern ONE_LINE = Pattern.compile(".*?\\bwhen\\b(.*?)\\bthen\\b.*\\bend\\s*");
    /** Conditions whose outcome depends on other facts or on time passing, not on one alert. */
    private static final Pattern TEMPORAL = Pattern.compile("\\b(not|after|before|window)\\b");

    private Explainer() {
    }

    /**
     * One {@code rule … end} block of a package.
     *
     * @param line          the 1-based line of {@code rule}
     * @param endLine       the line of {@code end} (the last line when it is missing)
     * @param conditionFrom the first line of the conditions ({@code when} part), 0 when there is none
     * @param conditionTo   the last line of the conditions, 0 when there is none
     * @param text          the block, {@code rule} to {@code end}
     * @param conditions    the conditions' text
     */
    public record RuleBlock(String name, int line, int endLine, int conditionFrom, int conditionTo, String text,
            String conditions) {
        public RuleBlock {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(conditions, "conditions");
        }

        /** Whether a condition uses absence or time ({@code not}, {@code after}, {@code before}, {@code window}). */
        public boolean temporal() {
            return TEMPORAL.matcher(conditions).find();
        }
    }

    /**
     * A rule that looks meant for the alert but did not fire.
     *
     * @param line   the line of its {@code rule}
     * @param reason what it mentions, and which lines hold its conditions
     * @param when   its conditions, as written, so the reader sees what it requires
     */
    public record Nearest(String rule, int line, String reason, String when) {
    }

    /**
     * The answer of {@code POST /api/rules/explain}; a record so the field order is the contract's.
     *
     * @param fired   the rules that fired for the alert alone, in firing order
     * @param nearest when none fired, the rules that mention the alert, most likely first
     * @param note    what the answer can and cannot tell
     */
    public record Explanation(long version, List<String> fired, List<Nearest> nearest, String note) {
        public Explanation {
            fired = List.copyOf(fired);
            nearest = List.copyOf(nearest);
        }
    }

    /**
     * Inserts the alert alone into a new session of the package, at the alert's receivedAt, fires,
     * and explains.
     *
     * @param drl the package's text, for the nearest rules and their lines
     */
    public static Explanation explain(long version, String drl, KieBase base, AlertEvent alert) {
        Set<String> fired = new LinkedHashSet<>();
        List<String> failed = new ArrayList<>();
        try (RuleSession session = new RuleSession(base)) {
            session.addAgendaListener(new DefaultAgendaEventListener() {
                // Before, not after: a consequence that throws still means the rule's conditions matched.
                @Override
                public void beforeMatchFired(BeforeMatchFiredEvent event) {
                    fired.add(event.getMatch().getRule().getName());
                }
            });
            session.advanceTo(alert.receivedAt().toEpochMilli());
            session.insert(alert);
            RuleSession.Outcome outcome = session.fire();
            for (RuleSession.Failure failure : outcome.failures()) {
                failed.add("rule \"" + failure.rule() + "\" threw (" + (fired.contains(failure.rule())
                        ? "in its consequence" : "in a condition") + "): " + failure.error());
            }
        }
        List<RuleBlock> blocks = ruleBlocks(drl);
        List<Nearest> nearest = fired.isEmpty() ? nearest(blocks, alert) : List.of();
        return new Explanation(version, List.copyOf(fired), nearest, note(version, fired, nearest, failed, blocks));
    }

    private static String note(long version, Set<String> fired, List<Nearest> nearest, List<String> failed,
            List<RuleBlock> blocks) {
        StringBuilder note = new StringBuilder("Evaluated in a fresh session of version ").append(version)
                .append(" holding this alert alone: no other alert, action result or throttle of the running"
                        + " rules stage.");
        if (!fired.isEmpty()) {
            note.append(" The rules listed under fired matched it; in the running stage a throttle or another"
                    + " fact may still have held them back.");
        } else {
            note.append(" No rule fired. This part is a heuristic: the rule engine does not report which"
                    + " condition of a rule failed, so nearest lists the rules whose text mentions this alert's"
                    + " name, a label name or a label value; read their conditions to find the one this alert"
                    + " does not meet.");
            if (nearest.isEmpty()) {
                note.append(" No rule mentions this alert's name or labels: the version probably has no rule"
                        + " for it.");
            }
        }
        Map<String, RuleBlock> byName = new HashMap<>();
        blocks.forEach(b -> byName.putIfAbsent(b.name(), b));
        List<String> temporal = nearest.stream()
                .map(n -> byName.get(n.rule()))
                .filter(b -> b != null && b.temporal())
                .map(b -> "\"" + b.name() + "\"")
                .toList();
        if (!temporal.isEmpty()) {
            note.append(" ").append(String.join(", ", temporal)).append(temporal.size() == 1 ? " uses" : " use")
                    .append(" absence or a time window (not, after, before, window): one alert alone cannot"
                            + " show whether it fires; it may fire only later, or only with other alerts or"
                            + " action results.");
        }
        failed.forEach(f -> note.append(" ").append(f).append('.'));
        return note.toString();
    }

    /**
     * The rules that mention the alert's name (most likely meant for it), a label value or a label
     * name, most mentions first, then in package order; at most {@link #MAX_NEAREST}.
     */
    static List<Nearest> nearest(List<RuleBlock> blocks, AlertEvent alert) {
        record Scored(RuleBlock block, int score, List<String> mentions) {
        }
        List<Scored> scored = new ArrayList<>();
        Map<String, String> labels = new TreeMap<>(alert.labels());
        // alertname is the alert's name again, already looked for.
        labels.remove("alertname");
        for (RuleBlock block : blocks) {
            int score = 0;
            List<String> mentions = new ArrayList<>();
            if (quotes(block.text(), alert.name())) {
                score += 100;
                mentions.add("\"" + alert.name() + "\"");
            }
            for (Map.Entry<String, String> label : labels.entrySet()) {
                String value = label.getValue();
                if (value != null && !value.isBlank() && !value.equals(alert.name()) && quotes(block.text(), value)) {
                    score += 10;
                    mentions.add("\"" + value + "\" (the value of its label " + label.getKey() + ")");
                } else if (quotes(block.text(), label.getKey())) {
                    score += 1;
                    mentions.add("label \"" + label.getKey() + "\"");
                }
            }
            if (score > 0) {
                scored.add(new Scored(block, score, mentions));
            }
        }
        return scored.stream()
                .sorted(Comparator.comparingInt(Scored::score).reversed()
                        .thenComparingInt(s -> s.block().line()))
                .limit(MAX_NEAREST)
                .map(s -> new Nearest(s.block().name(), s.block().line(), reason(s.block(), s.mentions()),
                        s.block().conditions().strip()))
                .toList();
    }

    private static String reason(RuleBlock block, List<String> mentions) {
        String what = mentions.size() == 1 ? mentions.get(0)
                : String.join(", ", mentions.subList(0, mentions.size() - 1)) + " and " + mentions.get(mentions.size() - 1);
        String conditions = block.conditionFrom() == 0 ? "its conditions"
                : block.conditionFrom() == block.conditionTo() ? "its conditions (line " + block.conditionFrom() + ")"
                : "its conditions (lines " + block.conditionFrom() + "-" + block.conditionTo() + ")";
        return "mentions " + what + " but did not fire for this alert: " + conditions + " did not all match"
                + (block.temporal() ? ", or need other alerts or time to pass (it uses not, after, before or"
                        + " window)" : "");
    }

    /** Whether the text holds the value as a string literal, as conditions compare with them. */
    private static boolean quotes(String text, String value) {
        return text.contains("\"" + value + "\"") || text.contains("'" + value + "'");
    }

    /**
     * The {@code rule … end} blocks of a package with their lines; comments are skipped, so a
     * commented-out rule is not one. A lexical reading, not the compiler's: it is meant for
     * packages that compile.
     */
    public static List<RuleBlock> ruleBlocks(String drl) {
        String[] lines = withoutComments(drl).split("\n", -1);
        List<RuleBlock> blocks = new ArrayList<>();
        int i = 0;
        while (i < lines.length) {
            Matcher header = RULE_HEADER.matcher(lines[i]);
            if (!header.find()) {
                i++;
                continue;
            }
            String name = header.group(1) != null ? header.group(1)
                    : header.group(2) != null ? header.group(2) : header.group(3);
            int start = i;
            Matcher oneLine = ONE_LINE.matcher(lines[i].substring(header.end()));
            if (oneLine.matches()) {
                // rule "x" when A() then … end: everything on the header's line.
                blocks.add(new RuleBlock(name, i + 1, i + 1, i + 1, i + 1, lines[i] + "\n", oneLine.group(1) + "\n"));
                i++;
                continue;
            }
            int when = -1;
            int then = -1;
            int end = lines.length - 1;
            for (int j = start + 1; j < lines.length; j++) {
                if (when < 0 && WHEN.matcher(lines[j]).matches()) {
                    when = j;
                } else if (when >= 0 && then < 0 && THEN.matcher(lines[j]).matches()) {
                    then = j;
                } else if (END.matcher(lines[j]).matches()) {
                    end = j;
                    break;
                }
            }
            int from = 0;
            int to = 0;
            StringBuilder conditions = new StringBuilder();
            if (when >= 0) {
                int last = (then >= 0 ? then : end) - 1;
                Matcher sameLine = WHEN.matcher(lines[when]);
                int first = sameLine.matches() && !sameLine.group(1).isBlank() ? when : when + 1;
                // Blank lines around the conditions are not theirs.
                while (first <= last && lines[first].isBlank()) {
                    first++;
                }
                while (last >= first && lines[last].isBlank()) {
                    last--;
                }
                if (first <= last) {
                    from = first + 1;
                    to = last + 1;
                    for (int k = first; k <= last; k++) {
                        String text = k == when ? sameLine.group(1) : lines[k];
                        conditions.append(text).append('\n');
                    }
                }
            }
            StringBuilder text = new StringBuilder();
            for (int k = start; k <= end; k++) {
                text.append(lines[k]).append('\n');
            }
            blocks.add(new RuleBlock(name, start + 1, end + 1, from, to, text.toString(), conditions.toString()));
            i = end + 1;
        }
        return blocks;
    }

    /**
     * The text with comments blanked out (line count and columns kept), strings left alone: a
     * rule's mention in a comment is no condition.
     */
    static String withoutComments(String drl) {
        StringBuilder out = new StringBuilder(drl.length());
        int n = drl.length();
        int i = 0;
        while (i < n) {
            char c = drl.charAt(i);
            if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && drl.charAt(j) != c && drl.charAt(j) != '\n') {
                    j += drl.charAt(j) == '\\' ? 2 : 1;
                }
                j = Math.min(j + 1, n);
                out.append(drl, i, j);
                i = j;
            } else if (c == '/' && i + 1 < n && drl.charAt(i + 1) == '/') {
                while (i < n && drl.charAt(i) != '\n') {
                    out.append(' ');
                    i++;
                }
            } else if (c == '/' && i + 1 < n && drl.charAt(i + 1) == '*') {
                int close = drl.indexOf("*/", i + 2);
                int stop = close < 0 ? n : close + 2;
                for (; i < stop; i++) {
                    out.append(drl.charAt(i) == '\n' ? '\n' : ' ');
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /**
     * The alert of an explain request: {@code {"name", "labels": {}, "resource": {"kind", "name",
     * "namespace"}, "status": "FIRING"}}, and optionally {@code severity}, {@code source},
     * {@code startsAt}, {@code fingerprint}, {@code annotations}. Without a resource it is
     * {@code alert:NAME}; without a status, FIRING; it is received now.
     *
     * @throws IllegalArgumentException naming the field that is wrong and what it should be
     */
    public static AlertEvent alertOf(JsonNode body, Instant now) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object describing the alert, e.g."
                    + " {\"name\": \"ServiceDown\", \"labels\": {\"service\": \"shop\"}, \"resource\":"
                    + " {\"kind\": \"service\", \"name\": \"shop\"}, \"status\": \"FIRING\"}");
        }
        String name = text(body, "name");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name: missing; give the alert's name (alertname), e.g. \"ServiceDown\"");
        }
        AlertStatus status = AlertStatus.FIRING;
        String statusText = text(body, "status");
        if (statusText != null) {
            try {
                status = AlertStatus.valueOf(statusText.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("status: '" + statusText + "' is not one of "
                        + List.of(AlertStatus.values()));
            }
        }
        Map<String, String> labels = strings(body, "labels");
        labels.putIfAbsent("alertname", name);
        Resource resource = Resource.of("alert", name);
        JsonNode r = body.get("resource");
        if (r != null && !r.isNull()) {
            String kind = r.isObject() ? text(r, "resource.kind", "kind") : null;
            String resourceName = r.isObject() ? text(r, "resource.name", "name") : null;
            if (kind == null || kind.isBlank() || resourceName == null || resourceName.isBlank()) {
                throw new IllegalArgumentException("resource: give it as {\"kind\": \"service\", \"name\": \"shop\"}"
                        + " (namespace optional), or leave it out");
            }
            resource = new Resource(kind, resourceName, text(r, "resource.namespace", "namespace"),
                    text(r, "resource.host", "host"));
        }
        Instant startsAt = now;
        String startsText = text(body, "startsAt");
        if (startsText != null) {
            try {
                startsAt = Instant.parse(startsText);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("startsAt: '" + startsText + "' is not an ISO-8601 instant"
                        + " such as 2026-11-26T10:00:00Z");
            }
        }
        String source = text(body, "source");
        source = source == null || source.isBlank() ? SOURCE : source;
        String fingerprint = text(body, "fingerprint");
        fingerprint = fingerprint == null || fingerprint.isBlank() ? SOURCE + "-" + name + "-" + resource.key()
                : fingerprint;
        String severity = text(body, "severity");
        return new AlertEvent(AlertEvent.idFor(source, fingerprint, startsAt, status), source, name, status,
                severity != null ? severity : labels.get("severity"), resource, labels, strings(body, "annotations"),
                startsAt, status == AlertStatus.RESOLVED ? now : null, now, fingerprint, null);
    }

    private static String text(JsonNode node, String field) {
        return text(node, field, field);
    }

    private static String text(JsonNode node, String path, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw new IllegalArgumentException(path + ": expected text, got " + value.getNodeType()
                    .name().toLowerCase(Locale.ROOT));
        }
        return value.asText();
    }

    private static Map<String, String> strings(JsonNode body, String field) {
        Map<String, String> out = new HashMap<>();
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return out;
        }
        if (!value.isObject()) {
            throw new IllegalArgumentException(field + ": expected an object of names to text values, e.g."
                    + " {\"service\": \"shop\"}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                throw new IllegalArgumentException(field + "." + entry.getKey() + ": expected text");
            }
            out.put(entry.getKey(), entry.getValue().asText());
        }
        return out;
    }
}
